"""Gate.io spot WebSocket clients against the embedded simulator, over both WebSocket backends."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import pytest
from pydantic import SecretStr

from app.config import ExchangeConfig, ExchangeCredentials
from app.domain import Balance, BookTicker, Execution, Order, OrderStatus, OrderType, Side, Symbol, TimeInForce, Trade
from app.domain.handlers import create_private_handlers, create_public_handlers
from app.domain.models import OrderBookDiff
from app.errors import AuthenticationError, CredentialsRequiredError, HandlerTypeError
from app.exchanges.gateio.client_order_id import new_client_order_id
from app.exchanges.gateio.spot.rest_private import GateioPrivateSpotRest
from app.exchanges.gateio.spot.rest_public import GateioPublicSpotRest
from app.exchanges.gateio.spot.ws_private import GateioPrivateSpotWebsocket
from app.exchanges.gateio.spot.ws_public import GateioPublicSpotWebsocket
from app.simulator import ExchangeSimulator
from app.transport.session import HttpSessionManager

BTC = Symbol("BTC", "USDT")
ETH = Symbol("ETH", "USDT")
BACKENDS = ["aiohttp", "websockets"]


@pytest.fixture
async def sessions() -> AsyncIterator[HttpSessionManager]:
    manager = HttpSessionManager(connect_timeout_s=2.0)
    yield manager
    await manager.close()


@pytest.fixture(params=BACKENDS)
def config(request: pytest.FixtureRequest, gateio_config: ExchangeConfig) -> ExchangeConfig:
    return gateio_config.model_copy(
        update={"ws_backend": request.param, "ws_reconnect_max_delay_s": 0.1, "request_timeout_s": 3.0}
    )


async def eventually(predicate: Callable[[], bool], within_s: float = 5.0) -> None:
    for _ in range(int(within_s / 0.01)):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached in time")


class PublicSink:
    def __init__(self) -> None:
        self.diffs: list[OrderBookDiff] = []
        self.trades: list[Trade] = []
        self.tickers: list[BookTicker] = []

    def handlers(self) -> Any:
        async def on_trade(trade: Trade) -> None:  # async handler: goes through the ordered worker
            await asyncio.sleep(0)
            self.trades.append(trade)

        return create_public_handlers(self.diffs.append, on_trade, self.tickers.append)


def assert_continuous(diffs: list[OrderBookDiff]) -> None:
    for previous, current in itertools.pairwise(diffs):
        assert current.first_update_id == previous.last_update_id + 1


async def market_buy(private: GateioPrivateSpotRest, public: GateioPublicSpotRest, qty: str = "0.001") -> Order:
    ask = (await public.get_ticker(BTC)).ask_price
    return await private.create_order(
        BTC, Side.BUY, Decimal(qty), ask, OrderType.MARKET, TimeInForce.IOC, new_client_order_id("ws")
    )


# --- public --------------------------------------------------------------------------------------
async def test_public_streams_deliver_domain_objects(config: ExchangeConfig, sessions: HttpSessionManager) -> None:
    sink = PublicSink()
    ws = GateioPublicSpotWebsocket(config, sessions, sink.handlers())
    public = GateioPublicSpotRest(config, sessions)
    private = GateioPrivateSpotRest(config, sessions)
    await ws.start()
    await ws.subscribe_orderbook([BTC])
    await ws.subscribe_trades([BTC])
    await ws.subscribe_book_ticker([BTC])
    await eventually(lambda: len(sink.diffs) >= 3 and len(sink.tickers) >= 1)
    await market_buy(private, public)
    await eventually(lambda: len(sink.trades) >= 1)

    assert all(d.symbol == BTC for d in sink.diffs)
    assert_continuous(sink.diffs)
    ticker = sink.tickers[-1]
    assert ticker.symbol == BTC and ticker.bid_price < ticker.ask_price and ticker.sequence is not None
    assert sink.trades[0].symbol == BTC and sink.trades[0].quantity > 0
    # a REST snapshot taken now belongs to the same id sequence as the stream
    snapshot = await public.get_orderbook(BTC, 100)
    await eventually(lambda: sink.diffs[-1].last_update_id > snapshot.sequence)
    bridging = next(d for d in sink.diffs if d.last_update_id > snapshot.sequence)
    assert bridging.first_update_id <= snapshot.sequence + 1  # the official sync rule holds
    await ws.close()
    await public.close()
    await private.close()


async def test_subscriptions_are_replayed_after_a_drop_then_listeners_run(
    config: ExchangeConfig, sessions: HttpSessionManager, simulator: ExchangeSimulator
) -> None:
    sink = PublicSink()
    ws = GateioPublicSpotWebsocket(config, sessions, sink.handlers())
    reconnects: list[int] = []

    async def on_reconnect() -> None:
        reconnects.append(len(sink.diffs))

    ws.add_reconnect_listener(on_reconnect)
    await ws.start()
    await ws.subscribe_orderbook([BTC, ETH])
    await ws.subscribe_book_ticker([BTC])
    await eventually(lambda: {d.symbol for d in sink.diffs} == {BTC, ETH})
    assert await simulator.gateio.faults.drop_ws_connections() == 1
    await eventually(lambda: ws.ws.reconnect_count == 1 and len(reconnects) == 1)
    count = len(sink.diffs)
    await eventually(lambda: {d.symbol for d in sink.diffs[count:]} == {BTC, ETH})
    assert ws.client.subscriptions == {
        "spot.order_book_update": [("BTC_USDT", "100ms"), ("ETH_USDT", "100ms")],
        "spot.book_ticker": [("BTC_USDT",)],
    }
    await ws.close()


async def test_unsubscribe_stops_the_channel(config: ExchangeConfig, sessions: HttpSessionManager) -> None:
    sink = PublicSink()
    ws = GateioPublicSpotWebsocket(config, sessions, sink.handlers())
    await ws.start()
    await ws.subscribe_orderbook([BTC])
    await eventually(lambda: len(sink.diffs) >= 1)
    await ws.unsubscribe("spot.order_book_update", [BTC])
    await asyncio.sleep(0.15)
    count = len(sink.diffs)
    await asyncio.sleep(0.3)
    assert len(sink.diffs) == count
    assert ws.client.subscriptions == {}
    await ws.close()


async def test_subscribe_before_start_goes_out_on_connect(config: ExchangeConfig, sessions: HttpSessionManager) -> None:
    sink = PublicSink()
    ws = GateioPublicSpotWebsocket(config, sessions, sink.handlers())
    await ws.subscribe_book_ticker([ETH])
    await ws.start()
    await eventually(lambda: any(t.symbol == ETH for t in sink.tickers))
    await ws.close()
    await ws.close()


# --- private -------------------------------------------------------------------------------------
async def test_private_streams_orders_fills_and_balances(config: ExchangeConfig, sessions: HttpSessionManager) -> None:
    orders: list[Order] = []
    fills: list[Execution] = []
    balances: list[Balance] = []
    ws = GateioPrivateSpotWebsocket(
        config, sessions, create_private_handlers(orders.append, balances.append, fills.append)
    )
    public = GateioPublicSpotRest(config, sessions)
    private = GateioPrivateSpotRest(config, sessions)
    await ws.start()
    await ws.subscribe_orders()
    await ws.subscribe_balances()
    await ws.subscribe_executions([BTC])

    book = await public.get_orderbook(BTC, 5)
    assert book.best_bid is not None
    resting = await private.create_order(
        BTC,
        Side.BUY,
        Decimal("0.001"),
        (book.best_bid.price * Decimal("0.8")).quantize(Decimal("0.1")),
        OrderType.LIMIT,
        TimeInForce.GTC,
        new_client_order_id("rest"),
    )
    await eventually(lambda: any(o.order_id == resting.order_id for o in orders))
    first = next(o for o in orders if o.order_id == resting.order_id)
    assert first.status is OrderStatus.NEW and first.client_order_id == resting.client_order_id
    await private.cancel_order(BTC, resting.order_id)
    await eventually(lambda: any(o.order_id == resting.order_id and o.status is OrderStatus.CANCELLED for o in orders))

    taker = await market_buy(private, public)
    await eventually(lambda: any(f.order_id == taker.order_id for f in fills))
    await eventually(lambda: any(o.order_id == taker.order_id and o.status is OrderStatus.FILLED for o in orders))
    mine = [f for f in fills if f.order_id == taker.order_id]
    assert all(f.side is Side.BUY and f.symbol == BTC and not f.is_maker for f in mine)
    await eventually(lambda: {"BTC", "USDT"} <= {b.asset for b in balances})
    assert all(b.free >= 0 for b in balances)
    await ws.close()
    await public.close()
    await private.close()


async def test_private_subscription_with_a_bad_secret_is_refused(
    config: ExchangeConfig, sessions: HttpSessionManager
) -> None:
    bad = config.model_copy(
        update={"credentials": ExchangeCredentials(api_key=config.credentials.api_key, api_secret=SecretStr("f" * 64))}
    )
    ws = GateioPrivateSpotWebsocket(bad, sessions, create_private_handlers(order_handler=lambda o: None))
    await ws.start()
    with pytest.raises(AuthenticationError):
        await ws.subscribe_orders()
    assert ws.client.subscriptions == {}
    await ws.close()


async def test_private_resubscribes_after_a_drop(
    config: ExchangeConfig, sessions: HttpSessionManager, simulator: ExchangeSimulator
) -> None:
    orders: list[Order] = []
    ws = GateioPrivateSpotWebsocket(config, sessions, create_private_handlers(order_handler=orders.append))
    public = GateioPublicSpotRest(config, sessions)
    private = GateioPrivateSpotRest(config, sessions)
    listener_calls: list[bool] = []
    ws.add_reconnect_listener(lambda: listener_calls.append(True))
    await ws.start()
    await ws.subscribe_orders([BTC])
    await simulator.gateio.faults.drop_ws_connections()
    await eventually(lambda: listener_calls == [True])
    taker = await market_buy(private, public)
    await eventually(lambda: any(o.order_id == taker.order_id for o in orders))
    await ws.close()
    await public.close()
    await private.close()


def test_wrong_handler_bundles_and_missing_credentials(gateio_config: ExchangeConfig) -> None:
    sessions = HttpSessionManager()
    with pytest.raises(HandlerTypeError):
        GateioPublicSpotWebsocket(gateio_config, sessions, create_private_handlers())  # type: ignore[arg-type]
    with pytest.raises(HandlerTypeError):
        GateioPrivateSpotWebsocket(gateio_config, sessions, create_public_handlers())  # type: ignore[arg-type]
    anonymous = gateio_config.model_copy(update={"credentials": ExchangeCredentials()})
    with pytest.raises(CredentialsRequiredError):
        GateioPrivateSpotWebsocket(anonymous, sessions, create_private_handlers())
