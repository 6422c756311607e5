"""The local order book and its synchronizer against reference models (hypothesis).

The reference book is a plain ``price -> quantity`` dict per side; the reference venue keeps its book
after every sequence number, so a synchronized local book can be compared with the venue's book *at the
local book's own sequence*, whatever was lost on the way.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.composite.book import BookSynchronizer, LocalOrderBook
from app.domain.enums import ExchangeEnum
from app.domain.models import OrderBook, OrderBookDiff
from app.domain.symbol import Symbol

BTC = Symbol("BTC", "USDT")
prices = st.integers(1, 60).map(lambda n: Decimal(n) / 2)
quantities = st.one_of(st.just(Decimal(0)), st.integers(1, 500).map(lambda n: Decimal(n) / 100))
level_updates = st.lists(st.tuples(prices, quantities), max_size=12)


def apply_reference(side: dict[Decimal, Decimal], updates: list[tuple[Decimal, Decimal]]) -> None:
    for price, quantity in updates:
        if quantity > 0:
            side[price] = quantity
        else:
            side.pop(price, None)


def truncate_reference(bids: dict[Decimal, Decimal], asks: dict[Decimal, Decimal], depth: int) -> None:
    for price in sorted(bids, reverse=True)[depth:]:
        del bids[price]
    for price in sorted(asks)[depth:]:
        del asks[price]


def check_view(view: OrderBook, bids: dict[Decimal, Decimal], asks: dict[Decimal, Decimal], stale: bool) -> None:
    assert [tuple(level) for level in view.bids] == sorted(bids.items(), reverse=True)
    assert [tuple(level) for level in view.asks] == sorted(asks.items())
    crossed = bool(bids and asks and max(bids) >= min(asks))
    assert view.is_valid == (not stale and not crossed)


operations = st.lists(
    st.one_of(
        st.tuples(st.just("levels"), level_updates, level_updates),
        st.tuples(st.just("snapshot"), level_updates, level_updates),
        st.tuples(st.just("stale"), st.just([]), st.just([])),
        st.tuples(st.just("truncate"), st.integers(0, 8), st.just([])),
    ),
    max_size=25,
)


@settings(max_examples=300, deadline=None)
@given(operations, st.one_of(st.none(), st.integers(1, 10)))
def test_local_book_equals_the_reference_model(ops: list[tuple[str, object, object]], max_depth: int | None) -> None:
    book = LocalOrderBook(ExchangeEnum.GATEIO, BTC, max_depth=max_depth)
    bids: dict[Decimal, Decimal] = {}
    asks: dict[Decimal, Decimal] = {}
    stale = True
    for sequence, (kind, first, second) in enumerate(ops, start=1):
        if kind == "levels":
            book.apply_levels(first, second, sequence, sequence)  # type: ignore[arg-type]
            apply_reference(bids, first)  # type: ignore[arg-type]
            apply_reference(asks, second)  # type: ignore[arg-type]
        elif kind == "snapshot":
            book.apply_snapshot(first, second, sequence, sequence)  # type: ignore[arg-type]
            bids, asks, stale = {}, {}, False
            apply_reference(bids, first)  # type: ignore[arg-type]
            apply_reference(asks, second)  # type: ignore[arg-type]
        elif kind == "stale":
            book.mark_stale("test")
            stale = True
        else:
            book.truncate(first)  # type: ignore[arg-type]
            truncate_reference(bids, asks, first)  # type: ignore[arg-type]
        if max_depth is not None and kind in ("levels", "snapshot"):
            truncate_reference(bids, asks, max_depth)
        check_view(book.view(), bids, asks, stale)
        depth = 3
        top = book.view(depth)
        assert list(top.bids) == list(book.view().bids[:depth]) and list(top.asks) == list(book.view().asks[:depth])


class ReferenceVenue:
    """A venue book with its state after every sequence number; diffs span ``U..u``."""

    def __init__(self) -> None:
        self.bids: dict[Decimal, Decimal] = {Decimal(10): Decimal(1)}
        self.asks: dict[Decimal, Decimal] = {Decimal(40): Decimal(1)}
        self.sequence = 100
        self.history: dict[int, tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]] = {}
        self._record()

    def _record(self) -> None:
        self.history[self.sequence] = (sorted(self.bids.items(), reverse=True), sorted(self.asks.items()))

    def change(
        self, bid_updates: list[tuple[Decimal, Decimal]], ask_updates: list[tuple[Decimal, Decimal]]
    ) -> OrderBookDiff:
        """One batch: bids stay below 20, asks above 20 (never crossed), each level change one sequence id."""
        first = self.sequence + 1
        bids = [(price, qty) for price, qty in bid_updates if price < 20]
        asks = [(price + 20, qty) for price, qty in ask_updates]
        for price, quantity in bids:
            apply_reference(self.bids, [(price, quantity)])
            self.sequence += 1
            self._record()
        for price, quantity in asks:
            apply_reference(self.asks, [(price, quantity)])
            self.sequence += 1
            self._record()
        if self.sequence < first:  # an empty batch still moves the id (a heartbeat-like update)
            self.sequence += 1
            self._record()
        return OrderBookDiff(ExchangeEnum.GATEIO, BTC, first, self.sequence, bids, asks, self.sequence)

    def snapshot(self) -> OrderBook:
        bids, asks = self.history[self.sequence]
        from app.domain.models import PriceLevel

        return OrderBook(
            ExchangeEnum.GATEIO,
            BTC,
            tuple(PriceLevel(p, q) for p, q in bids),
            tuple(PriceLevel(p, q) for p, q in asks),
            self.sequence,
            0,
        )


stream = st.lists(st.tuples(level_updates, level_updates, st.booleans(), st.booleans()), min_size=1, max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stream)
async def test_a_synchronized_book_is_valid_only_when_equal_to_the_venue_at_its_sequence(
    steps: list[tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]], bool, bool]],
) -> None:
    venue = ReferenceVenue()

    async def fetch(symbol: Symbol) -> OrderBook:
        await asyncio.sleep(0)
        return venue.snapshot()

    sync = BookSynchronizer(ExchangeEnum.GATEIO, BTC, fetch, backoff_base_s=0.001, backoff_max_s=0.002)
    sync.start()
    gap_pending = False
    try:
        for bid_updates, ask_updates, lost, reconnect in steps:
            diff = venue.change(bid_updates, ask_updates)
            if lost:
                gap_pending = True  # the client never sees this batch
            else:
                sync.on_diff(diff)
            if reconnect:
                sync.on_reconnect()
                assert not sync.book.view().is_valid  # stale at once
            view = sync.book.view()
            if view.is_valid:
                assert not gap_pending or sync.snapshots > 0
                bids, asks = venue.history[view.sequence]
                assert [tuple(x) for x in view.bids] == bids and [tuple(x) for x in view.asks] == asks
            await asyncio.sleep(0)
        sync.on_diff(venue.change([], []))
        assert await sync.wait_live(2.0)
        view = sync.book.view()
        assert view.is_valid and view.sequence == venue.sequence
        bids, asks = venue.history[venue.sequence]
        assert [tuple(x) for x in view.bids] == bids and [tuple(x) for x in view.asks] == asks
    finally:
        await sync.close()
