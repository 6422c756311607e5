"""Order books: synced, well formed and equal to the venue's; a gap or a dropped stream -> stale -> resynced."""

from __future__ import annotations

from app.domain.models import OrderBook
from tests.conformance.harness import ValiditySampler, VenueHarness, assert_well_formed
from tests.waiting import eventually


async def test_books_are_valid_ordered_and_equal_the_venue_at_the_same_sequence(harness: VenueHarness) -> None:
    public = await harness.public()
    symbols = [public.resolve(symbol) for symbol in harness.case.symbols]
    await eventually(lambda: all(public.get_orderbook(s).is_valid for s in symbols), what="books valid")
    for symbol in symbols:
        assert_well_formed(public.get_orderbook(symbol))

    harness.pause_market()

    for symbol in symbols:
        await harness.assert_book_matches_venue(public, symbol)
    top = public.get_orderbook(symbols[0], depth=3)
    assert len(top.bids) == len(top.asks) == 3 and top.is_valid


async def test_a_sequence_gap_makes_the_book_stale_at_once_then_it_resyncs(harness: VenueHarness) -> None:
    views: list[OrderBook] = []
    stale_when_notified: list[bool] = []
    public = await harness.public()
    symbol = public.resolve(harness.case.traded)
    native = public.symbol_info[symbol].native

    def on_book(view: OrderBook) -> None:
        if view.symbol == symbol:
            views.append(view)
            if not view.is_valid:
                stale_when_notified.append(not public.get_orderbook(symbol).is_valid)

    public.subscribe_orderbook(on_book)
    await eventually(lambda: public.get_orderbook(symbol).is_valid, what="book valid")
    synced_at = public.get_orderbook(symbol).sequence
    await eventually(lambda: any(v.is_valid and v.sequence > synced_at for v in views), what="live updates")
    seen_before_fault = len(views)

    harness.inject_book_gap(native)

    await eventually(lambda: any(not v.is_valid for v in views[seen_before_fault:]), what="stale view after the gap")
    assert stale_when_notified and all(stale_when_notified), "the book read as valid while a stale view was sent"
    await eventually(lambda: public.get_orderbook(symbol).is_valid, what="book resynced")
    harness.pause_market()
    await harness.assert_book_matches_venue(public, symbol)


async def test_a_dropped_stream_makes_books_stale_then_they_resync(harness: VenueHarness) -> None:
    public = await harness.public()
    symbols = [public.resolve(symbol) for symbol in harness.case.symbols]
    await eventually(lambda: all(public.get_orderbook(s).is_valid for s in symbols), what="books valid")

    async with ValiditySampler(public, symbols[0]) as sampler:
        assert await harness.drop_connections() >= 1
        await eventually(lambda: sampler.saw_invalid, what="book stale after the drop")
        await eventually(lambda: all(public.get_orderbook(s).is_valid for s in symbols), 5.0, "books resynced")

    harness.pause_market()
    for symbol in symbols:
        await harness.assert_book_matches_venue(public, symbol)
