"""One venue's REST and WebSocket clients and composites, wired by hand to the embedded simulator over loopback.

A venue test folder names its venue once, in a ``venue_kit`` fixture returning one of the kits below, and
gets (each closed after the test):

- ``venue_sim``: a started simulator running only that venue (fast ticks); ``venue``: the simulated venue;
- ``venue_config``: the venue's config pointed at the simulator, with short timeouts (:func:`fast_config`);
- ``sessions``; ``public_rest`` and ``private_rest``: the REST clients;
- ``public`` and ``private``: the composites on those clients and the venue's WebSocket clients, with short
  resync and order-lookup delays.

``tests/conftest.py`` registers these fixtures for every folder; a folder overrides what it needs to
(``tests/composite`` takes ``venue_config`` from the shared all-venue ``simulator``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from app.config import ExchangeConfig
from app.domain.enums import ExchangeEnum
from app.domain.handlers import PrivateWebsocketHandlers, PublicWebsocketHandlers
from app.exchanges.gateio.futures.composite_private import GateioFuturesCompositePrivateExchange
from app.exchanges.gateio.futures.composite_public import GateioFuturesCompositePublicExchange
from app.exchanges.gateio.futures.rest_private import GateioPrivateFuturesRest
from app.exchanges.gateio.futures.rest_public import GateioPublicFuturesRest
from app.exchanges.gateio.futures.ws_private import GateioPrivateFuturesWebsocket
from app.exchanges.gateio.futures.ws_public import GateioPublicFuturesWebsocket
from app.exchanges.gateio.spot.composite_private import GateioCompositePrivateSpotExchange
from app.exchanges.gateio.spot.composite_public import GateioCompositePublicSpotExchange
from app.exchanges.gateio.spot.rest_private import GateioPrivateSpotRest
from app.exchanges.gateio.spot.rest_public import GateioPublicSpotRest
from app.exchanges.gateio.spot.ws_private import GateioPrivateSpotWebsocket
from app.exchanges.gateio.spot.ws_public import GateioPublicSpotWebsocket
from app.exchanges.mexc.spot.composite_private import MexcCompositePrivateSpotExchange
from app.exchanges.mexc.spot.composite_public import MexcCompositePublicSpotExchange
from app.exchanges.mexc.spot.rest_private import MexcPrivateSpotRest
from app.exchanges.mexc.spot.rest_public import MexcPublicSpotRest
from app.exchanges.mexc.spot.ws_private import MexcPrivateSpotWebsocket
from app.exchanges.mexc.spot.ws_public import MexcPublicSpotWebsocket
from app.simulator import ExchangeSimulator
from app.transport.session import HttpSessionManager

FAST_SETTINGS: dict[str, Any] = {
    "request_timeout_s": 2.0,
    "ws_reconnect_max_delay_s": 0.2,
    "book_depth": 50,
    "max_retries": 0,
}
"""Short timeouts and reconnect delays, no retries: fault tests stay fast."""


def fast_config(config: ExchangeConfig, **overrides: Any) -> ExchangeConfig:
    """``config`` with :data:`FAST_SETTINGS` (and ``overrides``) applied."""
    return config.model_copy(update={**FAST_SETTINGS, **overrides})


@dataclass(frozen=True, slots=True)
class VenueKit:
    """Where a venue runs in the simulator and the classes its clients and composites are built from."""

    exchange: ExchangeEnum
    sim_venue: str
    # The classes: REST clients ``cls(config, sessions)``, WebSocket clients ``cls(config, sessions, handlers)``,
    # composites ``cls(config, rest, ws_factory, ...)`` (the private one also takes a symbol-info loader).
    public_rest: Callable[..., Any]
    private_rest: Callable[..., Any]
    public_ws: Callable[..., Any]
    private_ws: Callable[..., Any]
    public_composite: Callable[..., Any]
    private_composite: Callable[..., Any]
    config_overrides: Mapping[str, Any] = field(default_factory=dict)
    """Settings on top of :data:`FAST_SETTINGS`."""
    private_rest_loads_symbols: bool = False
    """The private REST client is given the venue's symbol rules (from the public one) before use."""
    private_ws_uses_rest: bool = False
    """The user stream is given the private REST client (MEXC: it creates and keeps alive the listenKey)."""


GATEIO_SPOT = VenueKit(
    ExchangeEnum.GATEIO,
    "gateio",
    public_rest=GateioPublicSpotRest,
    private_rest=GateioPrivateSpotRest,
    public_ws=GateioPublicSpotWebsocket,
    private_ws=GateioPrivateSpotWebsocket,
    public_composite=GateioCompositePublicSpotExchange,
    private_composite=GateioCompositePrivateSpotExchange,
)
GATEIO_FUTURES = VenueKit(
    ExchangeEnum.GATEIO_FUTURES,
    "gateio_futures",
    public_rest=GateioPublicFuturesRest,
    private_rest=GateioPrivateFuturesRest,
    public_ws=GateioPublicFuturesWebsocket,
    private_ws=GateioPrivateFuturesWebsocket,
    public_composite=GateioFuturesCompositePublicExchange,
    private_composite=GateioFuturesCompositePrivateExchange,
)
MEXC_SPOT = VenueKit(
    ExchangeEnum.MEXC,
    "mexc",
    public_rest=MexcPublicSpotRest,
    private_rest=MexcPrivateSpotRest,
    public_ws=MexcPublicSpotWebsocket,
    private_ws=MexcPrivateSpotWebsocket,
    public_composite=MexcCompositePublicSpotExchange,
    private_composite=MexcCompositePrivateSpotExchange,
    config_overrides={"ws_ping_interval_s": 0.5},
    private_rest_loads_symbols=True,
    private_ws_uses_rest=True,
)


@pytest.fixture
async def venue_sim(venue_kit: VenueKit) -> AsyncIterator[ExchangeSimulator]:
    """A started simulator serving only the kit's venue (fast ticks)."""
    async with ExchangeSimulator(venues=(venue_kit.sim_venue,), tick_interval_s=0.02) as sim:
        yield sim


@pytest.fixture
def venue(venue_kit: VenueKit, venue_sim: ExchangeSimulator) -> Any:
    """The simulated venue (engines, accounts, fault hooks)."""
    return venue_sim.venue(venue_kit.sim_venue)


@pytest.fixture
def venue_config(venue_kit: VenueKit, venue_sim: ExchangeSimulator) -> ExchangeConfig:
    """The venue's settings pointed at the simulator, with its test credentials and short timeouts."""
    return fast_config(venue_sim.exchange_config(venue_kit.exchange), **venue_kit.config_overrides)


@pytest.fixture
async def sessions() -> AsyncIterator[HttpSessionManager]:
    manager = HttpSessionManager()
    yield manager
    await manager.close()


@pytest.fixture
async def public_rest(
    venue_kit: VenueKit, venue_config: ExchangeConfig, sessions: HttpSessionManager
) -> AsyncIterator[Any]:
    rest = venue_kit.public_rest(venue_config.public_view(), sessions)
    yield rest
    await rest.close()


@pytest.fixture
async def private_rest(
    venue_kit: VenueKit, venue_config: ExchangeConfig, sessions: HttpSessionManager, public_rest: Any
) -> AsyncIterator[Any]:
    rest = venue_kit.private_rest(venue_config, sessions)
    if venue_kit.private_rest_loads_symbols:
        rest.set_symbol_info(await public_rest.get_exchange_info())
    yield rest
    await rest.close()


@pytest.fixture
async def public(
    venue_kit: VenueKit, venue_config: ExchangeConfig, sessions: HttpSessionManager, public_rest: Any
) -> AsyncIterator[Any]:
    """The public composite: books resynced after short back-offs."""
    config = venue_config.public_view()

    def ws_factory(*, handlers: PublicWebsocketHandlers) -> Any:
        return venue_kit.public_ws(config, sessions, handlers)

    composite = venue_kit.public_composite(
        config, public_rest, ws_factory, resync_backoff_s=0.02, resync_backoff_max_s=0.2
    )
    yield composite
    await composite.close()


@pytest.fixture
async def private(
    venue_kit: VenueKit,
    venue_config: ExchangeConfig,
    sessions: HttpSessionManager,
    public_rest: Any,
    private_rest: Any,
) -> AsyncIterator[Any]:
    """The private composite: symbol rules from ``public_rest``, orders of unknown outcome looked up quickly."""
    options = {"rest": private_rest} if venue_kit.private_ws_uses_rest else {}

    def ws_factory(*, handlers: PrivateWebsocketHandlers) -> Any:
        return venue_kit.private_ws(venue_config, sessions, handlers, **options)

    composite = venue_kit.private_composite(
        venue_config, private_rest, ws_factory, public_rest.get_exchange_info, lookup_attempts=3, lookup_delay_s=0.02
    )
    yield composite
    await composite.close()
