"""Gate.io spot REST payloads (real ccxt captures and documented samples) -> domain types."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from app.domain import ExchangeEnum, OrderStatus, OrderType, Side, Symbol, TimeInForce, TradingStatus
from app.exchanges.gateio.spot import schemas
from app.exchanges.gateio.spot.schemas import rest_order_status, ws_order_status

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "gateio" / "rest"
BTC_USDT = Symbol("BTC", "USDT")


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_currency_pair_gives_symbol_rules() -> None:
    (info,) = [p.to_domain() for p in schemas.currency_pairs_decoder.decode(load("currency_pairs.json"))]
    assert info.symbol == Symbol("ETH", "USDT")
    assert info.native == "ETH_USDT"
    assert info.tick_size == Decimal("0.000001")
    assert info.lot_size == Decimal("0.001")
    assert info.min_quantity == Decimal("0.001")
    assert info.min_notional == Decimal("1.0")
    assert info.max_quantity == Decimal("10000")
    assert info.taker_fee == Decimal("0.002")
    assert info.status is TradingStatus.TRADING
    assert info.exchange is ExchangeEnum.GATEIO


def test_currency_pair_status_and_missing_limits() -> None:
    raw = b'[{"id":"X_USDT","base":"X","quote":"USDT","amount_precision":0,"precision":2,"trade_status":"sellable"}]'
    (info,) = [p.to_domain() for p in schemas.currency_pairs_decoder.decode(raw)]
    assert info.status is TradingStatus.SELL_ONLY
    assert info.lot_size == Decimal(1)
    assert info.min_quantity == Decimal(1)
    assert info.min_notional == 0
    assert info.max_quantity is None


def test_order_book_snapshot_keeps_the_book_id_as_sequence() -> None:
    book = schemas.order_book_decoder.decode(load("order_book.json")).to_domain(BTC_USDT)
    assert book.sequence == 123456
    assert book.timestamp_ms == 1623898993123
    assert book.best_bid is not None and book.best_bid.price == Decimal("1.17")
    assert book.best_ask is not None and book.best_ask.quantity == Decimal("1.151")
    assert [lvl.price for lvl in book.bids] == [Decimal("1.17"), Decimal("1.16")]


def test_public_trade_real_capture() -> None:
    (trade,) = [t.to_domain() for t in schemas.public_trades_decoder.decode(load("trades.json"))]
    assert trade.symbol == BTC_USDT
    assert trade.trade_id == "7835390042"
    assert trade.price == Decimal("73236.4")
    assert trade.quantity == Decimal("0.00020")
    assert trade.side is Side.BUY
    assert trade.timestamp_ms == 1710327648162  # "1710327648162.035000"


def test_ticker_real_capture_gives_best_bid_ask() -> None:
    (ticker,) = schemas.tickers_decoder.decode(load("tickers.json"))
    book_ticker = ticker.to_domain(timestamp_ms=42)
    assert book_ticker.symbol == BTC_USDT
    assert book_ticker.bid_price == Decimal("73364.1")
    assert book_ticker.ask_price == Decimal("73364.2")
    assert book_ticker.bid_quantity == 0  # lowest_size / highest_size absent on multi-pair answers
    assert book_ticker.timestamp_ms == 42


def test_server_time_accepts_the_real_string_form() -> None:
    assert schemas.server_time_decoder.decode(load("time.json")).server_time == 1731448079476
    assert schemas.server_time_decoder.decode(b'{"server_time":1597026383085}').server_time == 1597026383085


def test_created_order_full_response() -> None:
    order = schemas.order_decoder.decode(load("order_create.json")).to_domain()
    assert order.order_id == "1852454420"
    assert order.client_order_id == "t-abc123"
    assert order.symbol == BTC_USDT
    assert order.side is Side.BUY
    assert order.order_type is OrderType.LIMIT
    assert order.price == Decimal("65000")
    assert order.quantity == Decimal("0.001")
    assert order.filled_quantity == Decimal("0.001")
    assert order.status is OrderStatus.FILLED
    assert order.average_price == Decimal("63469.3")
    assert order.fee == Decimal("0.00000022") and order.fee_asset == "BTC"
    assert order.timestamp_ms == 1710488334073 and order.update_ms == 1710488334074


def test_order_ack_response_parses_with_defaults() -> None:
    order = schemas.order_decoder.decode(load("order_ack.json")).to_domain()
    assert order.order_id == "12332324"
    assert order.client_order_id == "t-123456"
    assert order.status is OrderStatus.UNKNOWN


def test_open_orders_real_capture_grouped_by_pair() -> None:
    (group,) = schemas.open_orders_decoder.decode(load("open_orders.json"))
    assert group.total == 1
    (order,) = [o.to_domain() for o in group.orders]
    assert order.order_id == "700604309511"
    assert order.client_order_id is None  # "web" is not a t- id
    assert order.side is Side.SELL
    assert order.status is OrderStatus.NEW
    assert order.quantity == Decimal("0.00009")
    assert order.remaining_quantity == Decimal("0.00009")
    assert order.time_in_force is TimeInForce.GTC


def test_closed_market_buy_real_capture_reports_base_quantity() -> None:
    (raw,) = schemas.orders_decoder.decode(load("closed_orders.json"))
    order = raw.to_domain()
    assert order.order_type is OrderType.MARKET
    assert order.status is OrderStatus.FILLED
    assert order.price is None
    assert order.time_in_force is TimeInForce.IOC
    # no filled_amount in this capture: base = filled_total / avg_deal_price
    assert order.filled_quantity == Decimal("4.998985") / Decimal("68.02")
    assert order.quantity == order.filled_quantity


def test_balances_and_my_trades() -> None:
    (balance,) = [a.to_domain() for a in schemas.accounts_decoder.decode(load("accounts.json"))]
    assert (balance.asset, balance.free, balance.locked) == ("ETH", Decimal("968.8"), Decimal(0))
    fills = [t.to_domain() for t in schemas.my_trades_decoder.decode(load("my_trades.json"))]
    assert [f.trade_id for f in fills] == ["7342180137", "7342180136"]
    first = fills[0]
    assert first.symbol == Symbol("LTC", "USDT")
    assert first.order_id == "497245022561"
    assert first.is_maker is False
    assert first.fee == Decimal("0.000050") and first.fee_asset == "LTC"
    assert first.quantity == Decimal("0.025") and first.price == Decimal("68.02")
    assert first.timestamp_ms == 1706382263841
    assert sum(f.quantity for f in fills) == Decimal("0.0735")


def test_rest_status_table() -> None:
    one, zero = Decimal(1), Decimal(0)
    assert rest_order_status("open", "open", zero, one) is OrderStatus.NEW
    assert rest_order_status("open", "open", one, one) is OrderStatus.PARTIALLY_FILLED
    assert rest_order_status("closed", "filled", one, zero) is OrderStatus.FILLED
    assert rest_order_status("closed", "ioc", one, Decimal("0.001")) is OrderStatus.FILLED
    assert rest_order_status("cancelled", "cancelled", zero, one) is OrderStatus.CANCELLED
    assert rest_order_status("cancelled", "cancelled", one, one) is OrderStatus.CANCELLED
    assert rest_order_status("cancelled", "ioc", zero, one) is OrderStatus.EXPIRED
    assert rest_order_status("cancelled", "poc", zero, one) is OrderStatus.REJECTED
    assert rest_order_status("cancelled", "stp", one, one) is OrderStatus.CANCELLED
    assert rest_order_status("weird", "", zero, one) is OrderStatus.UNKNOWN


def test_ws_status_table() -> None:
    one, zero = Decimal(1), Decimal(0)
    assert ws_order_status("put", "open", zero, one) is OrderStatus.NEW
    assert ws_order_status("update", "open", one, one) is OrderStatus.PARTIALLY_FILLED
    assert ws_order_status("update", "open", one, zero) is OrderStatus.FILLED
    assert ws_order_status("finish", "filled", one, zero) is OrderStatus.FILLED
    assert ws_order_status("finish", "cancelled", zero, one) is OrderStatus.CANCELLED
    assert ws_order_status("finish", "ioc", one, one) is OrderStatus.EXPIRED
    assert ws_order_status("finish", "poc", zero, one) is OrderStatus.REJECTED
