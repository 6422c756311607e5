"""Gate.io futures clients and composites wired to a simulator running the futures venue, over loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

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
from app.simulator import ExchangeSimulator
from app.simulator.gateio_futures.venue import GateioFuturesVenue
from app.transport.session import HttpSessionManager


@pytest.fixture
async def futures_sim() -> AsyncIterator[ExchangeSimulator]:
    async with ExchangeSimulator(venues=("gateio_futures",), tick_interval_s=0.02) as sim:
        yield sim


@pytest.fixture
def venue(futures_sim: ExchangeSimulator) -> GateioFuturesVenue:
    return futures_sim.gateio_futures


@pytest.fixture
def futures_config(futures_sim: ExchangeSimulator) -> ExchangeConfig:
    config = futures_sim.exchange_config(ExchangeEnum.GATEIO_FUTURES)
    return config.model_copy(
        update={"request_timeout_s": 2.0, "ws_reconnect_max_delay_s": 0.2, "book_depth": 50, "max_retries": 0}
    )


@pytest.fixture
async def sessions() -> AsyncIterator[HttpSessionManager]:
    manager = HttpSessionManager()
    yield manager
    await manager.close()


@pytest.fixture
async def public_rest(
    futures_config: ExchangeConfig, sessions: HttpSessionManager
) -> AsyncIterator[GateioPublicFuturesRest]:
    rest = GateioPublicFuturesRest(futures_config.public_view(), sessions)
    yield rest
    await rest.close()


@pytest.fixture
async def private_rest(
    futures_config: ExchangeConfig, sessions: HttpSessionManager
) -> AsyncIterator[GateioPrivateFuturesRest]:
    rest = GateioPrivateFuturesRest(futures_config, sessions)
    yield rest
    await rest.close()


@pytest.fixture
async def public(
    futures_config: ExchangeConfig, sessions: HttpSessionManager, public_rest: GateioPublicFuturesRest
) -> AsyncIterator[GateioFuturesCompositePublicExchange]:
    config = futures_config.public_view()

    def ws_factory(*, handlers: PublicWebsocketHandlers) -> GateioPublicFuturesWebsocket:
        return GateioPublicFuturesWebsocket(config, sessions, handlers)

    composite = GateioFuturesCompositePublicExchange(
        config, public_rest, ws_factory, resync_backoff_s=0.02, resync_backoff_max_s=0.2
    )
    yield composite
    await composite.close()


@pytest.fixture
async def private(
    futures_config: ExchangeConfig,
    sessions: HttpSessionManager,
    public_rest: GateioPublicFuturesRest,
    private_rest: GateioPrivateFuturesRest,
) -> AsyncIterator[GateioFuturesCompositePrivateExchange]:
    def ws_factory(*, handlers: PrivateWebsocketHandlers) -> GateioPrivateFuturesWebsocket:
        return GateioPrivateFuturesWebsocket(futures_config, sessions, handlers)

    composite = GateioFuturesCompositePrivateExchange(
        futures_config, private_rest, ws_factory, public_rest.get_exchange_info, lookup_attempts=3, lookup_delay_s=0.02
    )
    yield composite
    await composite.close()
