"""rest_backend = "lean" through the real venue REST clients against the simulator over loopback: public and
signed calls (header-signed Gate, query-signed MEXC), venue error answers, 429s with the rate-limit headers,
all over one kept-alive connection per venue and no aiohttp session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from app.config import ExchangeConfig
from app.domain import ExchangeEnum, OrderStatus, OrderType, Side, Symbol, TimeInForce
from app.errors import OrderNotFoundError, RateLimitError
from app.exchanges.gateio.futures.rest_private import GateioPrivateFuturesRest
from app.exchanges.gateio.futures.rest_public import GateioPublicFuturesRest
from app.exchanges.gateio.spot.rest_private import GateioPrivateSpotRest
from app.exchanges.gateio.spot.rest_public import GateioPublicSpotRest
from app.exchanges.mexc.spot.rest_private import MexcPrivateSpotRest
from app.exchanges.mexc.spot.rest_public import MexcPublicSpotRest
from app.simulator import ExchangeSimulator
from app.transport.session import HttpSessionManager

BTC = Symbol("BTC", "USDT")
GTC = TimeInForce.GTC


@pytest.fixture
async def sessions() -> AsyncIterator[HttpSessionManager]:
    manager = HttpSessionManager(connect_timeout_s=2.0)
    yield manager
    client = manager.lean
    await manager.close()
    assert manager.closed and client.closed and client.open_connections == 0


def lean(simulator: ExchangeSimulator, exchange: ExchangeEnum) -> ExchangeConfig:
    config = simulator.exchange_config(exchange)
    return config.model_copy(update={"rest_backend": "lean", "request_timeout_s": 3.0, "max_retries": 0})


def only_lean_was_used(sessions: HttpSessionManager, connections: int = 1) -> None:
    assert sessions.lean.connections_opened == connections
    assert sessions._session is None  # the aiohttp session was never created


async def test_gateio_spot_public_signed_errors_and_429(
    simulator: ExchangeSimulator, sessions: HttpSessionManager
) -> None:
    config = lean(simulator, ExchangeEnum.GATEIO)
    public = GateioPublicSpotRest(config.public_view(), sessions)
    private = GateioPrivateSpotRest(config, sessions)
    infos = await public.get_exchange_info()
    private.set_symbol_info(infos)
    book = await public.get_orderbook(BTC, 5)
    assert book.sequence > 0 and book.best_bid is not None
    assert (await private.get_balance())["USDT"].free > 0
    price = (book.best_bid.price * Decimal("0.8")).quantize(infos[BTC].tick_size)
    placed = await private.create_order(BTC, Side.BUY, Decimal("0.001"), price, OrderType.LIMIT, GTC, "t-lean1")
    assert placed.status is OrderStatus.NEW and placed.client_order_id == "t-lean1"
    assert [o.order_id for o in await private.get_open_orders(BTC)] == [placed.order_id]
    assert (await private.cancel_order(BTC, placed.order_id)).status is OrderStatus.CANCELLED
    with pytest.raises(OrderNotFoundError):
        await private.get_order(BTC, "t-neverplaced")
    simulator.gateio.rate_limits.set_limit("GET /spot/time", 1, 10.0)
    await public.get_server_time()
    with pytest.raises(RateLimitError) as limited:
        await public.get_server_time()
    assert limited.value.status == 429 and limited.value.retry_after is not None  # from the reset header
    only_lean_was_used(sessions)
    await private.close()
    await public.close()


async def test_gateio_futures_public_signed_and_errors(
    simulator: ExchangeSimulator, sessions: HttpSessionManager
) -> None:
    config = lean(simulator, ExchangeEnum.GATEIO_FUTURES)
    public = GateioPublicFuturesRest(config.public_view(), sessions)
    private = GateioPrivateFuturesRest(config, sessions)
    contracts = await public.get_contracts()
    assert BTC in contracts
    book = await public.get_orderbook(BTC, 5)
    assert book.best_bid is not None
    assert (await private.get_account()).total > 0
    price = (book.best_bid.price * Decimal("0.9")).quantize(Decimal("0.1"))
    order = await private.create_order(BTC, Side.BUY, Decimal("0.001"), price, OrderType.LIMIT, GTC, "t-leanf")
    assert [o.order_id for o in await private.cancel_all_orders(BTC)] == [order.order_id]
    (position,) = await private.set_leverage(BTC, 3)  # POST with a query string and an empty body, signed
    assert position.leverage == 3
    with pytest.raises(OrderNotFoundError):
        await private.get_order(BTC, "t-neverplaced")
    only_lean_was_used(sessions)
    await private.close()
    await public.close()


async def test_mexc_query_signed_calls_and_429_with_retry_after(
    simulator: ExchangeSimulator, sessions: HttpSessionManager
) -> None:
    config = lean(simulator, ExchangeEnum.MEXC)
    public = MexcPublicSpotRest(config.public_view(), sessions)
    private = MexcPrivateSpotRest(config, sessions)
    await public.ping()
    infos = await public.get_exchange_info()
    book = await public.get_orderbook(BTC, 5)
    assert book.best_bid is not None
    assert (await private.get_balance())["USDT"].free > 0
    price = (book.best_bid.price * Decimal("0.9")).quantize(infos[BTC].tick_size)
    placed = await private.create_order(BTC, Side.BUY, Decimal("0.001"), price, OrderType.LIMIT, GTC, "lean-m1")
    assert (await private.get_order(BTC, placed.order_id)).status is OrderStatus.NEW
    await private.cancel_order(BTC, placed.order_id)
    with pytest.raises(OrderNotFoundError):
        await private.cancel_order(BTC, placed.order_id)
    simulator.mexc.rate_limits.set_limit("GET /api/v3/time", 1, 10.0)
    await public.get_server_time()
    with pytest.raises(RateLimitError) as limited:
        await public.get_server_time()
    assert limited.value.status == 429 and limited.value.retry_after is not None and limited.value.retry_after >= 1
    only_lean_was_used(sessions)
    await private.close()
    await public.close()
