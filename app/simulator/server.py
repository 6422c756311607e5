"""The embedded exchange simulator: one aiohttp server on loopback hosting every simulated venue.

Every venue follows one shared underlying price path (:mod:`app.simulator.price_path`) with its own noise.
Gate.io spot is served at ``http://host:port/api/v4/...`` (REST) and ``ws://host:port/ws/v4/`` (WS).

Adding a venue: a subpackage whose venue class takes ``(seed=, tick_interval_s=, clock=, prices=)`` and
has ``mount(router)``, ``endpoints(base_url, ws_base_url) -> VenueEndpoints``, ``start()``, ``stop()``
(optionally ``register_fallbacks(router)``), plus one :class:`VenueSpec` line in :data:`VENUES`. The shared
state and plumbing are in :mod:`~app.simulator.venue_base` (venue), :mod:`~app.simulator.route_plumbing`
(REST) and :mod:`~app.simulator.ws_connections` (WS sessions and hub lifecycle).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import web
from pydantic import SecretStr

from app.config import ExchangeConfig, ExchangeCredentials
from app.domain.enums import ExchangeEnum
from app.errors import UnsupportedExchangeError
from app.simulator.common import SimClock, VenueEndpoints
from app.simulator.faults import FaultPlan, SimulatorFaults, VenueFaults
from app.simulator.price_path import UnderlyingPrices

if TYPE_CHECKING:
    from app.simulator.gateio_futures.venue import GateioFuturesVenue
    from app.simulator.gateio_spot.venue import GateioSpotVenue
    from app.simulator.mexc.venue import MexcSpotVenue

__all__ = ["VENUES", "ExchangeSimulator", "SimulatedVenue", "VenueEndpoints", "VenueSpec"]


class SimulatedVenue(Protocol):
    """What the server needs from a simulated venue (``faults``: its :class:`VenueFaults`)."""

    faults: VenueFaults

    def mount(self, router: web.UrlDispatcher) -> None: ...
    def endpoints(self, base_url: str, ws_base_url: str) -> VenueEndpoints: ...
    async def start(self) -> None: ...
    async def stop(self) -> None: ...


@dataclass(frozen=True, slots=True)
class VenueSpec:
    """A simulated venue: its name (the settings / JSON key), its exchange, its class (imported lazily)."""

    name: str
    exchange: ExchangeEnum
    factory: str  # "package.module:Class"

    def create(self, **kwargs: Any) -> SimulatedVenue:
        module, _, attr = self.factory.partition(":")
        venue: SimulatedVenue = getattr(importlib.import_module(module), attr)(**kwargs)
        return venue


VENUES: dict[str, VenueSpec] = {
    "gateio": VenueSpec("gateio", ExchangeEnum.GATEIO, "app.simulator.gateio_spot.venue:GateioSpotVenue"),
    "mexc": VenueSpec("mexc", ExchangeEnum.MEXC, "app.simulator.mexc.venue:MexcSpotVenue"),
    "gateio_futures": VenueSpec(
        "gateio_futures", ExchangeEnum.GATEIO_FUTURES, "app.simulator.gateio_futures.venue:GateioFuturesVenue"
    ),
}


class ExchangeSimulator:
    """Start/stop the simulated venues; ``async with ExchangeSimulator() as sim: ...``."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = 7,
        venues: tuple[str, ...] | None = None,
        tick_interval_s: float = 0.05,
        faults: FaultPlan | Mapping[str, Any] | None = None,
    ) -> None:
        venues = tuple(VENUES) if venues is None else tuple(venues)
        unknown = [name for name in venues if name not in VENUES]
        if unknown or not venues:
            raise UnsupportedExchangeError(f"simulator venues must be among {tuple(VENUES)}, got {venues}")
        self.host = host
        self.port = port
        self.seed = seed
        self.venues = venues
        self.clock = SimClock()
        self.prices = UnderlyingPrices(seed, step_s=tick_interval_s)
        self.endpoints: dict[str, VenueEndpoints] = {}
        self._venues: dict[str, SimulatedVenue] = {
            name: VENUES[name].create(seed=seed, tick_interval_s=tick_interval_s, clock=self.clock, prices=self.prices)
            for name in venues
        }
        self._runner: web.AppRunner | None = None
        self.faults = SimulatorFaults(self.clock, {name: venue.faults for name, venue in self._venues.items()})
        if faults is not None:
            self.faults.apply(faults)

    def venue(self, name: str) -> Any:
        """The simulated venue ``name`` (matching engines, books, accounts, fault hooks)."""
        try:
            return self._venues[name]
        except KeyError:
            raise UnsupportedExchangeError(f"this simulator does not run {name!r}; it runs {self.venues}") from None

    @property
    def gateio(self) -> GateioSpotVenue:
        """The Gate.io spot venue (matching engines, books, accounts, fault hooks)."""
        venue: GateioSpotVenue = self.venue("gateio")
        return venue

    @property
    def gateio_futures(self) -> GateioFuturesVenue:
        """The Gate.io USDT perpetual futures venue (engines, positions, funding, fault hooks)."""
        futures: GateioFuturesVenue = self.venue("gateio_futures")
        return futures

    @property
    def mexc(self) -> MexcSpotVenue:
        """The MEXC spot venue (matching engines, listenKeys, accounts, fault hooks)."""
        venue: MexcSpotVenue = self.venue("mexc")
        return venue

    @property
    def started(self) -> bool:
        return self._runner is not None

    async def start(self) -> None:
        """Build the books, bind the port (0 = any free port) and start the background tasks."""
        if self._runner is not None:
            return
        app = web.Application()
        self.faults.mount(app.router)
        for venue in self._venues.values():
            venue.mount(app.router)
        for venue in self._venues.values():
            register = getattr(venue, "register_fallbacks", None)
            if register is not None:
                register(app.router)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        started: list[SimulatedVenue] = []
        try:
            site = web.TCPSite(runner, self.host, self.port)
            await site.start()
            for venue in self._venues.values():
                await venue.start()
                started.append(venue)
            await self.faults.start()
        except BaseException:
            for venue in started:
                await venue.stop()
            await runner.cleanup()
            raise
        self._runner = runner
        address: Any = runner.addresses[0]
        self.port = int(address[1])
        base = f"{self.host}:{self.port}"
        for name, venue in self._venues.items():
            self.endpoints[name] = venue.endpoints(f"http://{base}", f"ws://{base}")

    async def stop(self) -> None:
        """Stop the markets, close every WS connection and the server; idempotent."""
        runner, self._runner = self._runner, None
        if runner is None:
            return
        await self.faults.stop()
        for venue in self._venues.values():
            await venue.stop()
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
        name = next((spec.name for spec in VENUES.values() if spec.exchange is exchange), None)
        if name is None or name not in self._venues:
            raise UnsupportedExchangeError(f"the simulator does not serve {exchange.value}")
        endpoints = self.endpoints.get(name)
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
