"""LocalOrderBook: level semantics, ordering, truncation, crossed check, views; property test vs a model."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from app.composite.book import NOT_SYNCED, LocalOrderBook
from app.domain.enums import ExchangeEnum
from app.domain.models import OrderBook, PriceLevel
from app.domain.symbol import Symbol

BTC = Symbol("BTC", "USDT")
D = Decimal


def make_book(max_depth: int | None = None) -> LocalOrderBook:
    return LocalOrderBook(ExchangeEnum.GATEIO, BTC, max_depth=max_depth)


def lv(*pairs: tuple[str, str]) -> list[tuple[Decimal, Decimal]]:
    return [(D(p), D(q)) for p, q in pairs]


def test_new_book_is_stale_until_snapshot() -> None:
    book = make_book()
    assert book.stale and book.stale_reason == NOT_SYNCED
    assert not book.view().is_valid

    book.apply_snapshot(lv(("100", "1")), lv(("101", "2")), sequence=7, timestamp_ms=1000)

    view = book.view()
    assert view.is_valid and view.sequence == 7 and view.timestamp_ms == 1000
    assert view.best_bid == PriceLevel(D("100"), D("1"))
    assert view.best_ask == PriceLevel(D("101"), D("2"))


def test_levels_are_absolute_and_zero_deletes() -> None:
    book = make_book()
    book.apply_snapshot(lv(("100", "1"), ("99", "2")), lv(("101", "1"), ("102", "3")), 1, 0)

    book.apply_levels(lv(("100", "5"), ("99", "0"), ("98.5", "4")), lv(("102", "0"), ("101.5", "2")), 2, 10)

    assert book.bid_levels() == lv(("100", "5"), ("98.5", "4"))
    assert book.ask_levels() == lv(("101", "1"), ("101.5", "2"))
    assert book.sequence == 2 and book.timestamp_ms == 10


def test_deleting_an_absent_level_is_a_no_op() -> None:
    book = make_book()
    book.apply_snapshot(lv(("100", "1")), [], 1, 0)

    book.apply_levels(lv(("90", "0")), lv(("200", "0")), 2, 0)

    assert book.bid_levels() == lv(("100", "1"))
    assert book.ask_levels() == []


def test_truncate_keeps_best_levels_per_side() -> None:
    book = make_book(max_depth=2)
    book.apply_snapshot(lv(("100", "1"), ("99", "1"), ("98", "1")), lv(("101", "1"), ("102", "1"), ("103", "1")), 1, 0)

    assert book.bid_levels() == lv(("100", "1"), ("99", "1"))
    assert book.ask_levels() == lv(("101", "1"), ("102", "1"))
    assert set(book.bids) == {D("100"), D("99")} and set(book.asks) == {D("101"), D("102")}

    book.apply_levels(lv(("99.5", "1")), lv(("100.5", "1")), 2, 0)

    assert book.bid_levels() == lv(("100", "1"), ("99.5", "1"))
    assert book.ask_levels() == lv(("100.5", "1"), ("101", "1"))


def test_crossed_and_locked_books_are_invalid() -> None:
    book = make_book()
    book.apply_snapshot(lv(("100", "1")), lv(("101", "1")), 1, 0)
    assert not book.is_crossed

    book.apply_levels(lv(("101", "1")), [], 2, 0)  # locked: bid == ask

    assert book.is_crossed
    assert not book.view().is_valid


def test_mark_stale_invalidates_cached_view() -> None:
    book = make_book()
    book.apply_snapshot(lv(("100", "1")), lv(("101", "1")), 1, 0)
    first = book.view()
    assert book.view() is first  # cached until the next write

    book.mark_stale("sequence gap")

    assert book.view() is not first
    assert not book.view().is_valid and book.stale_reason == "sequence gap"


def test_view_depth_limits_levels() -> None:
    book = make_book()
    book.apply_snapshot(lv(("100", "1"), ("99", "2"), ("98", "3")), lv(("101", "1"), ("102", "2")), 1, 0)

    view = book.view(2)

    assert isinstance(view, OrderBook)
    assert [level.price for level in view.bids] == [D("100"), D("99")]
    assert [level.price for level in view.asks] == [D("101"), D("102")]
    assert book.view(0).bids == () and book.view(0).asks == ()


prices = st.integers(min_value=1, max_value=60).map(lambda tick: D(tick) / 10)
quantities = st.sampled_from([D(0), D(0), D("0.5"), D("1"), D("2.25")])
level_lists = st.lists(st.tuples(prices, quantities), max_size=8)


@settings(max_examples=150, deadline=None)
@given(
    updates=st.lists(st.tuples(level_lists, level_lists), min_size=1, max_size=40),
    depth=st.one_of(st.none(), st.integers(min_value=1, max_value=10)),
)
def test_book_matches_a_plain_dict_model(
    updates: list[tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]], depth: int | None
) -> None:
    book = make_book(max_depth=depth)
    book.apply_snapshot([], [], 0, 0)
    model_bids: dict[Decimal, Decimal] = {}
    model_asks: dict[Decimal, Decimal] = {}

    for seq, (bids, asks) in enumerate(updates, start=1):
        book.apply_levels(bids, asks, seq, seq)
        for model, changes, best_first in ((model_bids, bids, True), (model_asks, asks, False)):
            for price, qty in changes:
                if qty > 0:
                    model[price] = qty
                else:
                    model.pop(price, None)
            if depth is not None:
                keep = sorted(model, reverse=best_first)[:depth]
                for price in list(model):
                    if price not in keep:
                        del model[price]

        expected_bids = sorted(model_bids.items(), reverse=True)
        expected_asks = sorted(model_asks.items())
        assert book.bid_levels() == expected_bids
        assert book.ask_levels() == expected_asks
        assert book.view(3).bids == tuple(PriceLevel(p, q) for p, q in expected_bids[:3])
        crossed = bool(expected_bids and expected_asks and expected_bids[0][0] >= expected_asks[0][0])
        assert book.is_crossed is crossed
        assert book.view().is_valid is (not crossed)
