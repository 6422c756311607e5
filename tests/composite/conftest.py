"""Composites wired to the simulator through the real REST and WebSocket clients."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from app.config import ExchangeConfig
from app.domain.handlers import PrivateWebsocketHandlers, PublicWebsocketHandlers
from app.exchanges.gateio.spot.composite_private import GateioCompositePrivateSpotExchange
from app.exchanges.gateio.spot.composite_public import GateioCompositePublicSpotExchange
from app.exchanges.gateio.spot.rest_private import GateioPrivateSpotRest
from app.exchanges.gateio.spot.rest_public import GateioPublicSpotRest
from app.exchanges.gateio.spot.ws_private import GateioPrivateSpotWebsocket
from app.exchanges.gateio.spot.ws_public import GateioPublicSpotWebsocket
from app.transport.session import HttpSessionManager


@pytest.fixture
def fast_config(gateio_config: ExchangeConfig) -> ExchangeConfig:
    """Short timeouts and reconnect delays so fault tests stay fast."""
    return gateio_config.model_copy(
        update={"request_timeout_s": 2.0, "ws_reconnect_max_delay_s": 0.2, "book_depth": 50, "max_retries": 0}
    )


@pytest.fixture
async def sessions() -> AsyncIterator[HttpSessionManager]:
    manager = HttpSessionManager()
    yield manager
    await manager.close()


@pytest.fixture
async def public_rest(fast_config: ExchangeConfig, sessions: HttpSessionManager) -> AsyncIterator[GateioPublicSpotRest]:
    rest = GateioPublicSpotRest(fast_config.public_view(), sessions)
    yield rest
    await rest.close()


@pytest.fixture
async def private_rest(
    fast_config: ExchangeConfig, sessions: HttpSessionManager
) -> AsyncIterator[GateioPrivateSpotRest]:
    rest = GateioPrivateSpotRest(fast_config, sessions)
    yield rest
    await rest.close()


@pytest.fixture
async def public(
    fast_config: ExchangeConfig, sessions: HttpSessionManager, public_rest: GateioPublicSpotRest
) -> AsyncIterator[GateioCompositePublicSpotExchange]:
    config = fast_config.public_view()

    def ws_factory(*, handlers: PublicWebsocketHandlers) -> GateioPublicSpotWebsocket:
        return GateioPublicSpotWebsocket(config, sessions, handlers)

    composite = GateioCompositePublicSpotExchange(
        config, public_rest, ws_factory, resync_backoff_s=0.02, resync_backoff_max_s=0.2
    )
    yield composite
    await composite.close()


@pytest.fixture
async def private(
    fast_config: ExchangeConfig,
    sessions: HttpSessionManager,
    public_rest: GateioPublicSpotRest,
    private_rest: GateioPrivateSpotRest,
) -> AsyncIterator[GateioCompositePrivateSpotExchange]:
    def ws_factory(*, handlers: PrivateWebsocketHandlers) -> GateioPrivateSpotWebsocket:
        return GateioPrivateSpotWebsocket(fast_config, sessions, handlers)

    composite = GateioCompositePrivateSpotExchange(
        fast_config,
        private_rest,
        ws_factory,
        public_rest.get_exchange_info,
        lookup_attempts=3,
        lookup_delay_s=0.02,
    )
    yield composite
    await composite.close()
