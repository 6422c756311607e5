"""Futures parsers against documented and real Gate payloads (tests/fixtures/gateio_futures), and the
one place contracts and base units are converted."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import msgspec
import pytest

from app.domain.enums import OrderStatus, OrderType, PositionMode, PositionSide, Side, TimeInForce, TradingStatus
from app.domain.symbol import Symbol
from app.errors import InvalidQuantityError, UnknownSymbolError
from app.exchanges.gateio.futures import schemas
from app.exchanges.gateio.futures.contract_sizes import ContractSizes
from app.exchanges.gateio.ws_protocol import decode_envelope

FIXTURES = Path(__file__).parents[1] / "fixtures" / "gateio_futures"
BTC = Symbol("BTC", "USDT")
D = Decimal


def raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def ws_result(name: str) -> msgspec.Raw:
    return decode_envelope(raw(name)).result


# --- contract sizes ----------------------------------------------------------------------------------
def test_contract_sizes_convert_both_ways_and_refuse_fractions_of_a_contract() -> None:
    sizes = ContractSizes({BTC: D("0.0001")})

    assert sizes.to_contracts(BTC, D("0.0123")) == 123
    assert sizes.to_contracts(BTC, D("-0.0100")) == -100
    assert sizes.to_base(BTC, -9440) == D("-0.9440")
    with pytest.raises(InvalidQuantityError, match="not a whole number of BTC/USDT contracts"):
        sizes.to_contracts(BTC, D("0.00015"))
    with pytest.raises(UnknownSymbolError):
        sizes.to_contracts(Symbol("DOGE", "USDT"), D(1))


def test_a_stream_contract_id_routes_to_its_symbol_and_multiplier() -> None:
    sizes = ContractSizes({BTC: D("0.0001")})
    symbol, multiplier = sizes.route("BTC_USDT")
    assert symbol is BTC and multiplier == D("0.0001")
    assert sizes.route("btc_usdt") == (BTC, D("0.0001"))  # not the venue's spelling: the slow way, same answer
    with pytest.raises(UnknownSymbolError):
        sizes.route("ETH_USDT")
    sizes.set(BTC, D("0.001"))  # a reloaded contract list replaces the route too
    assert sizes.route("BTC_USDT") == (BTC, D("0.001"))


def test_a_zero_multiplier_counts_as_one_contract_per_unit() -> None:
    sizes = ContractSizes({Symbol("BTC", "USD"): D(0)})
    assert sizes.multiplier(Symbol("BTC", "USD")) == 1


# --- public REST --------------------------------------------------------------------------------------
def test_contract_gives_rules_in_base_units_contract_info_and_funding() -> None:
    (contract,) = schemas.contracts_decoder.decode(raw("rest/contracts.json"))

    info = contract.to_symbol_info()
    assert info.symbol == BTC and info.native == "BTC_USDT" and info.status is TradingStatus.TRADING
    assert (info.tick_size, info.lot_size, info.min_quantity, info.max_quantity) == (
        D("0.1"),
        D("0.0001"),
        D("0.0001"),
        D(100),
    )
    assert info.contract_size == D("0.0001") and info.maker_fee == D("-0.00025")
    details = contract.to_contract_info()
    assert details.leverage_max == 100 and details.funding_interval_s == 28800 and details.settle_asset == "USDT"
    funding = contract.to_funding_rate()
    assert funding.rate == D("0.002053") and funding.next_apply_s == 1610035200
    assert funding.indicative_rate == D("0.000219") and funding.index_price == D("37954.92")


def test_order_book_levels_are_objects_in_contracts_times_in_float_seconds() -> None:
    book = schemas.order_book_decoder.decode(raw("rest/order_book.json")).to_domain(BTC, D("0.0001"))

    assert book.sequence == 123456 and book.timestamp_ms == 1623898993123
    assert (book.bids[0].price, book.bids[0].quantity) == (D("1.17"), D("0.0150"))
    assert (book.asks[1].price, book.asks[1].quantity) == (D("1.53"), D("0.0040"))


def test_public_trade_and_ticker() -> None:
    (trade,) = schemas.trades_decoder.decode(raw("rest/trades.json"))
    domain = trade.to_domain(D("0.0001"))
    assert domain.side is Side.SELL and domain.quantity == D("0.0100") and domain.timestamp_ms == 1514764800000
    (ticker,) = schemas.tickers_decoder.decode(raw("rest/tickers.json"))
    book_ticker = ticker.to_domain(D("0.0001"), 7)
    assert (book_ticker.bid_price, book_ticker.bid_quantity) == (D("34089.7"), D("0.0100"))
    assert (book_ticker.ask_price, book_ticker.ask_quantity) == (D("34217.9"), D("0.1000"))
    assert schemas.funding_rate_decoder.decode(raw("rest/funding_rate.json"))[0].r == D("0.000157")


# --- private REST -------------------------------------------------------------------------------------
def test_account_is_a_margin_account_with_its_position_mode() -> None:
    account = schemas.account_decoder.decode(raw("rest/account.json"))

    margin = account.to_domain()
    assert margin.user_id == "1666" and margin.position_mode is PositionMode.SINGLE
    assert margin.available == D("9669.091377934145") and margin.unrealized_pnl == D("3371.248828")
    balance = account.to_balance()
    assert (balance.asset, balance.free, balance.locked) == ("USDT", D("9669.091377934145"), D("38.712189181"))


def test_position_documented_and_real() -> None:
    doc = schemas.position_decoder.decode(raw("rest/position.json")).to_domain(D("0.0001"))
    assert doc.side is PositionSide.SHORT and doc.contracts == -9440 and doc.quantity == D("-0.9440")
    assert doc.leverage == 0 and doc.entry_price == D("3779.55") and doc.mode is PositionMode.SINGLE
    (real,) = schemas.positions_decoder.decode(raw("rest/positions_real.json"))  # sizes as strings
    position = real.to_domain(D("0.01"))
    assert position.side is PositionSide.LONG and position.contracts == 1 and position.leverage == 5
    assert position.liquidation_price == D("60.07") and position.unrealized_pnl == D("0.008")


def test_orders_documented_and_real_with_string_sizes_and_ids() -> None:
    doc = schemas.order_decoder.decode(raw("rest/order.json")).to_domain(D("0.0001"))
    assert doc.order_id == "15675394" and doc.client_order_id == "t-my-custom-id"
    assert doc.status is OrderStatus.CANCELLED and doc.side is Side.BUY and doc.quantity == D("0.6024")
    assert doc.price == D(3765) and doc.filled_quantity == 0 and doc.time_in_force is TimeInForce.GTC
    real = schemas.order_decoder.decode(raw("rest/order_create_real.json")).to_domain(D(1))
    assert real.order_id == "299207900263708423" and real.order_type is OrderType.MARKET and real.price is None
    assert real.status is OrderStatus.FILLED and real.filled_quantity == 100 and real.average_price == D("0.005416")
    (closed,) = schemas.orders_decoder.decode(raw("rest/closed_orders_real.json"))
    sold = closed.to_domain(D("0.01"))
    assert sold.side is Side.SELL and sold.quantity == D("0.01") and sold.status is OrderStatus.FILLED


def test_my_trades_documented_and_real() -> None:
    (doc,) = schemas.user_trades_decoder.decode(raw("rest/my_trades.json"))
    execution = doc.to_domain(D("0.0001"))
    assert execution.trade_id == "121234231" and execution.client_order_id == "t-123456"
    assert execution.side is Side.BUY and execution.quantity == D("0.0100") and execution.fee == D("0.01")
    (real,) = schemas.user_trades_decoder.decode(raw("rest/my_trades_real.json"))
    fill = real.to_domain(D("0.01"))
    assert fill.trade_id == "29768497" and fill.side is Side.SELL and fill.timestamp_ms == 1705950365664


def test_finish_as_table() -> None:
    assert schemas.futures_order_status("finished", "ioc", D(10), D(10)) is OrderStatus.EXPIRED
    assert schemas.futures_order_status("finished", "ioc", D(10), D(4)) is OrderStatus.EXPIRED
    assert schemas.futures_order_status("finished", "reduce_only", D(-5), D(-5)) is OrderStatus.REJECTED
    assert schemas.futures_order_status("finished", "poc", D(5), D(2)) is OrderStatus.CANCELLED
    assert schemas.futures_order_status("open", "_new", D(-10), D(-4)) is OrderStatus.PARTIALLY_FILLED


# --- WS -----------------------------------------------------------------------------------------------
def test_ws_order_book_update_and_real_capture() -> None:
    diff = schemas.ws_order_book_update_decoder.decode(ws_result("ws/order_book_update.json")).to_domain(D(1))
    assert (diff.first_update_id, diff.last_update_id, diff.timestamp_ms) == (2517661101, 2517661113, 1615366381417)
    assert list(diff.bids) == [(D("54672.1"), D(0)), (D("54664.5"), D(58794))] and not diff.is_snapshot
    real = schemas.ws_order_book_update_decoder.decode(ws_result("ws/order_book_update_real.json")).to_domain(D(10))
    assert real.symbol == Symbol("RDNT", "USDT") and list(real.asks) == [(D("0.2983"), D(0))] and not real.bids


def test_ws_trades_and_book_ticker() -> None:
    (trade,) = schemas.ws_trades_decoder.decode(ws_result("ws/trades.json"))
    assert trade.to_domain(D(1)).timestamp_ms == 1545136464123 and trade.to_domain(D(1)).side is Side.SELL
    ticker = schemas.ws_book_ticker_decoder.decode(ws_result("ws/book_ticker.json")).to_domain(D("0.0001"))
    assert ticker.sequence == 2517661076 and ticker.bid_quantity == D("3.7000") and ticker.ask_price == D("54696.7")


def test_ws_orders_with_numbers_decode_exactly() -> None:
    (done,) = schemas.ws_orders_decoder.decode(ws_result("ws/orders.json"))
    order = done.to_domain(D(1))
    assert order.status is OrderStatus.FILLED and order.average_price == D("40000.4") and order.update_ms
    (new,) = schemas.ws_orders_decoder.decode(ws_result("ws/orders_new_real.json"))
    opened = new.to_domain(D("0.0001"))
    assert opened.order_id == "58828270140012048" and opened.status is OrderStatus.NEW
    assert opened.price == D(93000) and opened.client_order_id is None


def test_ws_positions_usertrades_balances() -> None:
    (position,) = schemas.ws_positions_decoder.decode(ws_result("ws/positions.json"))
    domain = position.to_domain(D(1))
    assert domain.entry_price == D("40000.36666661111") and domain.realized_pnl == D("-1.25e-8")
    assert domain.contracts == 3 and domain.extra["update_id"] == "170919" and domain.timestamp_ms == 1628736848321
    (fill,) = schemas.ws_user_trades_decoder.decode(ws_result("ws/usertrades.json"))
    assert fill.to_domain(D(1)).fee == D("0.0009290592") and fill.to_domain(D(1)).is_maker
    (row,) = schemas.ws_balances_decoder.decode(ws_result("ws/balances.json"))
    change = row.to_domain()
    assert (change.asset, change.kind, change.change) == ("BTC", "fee", D("-0.000002074115"))
    (real,) = schemas.ws_balances_decoder.decode(ws_result("ws/balances_real.json"))
    assert real.to_domain().asset == "USDT" and real.to_domain().balance == D("20.031873037")


def test_fixtures_are_json() -> None:
    for path in FIXTURES.rglob("*.json"):
        json.loads(path.read_text())
