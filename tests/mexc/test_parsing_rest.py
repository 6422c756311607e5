"""MEXC REST payloads (real captures and doc samples from tests/fixtures/mexc) -> domain types; error mapping."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.enums import OrderStatus, OrderType, Side, TimeInForce, TradingStatus
from app.domain.symbol import Symbol
from app.errors import (
    AuthenticationError,
    ExchangeAPIError,
    ExchangeUnavailableError,
    InsufficientBalanceError,
    InvalidOrderError,
    OrderNotFoundError,
    RateLimitError,
)
from app.exchanges.mexc.errors import MexcTimestampError, map_mexc_error
from app.exchanges.mexc.spot import schemas
from tests.mexc.conftest import BTC, fixture_bytes


def test_exchange_info_2025_status_precision_and_minimums() -> None:
    [item] = schemas.exchange_info_decoder.decode(fixture_bytes("rest/exchange_info_2025.json")).symbols
    info = item.to_domain()
    assert info.symbol == Symbol("BROCK", "USDT") and info.native == "BROCKUSDT"
    assert info.tick_size == Decimal("0.00001") and info.lot_size == Decimal("0.01")
    assert info.min_quantity == Decimal("0.01")  # baseSizePrecision "0": the lot is the minimum
    assert info.min_notional == Decimal(1) and info.status is TradingStatus.TRADING
    assert info.maker_fee == info.taker_fee == Decimal("0.0005")


def test_exchange_info_2023_enabled_status_and_native_from_assets() -> None:
    [item] = schemas.exchange_info_decoder.decode(fixture_bytes("rest/exchange_info_2023.json")).symbols
    info = item.to_domain()
    assert info.status is TradingStatus.TRADING  # "ENABLED" before 2024-08-16
    assert info.symbol == BTC and info.tick_size == Decimal("0.01") and info.lot_size == Decimal("0.000001")
    assert info.min_quantity == Decimal("0.000001") and info.min_notional == Decimal(5)


@pytest.mark.parametrize(
    ("status", "side_type", "expected"),
    [("1", 1, TradingStatus.TRADING), ("2", 1, TradingStatus.HALTED), ("3", None, TradingStatus.HALTED),
     ("1", 2, TradingStatus.BUY_ONLY), ("1", "3", TradingStatus.SELL_ONLY), ("1", 4, TradingStatus.HALTED),
     ("BREAK", None, TradingStatus.HALTED)],
)  # fmt: skip
def test_exchange_info_status_values(status: str, side_type: int | str | None, expected: TradingStatus) -> None:
    item = schemas.ExchangeInfoSymbol("ABUSDT", "AB", "USDT", 2, status=status, tradeSideType=side_type)
    assert item.to_domain().status is expected


def test_the_native_id_comes_from_the_assets_not_from_slicing() -> None:
    """``BTCUSDC`` vs ``BTCUSD`` + ``C``: only baseAsset/quoteAsset can tell."""
    item = schemas.ExchangeInfoSymbol("USDCUSDT", "USDC", "USDT", 2)
    assert item.to_domain().symbol == Symbol("USDC", "USDT")


def test_depth_with_string_update_id() -> None:
    book = schemas.depth_decoder.decode(fixture_bytes("rest/depth.json")).to_domain(BTC, 1)
    assert book.sequence == 20453289489 and book.timestamp_ms == 1704908526228
    assert book.bids[0].price == Decimal("45995.47") and book.asks[0].quantity == Decimal("13.457322")


def test_trades_with_null_ids() -> None:
    trades = [t.to_domain(BTC) for t in schemas.trades_decoder.decode(fixture_bytes("rest/trades.json"))]
    assert [t.side for t in trades] == [Side.BUY, Side.SELL]  # isBuyerMaker -> the taker sold
    assert trades[0].trade_id == "1737623988881-3219.58-0.04757-buy" and trades[0].trade_id != trades[1].trade_id


def test_tickers() -> None:
    real = schemas.ticker_24hr_decoder.decode(fixture_bytes("rest/ticker_24hr.json"))
    assert real.closeTime == 1710328251172 and real.lastPrice == "73397.77"
    doc = schemas.ticker_24hr_decoder.decode(fixture_bytes("rest/ticker_24hr_doc.json")).to_domain(BTC, 5)
    assert doc.bid_quantity == 0 and doc.ask_price == Decimal("46260.41")  # "" quantities
    book = schemas.book_ticker_decoder.decode(fixture_bytes("rest/book_ticker.json")).to_domain(BTC, 5)
    assert (book.bid_price, book.ask_quantity, book.timestamp_ms) == (Decimal("0.11001"), Decimal("215.48"), 5)


def test_order_ack_has_no_status_so_it_is_new() -> None:
    ack = schemas.order_ack_decoder.decode(fixture_bytes("rest/order_ack.json"))
    order = ack.to_domain(Symbol("PLS", "USDT"), "cid-1")
    assert order.status is OrderStatus.NEW and order.filled_quantity == 0 and order.client_order_id == "cid-1"
    assert order.order_type is OrderType.MARKET and order.quantity == Decimal("599971.13")


def test_order_query_real_payload() -> None:
    order = schemas.order_decoder.decode(fixture_bytes("rest/order_query.json")).to_domain(Symbol("ZANO", "USDT"))
    assert order.status is OrderStatus.FILLED and order.side is Side.SELL and order.client_order_id == "11"
    assert order.average_price == Decimal("1.90751") / Decimal("0.11") and order.update_ms == 1757177392000
    [historic] = schemas.orders_decoder.decode(fixture_bytes("rest/all_orders.json"))
    assert historic.time == 1707671871000 and historic.clientOrderId is None


def test_cancel_answer_reports_the_prior_state_but_the_order_is_cancelled() -> None:
    thin = schemas.order_decoder.decode(fixture_bytes("rest/cancel_2022.json"))
    assert thin.status is None
    assert thin.to_domain(BTC, cancelled=True).status is OrderStatus.CANCELLED
    prior_new = schemas.OrderRest("BTCUSDT", "1", "BUY", "LIMIT_MAKER", status="NEW", executedQty=Decimal("0.1"))
    order = prior_new.to_domain(BTC, cancelled=True)
    assert order.status is OrderStatus.CANCELLED and order.filled_quantity == Decimal("0.1")
    assert order.time_in_force is TimeInForce.POST_ONLY


def test_account_and_my_trades() -> None:
    balances = schemas.account_decoder.decode(fixture_bytes("rest/account.json")).balances
    assert balances[0].to_domain().total == Decimal(1111111)
    [fill] = schemas.my_trades_decoder.decode(fixture_bytes("rest/my_trades_2025.json"))
    execution = fill.to_domain(Symbol("FUSD", "USDT"))
    assert execution.side is Side.BUY and not execution.is_maker and execution.fee == Decimal("0.0015")
    [old] = schemas.my_trades_decoder.decode(fixture_bytes("rest/my_trades_2024.json"))
    assert old.time == 1707671871000 and old.to_domain(Symbol("ATLAS", "USDT")).side is Side.SELL
    assert schemas.listen_key_decoder.decode(fixture_bytes("rest/listen_key.json")).listenKey.startswith("pqia91")


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (400, b'{"code":700003,"msg":"Timestamp for this request is outside of the recvWindow."}', MexcTimestampError),
        (400, b'{"code":700002,"msg":"Signature for this request is not valid."}', AuthenticationError),
        (400, b'{"code":700004,"msg":"Mandatory parameter \'signature\' was not sent."}', AuthenticationError),
        (400, b'{"code":700004,"msg":"Param \'origClientOrderId\' or \'orderId\' must be sent"}', InvalidOrderError),
        (400, b'{"code":10072,"msg":"Api key info invalid"}', AuthenticationError),
        (400, b'{"code":30004,"msg":"Insufficient position"}', InsufficientBalanceError),
        (400, b'{"code":10101,"msg":"Insufficient balance"}', InsufficientBalanceError),
        (400, b'{"code":-2013,"msg":"Order does not exist."}', OrderNotFoundError),
        (400, b'{"code":-2011,"msg":"Unknown order sent."}', OrderNotFoundError),
        (400, b'{"msg":"api market order is disabled","code":30051}', InvalidOrderError),
        (400, b'{"code":"30002","msg":"The minimum transaction volume cannot be less than:1USDT"}', InvalidOrderError),
        (429, b'{"code":429,"msg":"Too Many Requests"}', RateLimitError),
        (403, b"<html>WAF</html>", RateLimitError),
        (503, b'{"code":503,"msg":"service not available"}', ExchangeUnavailableError),
        (502, b"Bad Gateway", ExchangeUnavailableError),
        (400, b'{"code":12345,"msg":"something new"}', ExchangeAPIError),
    ],
)
def test_error_mapping(status: int, body: bytes, expected: type[ExchangeAPIError]) -> None:
    error = map_mexc_error(status, body, {"Retry-After": "3"})
    assert type(error) is expected and error.status == status and error.exchange == "mexc"


def test_rate_limit_errors_carry_retry_after() -> None:
    error = map_mexc_error(429, b'{"code":429,"msg":"Too Many Requests"}', {"Retry-After": "3"})
    assert isinstance(error, RateLimitError) and error.retry_after == 3.0
    waf = map_mexc_error(403, b"", {})
    assert isinstance(waf, RateLimitError) and waf.retry_after == 10.0
