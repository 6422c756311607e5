"""MEXC REST clients against the simulator over loopback: market data, orders, account, errors, clock."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import SecretStr
from pytest_mock import MockerFixture

from app.config import ExchangeConfig
from app.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from app.errors import (
    AuthenticationError,
    CredentialsRequiredError,
    InsufficientBalanceError,
    InvalidClientOrderIdError,
    InvalidOrderError,
    InvalidOrderParamsError,
    InvalidPriceError,
    OrderNotFoundError,
    RateLimitError,
)
from app.exchanges.mexc.spot.rest_private import MexcPrivateSpotRest
from app.exchanges.mexc.spot.rest_public import MexcPublicSpotRest
from app.simulator.mexc.venue import MexcSpotVenue
from app.transport.session import HttpSessionManager
from tests.mexc.conftest import BTC, ETH

GTC, IOC, FOK, POST = TimeInForce.GTC, TimeInForce.IOC, TimeInForce.FOK, TimeInForce.POST_ONLY


async def test_public_endpoints(public_rest: MexcPublicSpotRest, venue: MexcSpotVenue) -> None:
    await public_rest.ping()
    assert abs(await public_rest.get_server_time() - venue.clock.now_ms()) < 1000
    infos = await public_rest.get_exchange_info()
    assert {str(s) for s in infos} >= {"BTC/USDT", "ETH/USDT", "MX/USDT"}
    assert infos[BTC].native == "BTCUSDT" and infos[BTC].tick_size == Decimal("0.01")
    venue.market.pause()
    book = await public_rest.get_orderbook(BTC, 5)
    bids, asks = venue.depth("BTCUSDT", 5)
    assert book.sequence == venue.engines["BTCUSDT"].sequence
    assert [(lvl.price, lvl.quantity) for lvl in book.bids] == bids and [
        (lvl.price, lvl.quantity) for lvl in book.asks
    ] == asks
    ticker = await public_rest.get_ticker(BTC)
    assert (ticker.bid_price, ticker.ask_price) == (bids[0][0], asks[0][0])
    assert await public_rest.get_price(BTC) > 0
    assert (await public_rest.get_24hr_ticker(BTC)).symbol == "BTCUSDT"
    assert {t.symbol for t in await public_rest.get_book_tickers()} >= {BTC, ETH}
    venue.market.resume()
    venue.market.step(30)
    trades = await public_rest.get_trades(BTC, 10)
    assert trades and all(t.symbol == BTC and t.trade_id for t in trades)


async def test_order_lifecycle_limit_query_cancel(private_rest: MexcPrivateSpotRest, venue: MexcSpotVenue) -> None:
    venue.market.pause()
    best_bid = venue.depth("BTCUSDT", 1)[0][0][0]
    price = (best_bid * Decimal("0.9")).quantize(Decimal("0.01"))
    placed = await private_rest.create_order(BTC, Side.BUY, Decimal("0.001"), price, OrderType.LIMIT, GTC, "life-1")
    assert placed.status is OrderStatus.NEW and placed.client_order_id == "life-1" and placed.price == price
    assert venue.balance("USDT").locked == price * Decimal("0.001")
    by_id = await private_rest.get_order(BTC, placed.order_id)
    by_client = await private_rest.get_order_by_client_id(BTC, "life-1")
    assert by_id == by_client and by_id.status is OrderStatus.NEW
    assert [o.order_id for o in await private_rest.get_open_orders(BTC)] == [placed.order_id]
    assert [o.order_id for o in await private_rest.get_open_orders()] == [placed.order_id]
    cancelled = await private_rest.cancel_order(BTC, placed.order_id)
    assert cancelled.status is OrderStatus.CANCELLED  # the venue's answer says NEW (prior state)
    assert (await private_rest.get_order(BTC, placed.order_id)).status is OrderStatus.CANCELLED
    with pytest.raises(OrderNotFoundError):
        await private_rest.cancel_order(BTC, placed.order_id)
    with pytest.raises(OrderNotFoundError):
        await private_rest.get_order_by_client_id(BTC, "never-sent")


async def test_order_types_map_to_mexc_types(private_rest: MexcPrivateSpotRest, venue: MexcSpotVenue) -> None:
    venue.market.pause()
    (bid, _), (ask, _) = venue.depth("BTCUSDT", 1)[0][0], venue.depth("BTCUSDT", 1)[1][0]
    qty = Decimal("0.001")
    market = await private_rest.create_order(BTC, Side.BUY, qty, None, OrderType.MARKET, IOC, "mkt-1")
    assert (await private_rest.get_order(BTC, market.order_id)).status is OrderStatus.FILLED
    assert venue.orders[market.order_id].extra["type"] == "MARKET"
    ioc = await private_rest.create_order(BTC, Side.SELL, qty, bid, OrderType.LIMIT, IOC, "ioc-1")
    assert venue.orders[ioc.order_id].extra["type"] == "IMMEDIATE_OR_CANCEL"
    fok = await private_rest.create_order(BTC, Side.BUY, Decimal(5), ask, OrderType.LIMIT, FOK, "fok-1")
    killed = await private_rest.get_order(BTC, fok.order_id)
    assert killed.status is OrderStatus.CANCELLED and killed.filled_quantity == 0
    maker = await private_rest.create_order(BTC, Side.BUY, qty, bid - 1, OrderType.LIMIT, POST, "pm-1")
    assert venue.orders[maker.order_id].extra["type"] == "LIMIT_MAKER"
    with pytest.raises(InvalidOrderError):  # a post-only order that would take
        await private_rest.create_order(BTC, Side.BUY, qty, ask, OrderType.LIMIT, POST, "pm-2")
    cancelled = await private_rest.cancel_all_orders(BTC)
    assert [o.order_id for o in cancelled] == [maker.order_id] and cancelled[0].status is OrderStatus.CANCELLED
    fills = await private_rest.get_my_trades(BTC, 100)
    assert {f.order_id for f in fills} >= {market.order_id, ioc.order_id}


async def test_cancel_all_without_symbol_groups_by_symbol(
    private_rest: MexcPrivateSpotRest, venue: MexcSpotVenue
) -> None:
    venue.market.pause()
    for symbol, native in ((BTC, "BTCUSDT"), (ETH, "ETHUSDT")):
        price = (venue.depth(native, 1)[0][0][0] * Decimal("0.8")).quantize(Decimal("0.01"))
        await private_rest.create_order(symbol, Side.BUY, Decimal("0.01"), price, OrderType.LIMIT, GTC, f"all-{native}")
    cancelled = await private_rest.cancel_all_orders(None)
    assert {o.symbol for o in cancelled} == {BTC, ETH} and not await private_rest.get_open_orders()


async def test_balances_and_insufficient_balance(private_rest: MexcPrivateSpotRest, venue: MexcSpotVenue) -> None:
    balances = await private_rest.get_balance()
    assert balances["USDT"].free == venue.balance("USDT").free and balances["BTC"].total == Decimal(10)
    with pytest.raises(InsufficientBalanceError) as info:
        await private_rest.create_order(BTC, Side.SELL, Decimal(1000), Decimal(70000), OrderType.LIMIT, GTC, "big")
    assert info.value.code == 30004


async def test_bad_input_is_refused_before_any_request(
    private_rest: MexcPrivateSpotRest, mocker: MockerFixture
) -> None:
    request = mocker.spy(private_rest.transport, "request")
    with pytest.raises(InvalidClientOrderIdError):
        await private_rest.create_order(BTC, Side.BUY, Decimal(1), Decimal(1), OrderType.LIMIT, GTC, "bad id!")
    with pytest.raises(InvalidPriceError):
        await private_rest.create_order(BTC, Side.BUY, Decimal(1), None, OrderType.LIMIT, GTC, "ok")
    with pytest.raises(InvalidOrderParamsError):
        await private_rest.create_order(BTC, Side.BUY, Decimal(1), None, OrderType.MARKET, FOK, "ok")
    assert request.call_count == 0


async def test_venue_refusals_map_to_typed_errors(private_rest: MexcPrivateSpotRest) -> None:
    with pytest.raises(InvalidOrderError) as info:  # decimals beyond quoteAssetPrecision
        await private_rest.create_order(BTC, Side.BUY, Decimal("0.001"), Decimal("100.001"), OrderType.LIMIT, GTC, "p")
    assert info.value.code == 10096
    with pytest.raises(InvalidOrderError) as info:  # below quoteAmountPrecision (min notional)
        await private_rest.create_order(BTC, Side.BUY, Decimal("0.00001"), Decimal(100), OrderType.LIMIT, GTC, "n")
    assert info.value.code == 30002


async def test_wrong_secret_is_an_authentication_error(
    venue_config: ExchangeConfig, sessions: HttpSessionManager
) -> None:
    bad = venue_config.model_copy(
        update={"credentials": venue_config.credentials.model_copy(update={"api_secret": SecretStr("0" * 32)})}
    )
    rest = MexcPrivateSpotRest(bad, sessions)
    with pytest.raises(AuthenticationError) as info:
        await rest.get_balance()
    assert info.value.code == 700002 and "0" * 32 not in str(info.value)
    await rest.close()
    with pytest.raises(CredentialsRequiredError):
        MexcPrivateSpotRest(venue_config.public_view(), sessions)


async def test_skewed_clock_resyncs_and_resends_once(private_rest: MexcPrivateSpotRest, venue: MexcSpotVenue) -> None:
    venue.clock.offset_s = 30.0  # the server is 30 s ahead: every timestamp is outside recvWindow
    assert "USDT" in await private_rest.get_balance()
    assert private_rest.time_resyncs == 1 and 29_000 < private_rest.clock.offset_ms < 31_000
    # now 60 s behind what the client believes: the refused write was not processed, so it is resent once
    venue.clock.offset_s = -30.0
    placed = await private_rest.create_order(BTC, Side.BUY, Decimal("0.001"), Decimal(1000), OrderType.LIMIT, GTC, "ts")
    assert placed.status is OrderStatus.NEW and private_rest.time_resyncs == 2
    assert [o.client_order_id for o in venue.user_orders(venue.user)] == ["ts"]  # exactly one order


async def test_rate_limit_is_a_typed_error_with_retry_after(
    public_rest: MexcPublicSpotRest, venue: MexcSpotVenue
) -> None:
    venue.rate_limits.set_limit("GET /api/v3/time", 1, 10.0)
    await public_rest.get_server_time()
    with pytest.raises(RateLimitError) as info:
        await public_rest.get_server_time()
    assert info.value.status == 429 and info.value.retry_after is not None and info.value.retry_after >= 1


async def test_listen_key_rest_lifecycle(private_rest: MexcPrivateSpotRest, venue: MexcSpotVenue) -> None:
    key = await private_rest.create_listen_key()
    assert key in await private_rest.get_listen_keys()
    before = venue.listen_keys[key].expires_at
    venue.clock.offset_s = 5.0
    await private_rest.keepalive_listen_key(key)
    assert venue.listen_keys[key].expires_at > before
    await private_rest.delete_listen_key(key)
    assert key not in venue.listen_keys
    with pytest.raises(InvalidOrderError):
        await private_rest.keepalive_listen_key(key)
