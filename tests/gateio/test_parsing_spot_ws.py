"""Gate.io spot WebSocket messages (documented samples): envelope first, then the channel's result."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from app.domain import OrderStatus, Side, Symbol
from app.exchanges.gateio.spot import schemas
from app.exchanges.gateio.ws_protocol import ack_decoder, decode_envelope

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "gateio" / "ws"


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_order_book_update_snapshot_message() -> None:
    envelope = decode_envelope(load("order_book_update.json"))
    assert (envelope.channel, envelope.event, envelope.time_ms) == ("spot.order_book_update", "update", 1606294781236)
    diff = schemas.ws_order_book_update_decoder.decode(envelope.result).to_domain()
    assert diff.symbol == Symbol("BTC", "USDT")
    assert (diff.first_update_id, diff.last_update_id) == (48776301, 48776306)
    assert diff.is_snapshot is True
    assert diff.bids == [(Decimal("19137.74"), Decimal("0.0001")), (Decimal("19088.37"), Decimal("0"))]
    assert diff.asks == [(Decimal("19137.75"), Decimal("0.6135"))]
    assert diff.timestamp_ms == 1606294781123


def test_order_book_update_increment_without_full() -> None:
    envelope = decode_envelope(load("order_book_update_2021.json"))
    diff = schemas.ws_order_book_update_decoder.decode(envelope.result).to_domain()
    assert diff.symbol == Symbol("HAI", "ETH")
    assert diff.is_snapshot is False
    assert diff.first_update_id == diff.last_update_id == 2691446
    assert diff.asks == []


def test_trade_message() -> None:
    envelope = decode_envelope(load("trades.json"))
    trade = schemas.ws_trade_decoder.decode(envelope.result).to_domain()
    assert trade.symbol == Symbol("GT", "USDT")
    assert trade.trade_id == "309143071"
    assert trade.side is Side.SELL
    assert trade.price == Decimal("0.4705000000")
    assert trade.quantity == Decimal("16.47")
    assert trade.timestamp_ms == 1606292218213


def test_book_ticker_message() -> None:
    envelope = decode_envelope(load("book_ticker.json"))
    ticker = schemas.ws_book_ticker_decoder.decode(envelope.result).to_domain()
    assert ticker.symbol == Symbol("BTC", "USDT")
    assert (ticker.bid_price, ticker.bid_quantity) == (Decimal("19177.79"), Decimal("0.0003341504"))
    assert (ticker.ask_price, ticker.ask_quantity) == (Decimal("19179.38"), Decimal("0.09"))
    assert ticker.sequence == 48733182
    assert ticker.timestamp_ms == 1606293275123


def test_orders_message() -> None:
    envelope = decode_envelope(load("orders.json"))
    (order,) = [o.to_domain() for o in schemas.ws_orders_decoder.decode(envelope.result)]
    assert order.order_id == "399123456"
    assert order.client_order_id == "t-testtext"
    assert order.status is OrderStatus.NEW  # event "put"
    assert order.side is Side.SELL
    assert order.quantity == Decimal("0.0001")
    assert order.filled_quantity == 0  # amount - left (the docs' filled_amount is inconsistent)
    assert order.timestamp_ms == 1694655225315


def test_orders_finish_event() -> None:
    raw = (
        b'[{"id":"1","text":"t-x","currency_pair":"BTC_USDT","type":"limit","side":"buy","amount":"2",'
        b'"price":"10","left":"0","filled_total":"20","avg_deal_price":"10","event":"finish","finish_as":"filled",'
        b'"create_time_ms":"1","update_time_ms":"2"}]'
    )
    (order,) = [o.to_domain() for o in schemas.ws_orders_decoder.decode(raw)]
    assert order.status is OrderStatus.FILLED
    assert order.filled_quantity == Decimal(2)
    assert order.average_price == Decimal(10)


def test_usertrades_message() -> None:
    envelope = decode_envelope(load("usertrades.json"))
    (fill,) = [t.to_domain() for t in schemas.ws_user_trades_decoder.decode(envelope.result)]
    assert fill.trade_id == "5736713"
    assert fill.order_id == "30784428"
    assert fill.client_order_id is None
    assert fill.is_maker is False
    assert fill.fee == Decimal("0.002") and fill.fee_asset is None
    assert fill.timestamp_ms == 1605176741123


def test_balances_message() -> None:
    envelope = decode_envelope(load("balances.json"))
    (balance,) = [b.to_domain() for b in schemas.ws_balances_decoder.decode(envelope.result)]
    assert balance.asset == "USDT"
    assert balance.free == Decimal("222244.3827")
    assert balance.locked == Decimal("5")


def test_control_messages() -> None:
    ack = decode_envelope(load("subscribe_ack.json"))
    assert ack.event == "subscribe" and ack.error is None
    assert ack_decoder.decode(ack.result) is not None
    failed = decode_envelope(load("subscribe_error_auth.json"))
    assert failed.error is not None and failed.error.code == 4
    assert "INVALID_KEY" in failed.error.message
    pong = decode_envelope(load("pong.json"))
    assert (pong.channel, pong.event, bytes(pong.result)) == ("spot.pong", "", b"null")


def test_book_ticker_with_an_empty_side_is_not_a_zero_price() -> None:
    raw = b'{"t":1606293275123,"u":48733182,"s":"BTC_USDT","b":"19177.79","B":"0.0003","a":"","A":"0"}'
    assert schemas.ws_book_ticker_decoder.decode(raw).to_domain() is None
