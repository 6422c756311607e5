"""Spread maths on hand-made books: depth walk, taker fees, trade size rounding, statuses."""

from __future__ import annotations

from decimal import Decimal

from app.domain.enums import ExchangeEnum
from app.domain.models import PriceLevel
from app.monitor.spread import (
    QuoteStatus,
    common_step,
    decimal_lcm,
    quote_spread,
    round_down,
    trade_quantity,
    walk_depth,
)
from tests.monitor.books import BTC, D, book, perp_info, spot_info

GATE, FUT, MEXC = ExchangeEnum.GATEIO, ExchangeEnum.GATEIO_FUTURES, ExchangeEnum.MEXC


def test_walk_depth_takes_levels_in_order_and_reports_the_worst_price() -> None:
    levels = (PriceLevel(D("100"), D("1")), PriceLevel(D("101"), D("2")), PriceLevel(D("103"), D("5")))
    fill = walk_depth(levels, D("2.5"))
    assert fill.complete and fill.quantity == D("2.5") and fill.levels == 2
    assert fill.notional == D("100") + D("1.5") * D("101")
    assert fill.worst_price == D("101")
    assert fill.average_price == D("251.5") / D("2.5")


def test_walk_depth_reports_an_incomplete_fill_when_the_book_is_thin() -> None:
    fill = walk_depth((PriceLevel(D("100"), D("1")),), D("3"))
    assert not fill.complete and fill.quantity == D("1") and fill.notional == D("100")


def test_steps_round_down_to_what_every_leg_accepts() -> None:
    assert decimal_lcm(D("0.0001"), D("0.000001")) == D("0.0001")
    assert decimal_lcm(D("0.0004"), D("0.0006")) == D("0.0012")
    assert common_step([spot_info(), perp_info()]) == D("0.0001")  # whole contracts of 0.0001 BTC
    assert round_down(D("0.0015384"), D("0.0001")) == D("0.0015")
    # 100 USDT at 65000 = 0.0015384..; the perp leg only takes whole contracts -> 15 contracts = 0.0015 BTC
    assert trade_quantity(D("100"), D("65000"), spot_info(), perp_info()) == D("0.0015")
    assert trade_quantity(D("100"), D("65000"), spot_info(), spot_info(MEXC)) == D("0.001538")


def test_size_below_a_venue_minimum_is_reported_not_rounded_up() -> None:
    assert trade_quantity(D("2"), D("65000"), spot_info(), spot_info(MEXC)) == 0  # below the 3 USDT minimum
    buy = book(GATE, [("64990", "1")], [("65000", "1")])
    sell = book(MEXC, [("65500", "1")], [("65510", "1")])
    quote = quote_spread(BTC, "gateio", buy, spot_info(), "mexc", sell, spot_info(MEXC), D("2"))
    assert quote.status is QuoteStatus.BELOW_MINIMUM and not quote.actionable


def test_executable_spread_walks_depth_and_charges_both_taker_fees() -> None:
    # buy 0.003 on gate: 0.001 @ 65000 + 0.002 @ 65010; sell on the perp venue: 0.002 @ 65400 + 0.001 @ 65390
    buy_book = book(GATE, [("64990", "5")], [("65000", "0.001"), ("65010", "0.002"), ("65100", "9")])
    sell_book = book(FUT, [("65400", "0.002"), ("65390", "0.004")], [("65410", "3")])
    size = D("195.03")  # / mid 65200 = 0.002991.. -> 0.0029 (whole contracts)
    quote = quote_spread(BTC, "gateio", buy_book, spot_info(), "gateio_futures", sell_book, perp_info(), size)
    assert quote.quantity == D("0.0029")
    assert quote.buy.notional == D("0.001") * 65000 + D("0.0019") * 65010
    assert quote.buy.worst_price == D("65010")
    assert quote.sell.notional == D("0.002") * 65400 + D("0.0009") * 65390
    assert quote.sell.worst_price == D("65390")
    assert quote.buy_fee == quote.buy.notional * D("0.002")
    assert quote.sell_fee == quote.sell.notional * D("0.0005")
    assert quote.net_quote == quote.sell.notional - quote.buy.notional - quote.buy_fee - quote.sell_fee
    assert quote.spread_bps == quote.net_quote / quote.buy.notional * 10_000
    assert quote.status is QuoteStatus.OK
    assert Decimal(27) < quote.spread_bps < Decimal(40)  # ~57 bps gross minus 25 bps of fees
    assert quote.gross_bps > quote.spread_bps


def test_fees_can_turn_a_positive_gross_spread_negative() -> None:
    buy_book = book(GATE, [("64990", "1")], [("65000", "1")])
    sell_book = book(MEXC, [("65100", "1")], [("65110", "1")])  # +15.4 bps gross, 40 bps of fees
    quote = quote_spread(BTC, "gateio", buy_book, spot_info(), "mexc", sell_book, spot_info(MEXC), D("100"))
    assert quote.gross_bps > 15 and quote.spread_bps < -24
    assert quote.status is QuoteStatus.OK  # executable, just not profitable


def test_stale_or_thin_books_are_never_actionable() -> None:
    good = book(MEXC, [("66000", "1")], [("66010", "1")])
    stale = book(GATE, [("64990", "1")], [("65000", "1")], valid=False)
    quote = quote_spread(BTC, "gateio", stale, spot_info(), "mexc", good, spot_info(MEXC), D("100"))
    assert quote.status is QuoteStatus.STALE
    fresh_but_old = quote_spread(BTC, "mexc", good, spot_info(MEXC), "gateio", good, spot_info(), D("100"), fresh=False)
    assert fresh_but_old.status is QuoteStatus.STALE
    thin = book(GATE, [("64990", "1")], [("65000", "0.0001")])
    quote = quote_spread(BTC, "gateio", thin, spot_info(), "mexc", good, spot_info(MEXC), D("100"))
    assert quote.status is QuoteStatus.NO_DEPTH and quote.net_quote == 0
