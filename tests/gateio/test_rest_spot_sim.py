"""Gate.io spot REST clients against the embedded simulator over loopback (real signing, real HTTP)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from pydantic import SecretStr

from app.config import ExchangeConfig, ExchangeCredentials
from app.domain import ExchangeEnum, OrderStatus, OrderType, Side, Symbol, TimeInForce
from app.errors import (
    AuthenticationError,
    CredentialsRequiredError,
    InsufficientBalanceError,
    InvalidClientOrderIdError,
    InvalidOrderError,
    InvalidOrderParamsError,
    InvalidPriceError,
    OrderNotFoundError,
)
from app.exchanges.gateio.client_order_id import new_client_order_id
from app.exchanges.gateio.spot.rest_private import GateioPrivateSpotRest
from app.exchanges.gateio.spot.rest_public import GateioPublicSpotRest
from app.simulator import ExchangeSimulator
from app.transport.session import HttpSessionManager

BTC = Symbol("BTC", "USDT")
ETH = Symbol("ETH", "USDT")


@pytest.fixture
async def sessions() -> AsyncIterator[HttpSessionManager]:
    manager = HttpSessionManager(connect_timeout_s=2.0)
    yield manager
    await manager.close()


@pytest.fixture
async def public(gateio_config: ExchangeConfig, sessions: HttpSessionManager) -> AsyncIterator[GateioPublicSpotRest]:
    client = GateioPublicSpotRest(gateio_config, sessions)
    yield client
    await client.close()


@pytest.fixture
async def private(
    gateio_config: ExchangeConfig, sessions: HttpSessionManager, public: GateioPublicSpotRest
) -> AsyncIterator[GateioPrivateSpotRest]:
    client = GateioPrivateSpotRest(gateio_config, sessions)
    client.set_symbol_info(await public.get_exchange_info())
    yield client
    await client.close()


async def far_bid(public: GateioPublicSpotRest, symbol: Symbol = BTC) -> Decimal:
    book = await public.get_orderbook(symbol, 5)
    assert book.best_bid is not None
    return (book.best_bid.price * Decimal("0.8")).quantize(Decimal("0.1"))


# --- public --------------------------------------------------------------------------------------
async def test_exchange_info_lists_the_pairs_with_rules(public: GateioPublicSpotRest) -> None:
    infos = await public.get_exchange_info()
    btc = infos[BTC]
    assert btc.native == "BTC_USDT"
    assert btc.tick_size == Decimal("0.1") and btc.lot_size == Decimal("0.000001")
    assert btc.min_quantity > 0 and btc.min_notional > 0
    assert btc.is_tradable
    assert ETH in infos


async def test_orderbook_snapshot_has_sequence_and_sorted_sides(public: GateioPublicSpotRest) -> None:
    book = await public.get_orderbook(BTC, 20)
    assert book.sequence > 0
    assert 0 < len(book.bids) <= 20 and 0 < len(book.asks) <= 20
    assert [lvl.price for lvl in book.bids] == sorted((lvl.price for lvl in book.bids), reverse=True)
    assert [lvl.price for lvl in book.asks] == sorted(lvl.price for lvl in book.asks)
    assert book.best_bid is not None and book.best_ask is not None
    assert book.best_bid.price < book.best_ask.price


async def test_ticker_and_server_time(public: GateioPublicSpotRest) -> None:
    ticker = await public.get_ticker(BTC)
    assert ticker.symbol == BTC
    assert 0 < ticker.bid_price < ticker.ask_price
    assert ticker.bid_quantity > 0 and ticker.ask_quantity > 0
    server_ms = await public.get_server_time()
    assert abs(server_ms - time.time() * 1000) < 5_000


async def test_public_trades_after_a_taker_order(public: GateioPublicSpotRest, private: GateioPrivateSpotRest) -> None:
    ask = (await public.get_ticker(BTC)).ask_price
    await private.create_order(
        BTC, Side.BUY, Decimal("0.001"), ask, OrderType.MARKET, TimeInForce.IOC, new_client_order_id()
    )
    trades = await public.get_trades(BTC, 10)
    assert 0 < len(trades) <= 10
    assert all(t.symbol == BTC and t.price > 0 and t.quantity > 0 for t in trades)
    assert trades[0].timestamp_ms >= trades[-1].timestamp_ms


# --- private: construction and validation ---------------------------------------------------------
def test_private_client_needs_credentials(sessions: HttpSessionManager) -> None:
    config = ExchangeConfig(
        name=ExchangeEnum.GATEIO, rest_url="http://127.0.0.1:1/api/v4", ws_url="ws://127.0.0.1:1/ws/v4/"
    )
    with pytest.raises(CredentialsRequiredError):
        GateioPrivateSpotRest(config, sessions)


async def test_invalid_parameters_fail_before_any_request(private: GateioPrivateSpotRest) -> None:
    before = private.transport.requests
    with pytest.raises(InvalidClientOrderIdError):
        await private.create_order(BTC, Side.BUY, Decimal(1), Decimal(1), OrderType.LIMIT, TimeInForce.GTC, "abc")
    with pytest.raises(InvalidClientOrderIdError):
        await private.create_order(
            BTC, Side.BUY, Decimal(1), Decimal(1), OrderType.LIMIT, TimeInForce.GTC, "t-" + "x" * 29
        )
    with pytest.raises(InvalidPriceError):
        await private.create_order(BTC, Side.BUY, Decimal(1), None, OrderType.LIMIT, TimeInForce.GTC, "t-a")
    with pytest.raises(InvalidOrderParamsError):
        await private.create_order(BTC, Side.BUY, Decimal(1), None, OrderType.MARKET, TimeInForce.IOC, "t-a")
    with pytest.raises(InvalidOrderParamsError):
        await private.create_order(BTC, Side.SELL, Decimal(1), None, OrderType.MARKET, TimeInForce.POST_ONLY, "t-a")
    assert private.transport.requests == before


# --- private: order lifecycle ----------------------------------------------------------------------
async def test_limit_order_lifecycle_by_id_and_client_id(
    public: GateioPublicSpotRest, private: GateioPrivateSpotRest
) -> None:
    price = await far_bid(public)
    client_id = new_client_order_id("life")
    order = await private.create_order(
        BTC, Side.BUY, Decimal("0.001"), price, OrderType.LIMIT, TimeInForce.GTC, client_id
    )
    assert order.status is OrderStatus.NEW
    assert order.client_order_id == client_id and order.price == price and order.quantity == Decimal("0.001")

    assert (await private.get_order(BTC, order.order_id)).order_id == order.order_id
    assert (await private.get_order(BTC, client_id)).order_id == order.order_id
    assert order.order_id in {o.order_id for o in await private.get_open_orders(BTC)}
    assert order.order_id in {o.order_id for o in await private.get_open_orders()}

    cancelled = await private.cancel_order(BTC, client_id)
    assert cancelled.status is OrderStatus.CANCELLED and cancelled.order_id == order.order_id
    assert (await private.get_order(BTC, order.order_id)).status is OrderStatus.CANCELLED
    assert order.order_id not in {o.order_id for o in await private.get_open_orders(BTC)}
    with pytest.raises(OrderNotFoundError):
        await private.cancel_order(BTC, order.order_id)


async def test_cancel_all_orders(public: GateioPublicSpotRest, private: GateioPrivateSpotRest) -> None:
    price = await far_bid(public)
    ids = set()
    for _ in range(3):
        placed = await private.create_order(
            BTC, Side.BUY, Decimal("0.001"), price, OrderType.LIMIT, TimeInForce.GTC, new_client_order_id()
        )
        ids.add(placed.order_id)
    cancelled = await private.cancel_all_orders(BTC)
    assert ids <= {o.order_id for o in cancelled}
    assert all(o.status is OrderStatus.CANCELLED for o in cancelled)
    assert await private.get_open_orders(BTC) == []
    assert await private.cancel_all_orders() == []


async def test_market_buy_and_sell_fill_and_show_in_my_trades(
    public: GateioPublicSpotRest, private: GateioPrivateSpotRest
) -> None:
    before = await private.get_balance()
    ask = (await public.get_ticker(BTC)).ask_price
    bought = await private.create_order(
        BTC, Side.BUY, Decimal("0.002"), ask, OrderType.MARKET, TimeInForce.GTC, new_client_order_id("mb")
    )
    assert bought.status is OrderStatus.FILLED
    assert bought.order_type is OrderType.MARKET and bought.time_in_force is TimeInForce.IOC
    assert Decimal("0.0015") < bought.filled_quantity <= Decimal("0.0021")
    sold = await private.create_order(
        BTC, Side.SELL, Decimal("0.001"), None, OrderType.MARKET, TimeInForce.IOC, new_client_order_id("ms")
    )
    assert sold.status is OrderStatus.FILLED and sold.filled_quantity == Decimal("0.001")

    after = await private.get_balance()
    assert after["BTC"].total > before["BTC"].total
    assert after["USDT"].total < before["USDT"].total
    fills = await private.get_my_trades(BTC, 50)
    assert {bought.order_id, sold.order_id} <= {f.order_id for f in fills}
    mine = [f for f in fills if f.order_id == sold.order_id]
    assert sum(f.quantity for f in mine) == Decimal("0.001")
    assert all(f.side is Side.SELL and not f.is_maker for f in mine)


async def test_venue_refusals_map_to_typed_errors(public: GateioPublicSpotRest, private: GateioPrivateSpotRest) -> None:
    ask = (await public.get_ticker(BTC)).ask_price
    with pytest.raises(InvalidOrderError) as poc:
        await private.create_order(
            BTC, Side.BUY, Decimal("0.001"), ask, OrderType.LIMIT, TimeInForce.POST_ONLY, new_client_order_id()
        )
    assert poc.value.code == "POC_FILL_IMMEDIATELY"
    with pytest.raises(InsufficientBalanceError):
        await private.create_order(
            BTC, Side.BUY, Decimal("1000"), ask, OrderType.LIMIT, TimeInForce.GTC, new_client_order_id()
        )
    with pytest.raises(InvalidOrderError):  # below min_base_amount
        await private.create_order(
            BTC, Side.BUY, Decimal("0.000001"), ask, OrderType.LIMIT, TimeInForce.GTC, new_client_order_id()
        )
    with pytest.raises(OrderNotFoundError):
        await private.get_order(BTC, "999999999999")


async def test_balances(private: GateioPrivateSpotRest) -> None:
    balances = await private.get_balance()
    assert balances["USDT"].free > 0 and balances["BTC"].free > 0
    assert balances["USDT"].asset == "USDT"


# --- private: signing and time sync ----------------------------------------------------------------
async def test_wrong_secret_is_an_authentication_error(
    gateio_config: ExchangeConfig, sessions: HttpSessionManager
) -> None:
    creds = gateio_config.credentials
    bad = gateio_config.model_copy(
        update={"credentials": ExchangeCredentials(api_key=creds.api_key, api_secret=SecretStr("0" * 64))}
    )
    client = GateioPrivateSpotRest(bad, sessions)
    with pytest.raises(AuthenticationError) as caught:
        await client.get_balance()
    assert caught.value.code == "INVALID_SIGNATURE"
    assert "0" * 64 not in str(caught.value)
    await client.close()


async def test_a_skewed_server_clock_is_resynced_and_the_request_resent_once(
    simulator: ExchangeSimulator, private: GateioPrivateSpotRest
) -> None:
    simulator.gateio.clock.offset_s = 300.0  # REQUEST_EXPIRED: the client resyncs from /spot/time, resends
    assert "USDT" in await private.get_balance()
    assert private.clock.offset_ms == pytest.approx(300_000, abs=2_000)
    assert private.transport.clock_resyncs == 1
    simulator.gateio.clock.offset_s = -300.0  # a write too: the refused request was not processed
    order = await private.create_order(
        BTC, Side.BUY, Decimal("0.001"), Decimal(30000), OrderType.LIMIT, TimeInForce.GTC, "t-skew1"
    )
    assert private.transport.clock_resyncs == 2
    assert [o.order_id for o in simulator.gateio.orders.values() if o.client_order_id == "t-skew1"] == [order.order_id]
