"""The embedded exchange simulator: one aiohttp server on loopback hosting every simulated venue.

Gate.io spot is served at ``http://host:port/api/v4/...`` (REST) and ``ws://host:port/ws/v4/`` (WS). A new
venue is one more subpackage with a state object, a ``mount(venue, router)`` and a slot in :data:`VENUES`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web
from pydantic import SecretStr

from app.config import ExchangeConfig, ExchangeCredentials
from app.domain.enums import ExchangeEnum
from app.errors import UnsupportedExchangeError
from app.simulator.common import SimClock
from app.simulator.gateio_spot import rest as gateio_spot_rest
from app.simulator.gateio_spot.venue import GateioSpotVenue

VENUES = ("gateio",)


@dataclass(frozen=True, slots=True)
class VenueEndpoints:
    """Where a simulated venue listens and its test credentials (never shown in a repr)."""

    rest_url: str
    ws_url: str
    api_key: str = field(repr=False)
    api_secret: str = field(repr=False)
    uid: str

    def as_dict(self) -> dict[str, str]:
        return {
            "rest_url": self.rest_url,
            "ws_url": self.ws_url,
            "api_key": self.api_key,
            "api_secret": self.api_secret,
            "uid": self.uid,
        }


class ExchangeSimulator:
    """Start/stop the simulated venues; ``async with ExchangeSimulator() as sim: ...``."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 7,
        venues: tuple[str, ...] = ("gateio",),
        tick_interval_s: float = 0.05,
    ) -> None:
        unknown = [name for name in venues if name not in VENUES]
        if unknown or not venues:
            raise UnsupportedExchangeError(f"simulator venues must be among {VENUES}, got {venues}")
        self.host = host
        self.port = port
        self.seed = seed
        self.venues = tuple(venues)
        self.clock = SimClock()
        self.endpoints: dict[str, VenueEndpoints] = {}
        self._gateio = GateioSpotVenue(seed=seed, tick_interval_s=tick_interval_s, clock=self.clock)
        self._runner: web.AppRunner | None = None

    @property
    def gateio(self) -> GateioSpotVenue:
        """The Gate.io spot venue (matching engines, books, accounts, fault hooks)."""
        return self._gateio

    @property
    def started(self) -> bool:
        return self._runner is not None

    async def start(self) -> None:
        """Build the books, bind the port (0 = any free port) and start the background tasks."""
        if self._runner is not None:
            return
        app = web.Application()
        gateio_rest = gateio_spot_rest.mount(self._gateio, app.router)
        gateio_rest.register_fallback(app.router)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()
            await self._gateio.start()
        except BaseException:
            await self._gateio.stop()
            await runner.cleanup()
            raise
        self._runner = runner
        address: Any = runner.addresses[0]
        self.port = int(address[1])
        base = f"{self.host}:{self.port}"
        user = self._gateio.user
        self.endpoints["gateio"] = VenueEndpoints(
            rest_url=f"http://{base}{gateio_spot_rest.PREFIX}",
            ws_url=f"ws://{base}{gateio_spot_rest.WS_PATHS[0]}",
            api_key=user.api_key,
            api_secret=user.api_secret,
            uid=user.uid,
        )

    async def stop(self) -> None:
        """Stop the market, close every WS connection and the server; idempotent."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        await self._gateio.stop()
        await runner.cleanup()

    async def __aenter__(self) -> ExchangeSimulator:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    def exchange_config(self, exchange: ExchangeEnum, base: ExchangeConfig | None = None) -> ExchangeConfig:
        """An :class:`ExchangeConfig` (``base``'s settings if given) pointed at this simulator."""
        if exchange is not ExchangeEnum.GATEIO:
            raise UnsupportedExchangeError(f"the simulator does not serve {exchange.value} yet")
        endpoints = self.endpoints.get("gateio")
        if endpoints is None:
            raise RuntimeError("the simulator is not started")
        data: dict[str, Any] = base.model_dump() if base is not None else {}
        data.update(
            name=exchange,
            rest_url=endpoints.rest_url,
            ws_url=endpoints.ws_url,
            private_ws_url=None,
            credentials=ExchangeCredentials(
                api_key=SecretStr(endpoints.api_key),
                api_secret=SecretStr(endpoints.api_secret),
                uid=endpoints.uid,
            ),
        )
        return ExchangeConfig.model_validate(data)
