"""Opportunity episodes (open, peak, close) and the PnL book (fees in the received asset, marking)."""

from __future__ import annotations

from decimal import Decimal

from app.domain.enums import ExchangeEnum, OrderStatus, OrderType, Side
from app.domain.models import Order
from app.monitor.opportunity import OpportunityTracker
from app.monitor.pnl import PnlBook
from app.monitor.spread import quote_spread
from tests.monitor.books import BTC, D, book, spot_info


def _quote(sell_bid: str, *, valid: bool = True):  # type: ignore[no-untyped-def]
    buy = book(ExchangeEnum.GATEIO, [("64990", "1")], [("65000", "1")])
    sell = book(ExchangeEnum.MEXC, [(sell_bid, "1")], [("66900", "1")], valid=valid)
    return quote_spread(BTC, "gateio", buy, spot_info(), "mexc", sell, spot_info(ExchangeEnum.MEXC, "0"), D("100"))


def test_an_opportunity_opens_once_keeps_its_peak_and_closes_below_the_threshold() -> None:
    clock = iter(float(t) for t in range(100, 200))
    tracker = OpportunityTracker(Decimal(5), wall_clock=lambda: next(clock))
    assert tracker.update(_quote("65100")) is None  # 15 bps gross - 20 bps fees: below
    opened = tracker.update(_quote("65300"))  # ~26 bps net
    assert opened is not None and opened.is_open and tracker.seen == 1
    assert tracker.update(_quote("65500")) is None  # same episode, higher
    assert opened.peak_bps > opened.first.spread_bps
    assert tracker.update(_quote("65500", valid=False)) is None  # a stale book ends it
    assert not opened.is_open and opened.closed_at is not None and opened.duration_s > 0
    again = tracker.update(_quote("65300"))
    assert again is not None and again is not opened and tracker.seen == 2


def _order(side: Side, qty: str, price: str, fee: str, fee_asset: str) -> Order:
    return Order(
        ExchangeEnum.GATEIO, BTC, "1", None, side, OrderType.LIMIT, D(price), D(qty), D(qty), OrderStatus.FILLED,
        average_price=D(price), fee=D(fee), fee_asset=fee_asset,
    )  # fmt: skip


def test_pnl_book_moves_assets_like_the_venue_and_marks_inventory() -> None:
    pnl = PnlBook()
    pnl.record("a", _order(Side.BUY, "0.002", "65000", "0.000004", "BTC"))  # fee in the asset received
    pnl.record("b", _order(Side.SELL, "0.002", "65300", "0.2612", "USDT"))
    assert pnl.change("a", "BTC") == D("0.001996") and pnl.change("a", "USDT") == D("-130")
    assert pnl.change("b", "BTC") == D("-0.002") and pnl.change("b", "USDT") == D("130.6") - D("0.2612")
    assert pnl.inventory(BTC) == D("-0.000004")  # hedged, but for the base fee
    assert pnl.fees_quote == D("0.000004") * 65000 + D("0.2612")
    expected = D("0.6") - D("0.2612") - D("0.000004") * D("65100")
    assert pnl.pnl({BTC: D("65100")}) == expected
    assert len(pnl.fills) == 2 and pnl.filled_notional == D("260.6")


def test_fees_paid_in_a_discount_token_are_reported_not_priced() -> None:
    from types import SimpleNamespace

    from app.monitor.view import fees_text

    pnl = PnlBook()
    pnl.record("gateio", _order(Side.BUY, "0.002", "65000", "0.0123", "GT"))  # Gate's GT fee deduction
    pnl.record("mexc", _order(Side.SELL, "0.002", "65300", "0.2612", "USDT"))
    assert pnl.unpriced_fees == {"GT": D("0.0123")} and pnl.change("gateio", "GT") == D("-0.0123")
    assert pnl.fees_quote == D("0.2612")
    executor = SimpleNamespace(pnl=pnl)  # the summary reads only the executor's PnL book
    assert fees_text(executor) == "0.261200 + 0.0123 GT (not priced)"  # type: ignore[arg-type]
