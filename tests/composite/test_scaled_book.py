"""A book with a ``quantity_scale`` (Gate futures: the stream's levels kept in contracts, converted on read)
shows exactly what a base-unit book fed the converted levels shows, whatever the order of writes and reads."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.composite.book import BookSynchronizer, LocalOrderBook
from app.domain.enums import ExchangeEnum
from app.domain.models import OrderBook, OrderBookDiff, PriceLevel
from app.domain.symbol import Symbol
from app.exchanges.gateio.futures.schemas import FuturesLevel

BTC = Symbol("BTC", "USDT")
D = Decimal
SCALE = D("0.0001")  # Gate BTC_USDT quanto_multiplier
decode_levels = msgspec.json.Decoder(list[FuturesLevel]).decode


def contracts(*pairs: tuple[str, int]) -> list[FuturesLevel]:
    """Levels exactly as the futures stream decodes them: ``[{"p": "100.5", "s": 3}, ...]``."""
    return decode_levels(msgspec.json.encode([{"p": p, "s": s} for p, s in pairs]))


def base(levels: list[FuturesLevel]) -> list[PriceLevel]:
    return [PriceLevel(level.price, level.quantity * SCALE) for level in levels]


def pair(max_depth: int | None = None) -> tuple[LocalOrderBook, LocalOrderBook]:
    scaled = LocalOrderBook(ExchangeEnum.GATEIO_FUTURES, BTC, max_depth=max_depth, quantity_scale=SCALE)
    plain = LocalOrderBook(ExchangeEnum.GATEIO_FUTURES, BTC, max_depth=max_depth)
    return scaled, plain


def assert_same_reads(scaled: LocalOrderBook, plain: LocalOrderBook, depth: int | None) -> None:
    assert scaled.view(depth) == plain.view(depth)
    assert all(type(level) is PriceLevel for level in (*scaled.view(depth).bids, *scaled.view(depth).asks))
    assert scaled.best_bid() == plain.best_bid() and scaled.best_ask() == plain.best_ask()
    assert scaled.bid_levels(depth) == plain.bid_levels(depth)
    assert scaled.ask_levels(depth) == plain.ask_levels(depth)


def test_levels_are_stored_as_decoded_and_shown_in_base_units() -> None:
    scaled, _ = pair()
    scaled.apply_snapshot(contracts(("100", 5), ("99", 7)), contracts(("101", 3)), 1, 0)
    scaled.apply_levels(contracts(("100", 0), ("99.5", 20000)), contracts(("101", 12)), 2, 0)
    view = scaled.view()
    assert view.bids == (PriceLevel(D("99.5"), D("2.0000")), PriceLevel(D("99"), D("0.0007")))
    assert view.asks == (PriceLevel(D("101"), D("0.0012")),)
    assert scaled.bids == {D("99.5"): D(2), D("99"): D("0.0007")}
    assert scaled.asks == {D("101"): D("0.0012")}
    assert view.is_valid and view.sequence == 2


def test_a_level_is_converted_once_and_only_when_read() -> None:
    scaled, _ = pair()
    scaled.apply_snapshot(contracts(("100", 5), ("99", 7), ("98", 9)), contracts(("101", 3)), 1, 0)
    top = scaled.view(1)
    assert top.bids == (PriceLevel(D("100"), D("0.0005")),)
    assert type(scaled._bid_levels[0]) is FuturesLevel  # 98: not read yet, still as decoded
    scaled.apply_levels(contracts(("97", 1)), [], 2, 0)
    again = scaled.view(2)
    assert again.bids[0] is top.bids[0]  # the unchanged best bid was not converted a second time


def test_a_base_unit_snapshot_and_contract_diffs_mix() -> None:
    scaled, plain = pair()
    rest = [PriceLevel(D("100"), D("0.0005")), PriceLevel(D("99"), D("0.0007"))]  # a REST snapshot: base units
    for book in (scaled, plain):
        book.apply_snapshot_book(
            OrderBook(ExchangeEnum.GATEIO_FUTURES, BTC, tuple(reversed(rest)), (PriceLevel(D(101), D(1)),), 1, 0)
        )
    diff = contracts(("99", 70), ("98", 1))
    scaled.apply_levels(diff, [], 2, 0)
    plain.apply_levels(base(diff), [], 2, 0)
    assert_same_reads(scaled, plain, None)


def test_plain_tuples_are_taken_as_base_units() -> None:
    scaled, plain = pair()
    levels = [(D("100"), D("0.5")), (D("99"), D(2))]
    scaled.apply_snapshot(levels, [], 1, 0)
    plain.apply_snapshot(levels, [], 1, 0)
    assert_same_reads(scaled, plain, None)


def test_a_scale_must_be_positive() -> None:
    with pytest.raises(ValueError):
        LocalOrderBook(ExchangeEnum.GATEIO_FUTURES, BTC, quantity_scale=D(0))


side = st.lists(
    st.tuples(st.integers(9_990, 10_010).map(lambda tick: str(D(tick) / 10)), st.integers(0, 4)),
    max_size=6,
)


@settings(max_examples=150, deadline=None)
@given(
    updates=st.lists(st.tuples(side, side, st.sampled_from([None, 1, 3, 0])), max_size=25),
    max_depth=st.sampled_from([None, 4]),
)
def test_scaled_book_reads_equal_a_base_unit_book(
    updates: list[tuple[list[tuple[str, int]], list[tuple[str, int]], int | None]], max_depth: int | None
) -> None:
    scaled, plain = pair(max_depth)
    scaled.apply_snapshot([], [], 0, 0)
    plain.apply_snapshot([], [], 0, 0)
    for sequence, (bids, asks, read_depth) in enumerate(updates, start=1):
        scaled.apply_levels(contracts(*bids), contracts(*asks), sequence, sequence)
        plain.apply_levels(base(contracts(*bids)), base(contracts(*asks)), sequence, sequence)
        if read_depth != 0:  # reads between writes leave some levels converted, some not
            assert_same_reads(scaled, plain, read_depth)
    assert_same_reads(scaled, plain, None)
    assert scaled.is_crossed is plain.is_crossed


async def _no_snapshot(symbol: Symbol) -> OrderBook:
    raise AssertionError("not fetched in this test")


@pytest.mark.parametrize("book_scale", [None, D("0.001")])
def test_a_diff_in_units_the_book_was_not_built_for_is_converted(book_scale: Decimal | None) -> None:
    sync = BookSynchronizer(ExchangeEnum.GATEIO_FUTURES, BTC, _no_snapshot, quantity_scale=book_scale)
    levels = contracts(("100", 5), ("101", 3))
    sync.on_diff(OrderBookDiff(ExchangeEnum.GATEIO_FUTURES, BTC, 1, 1, levels[:1], levels[1:], 0, True, SCALE))
    view = sync.book.view()
    assert view.bids == (PriceLevel(D(100), D("0.0005")),) and view.asks == (PriceLevel(D(101), D("0.0003")),)
    later = contracts(("100", 50))
    sync.on_diff(OrderBookDiff(ExchangeEnum.GATEIO_FUTURES, BTC, 2, 2, later, [], 0, False, SCALE))
    assert sync.book.view().bids == (PriceLevel(D(100), D("0.0050")),) and sync.book.sequence == 2
