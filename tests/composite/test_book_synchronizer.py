"""BookSynchronizer with hand-made diffs: initial bridge, stale snapshot, gap, crossed book, reconnect,
stream snapshots, bounded retries, single resync at a time, and a seeded stream against a model."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import pytest

from app.composite.book import BookSynchronizer, LocalOrderBook, SyncState
from app.domain.enums import ExchangeEnum
from app.domain.models import OrderBook, OrderBookDiff, PriceLevel
from app.domain.symbol import Symbol
from app.errors import NetworkError

BTC = Symbol("BTC", "USDT")
D = Decimal
Levels = list[tuple[Decimal, Decimal]]


def snapshot(seq: int, bids: Levels | None = None, asks: Levels | None = None) -> OrderBook:
    bids = bids if bids is not None else [(D("100"), D("1"))]
    asks = asks if asks is not None else [(D("101"), D("1"))]
    return OrderBook(
        exchange=ExchangeEnum.GATEIO,
        symbol=BTC,
        bids=tuple(PriceLevel(p, q) for p, q in bids),
        asks=tuple(PriceLevel(p, q) for p, q in asks),
        sequence=seq,
        timestamp_ms=seq * 10,
    )


def diff(
    first: int, last: int, bids: Levels | None = None, asks: Levels | None = None, *, full: bool = False
) -> OrderBookDiff:
    return OrderBookDiff(
        exchange=ExchangeEnum.GATEIO,
        symbol=BTC,
        first_update_id=first,
        last_update_id=last,
        bids=bids or [],
        asks=asks or [],
        timestamp_ms=last * 10,
        is_snapshot=full,
    )


class SnapshotSource:
    """Hands out queued snapshots (or errors) one fetch at a time; records concurrency."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[OrderBook | Exception] = asyncio.Queue()
        self.calls = 0
        self.in_flight = 0
        self.max_in_flight = 0

    def push(self, item: OrderBook | Exception) -> None:
        self.queue.put_nowait(item)

    async def fetch(self, symbol: Symbol) -> OrderBook:
        assert symbol == BTC
        self.calls += 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            item = await self.queue.get()
        finally:
            self.in_flight -= 1
        if isinstance(item, Exception):
            raise item
        return item


@pytest.fixture
async def source() -> SnapshotSource:
    return SnapshotSource()


def make_sync(source: SnapshotSource, **options: Any) -> BookSynchronizer:
    """A BTC synchronizer fed by ``source``; ``options``: its depth, retry, back-off and listener settings."""
    return BookSynchronizer(ExchangeEnum.GATEIO, BTC, source.fetch, **options)


@asynccontextmanager
async def book_sync(source: SnapshotSource, **options: Any) -> AsyncIterator[BookSynchronizer]:
    """:func:`make_sync`, closed on exit."""
    sync = make_sync(source, **options)
    try:
        yield sync
    finally:
        await sync.close()


@pytest.fixture
async def sync(source: SnapshotSource) -> AsyncIterator[BookSynchronizer]:
    async with book_sync(source, depth=50, max_attempts=3, backoff_base_s=0.001, backoff_max_s=0.005) as synchronizer:
        yield synchronizer


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def until_resync_stops(sync: BookSynchronizer) -> None:
    """Let the failing resync rounds run out (bounded)."""
    for _ in range(50):
        await asyncio.sleep(0.002)
        if not sync.resync_running:
            break


async def go_live(sync: BookSynchronizer, source: SnapshotSource, seq: int = 10) -> None:
    sync.start()
    source.push(snapshot(seq))
    assert await sync.wait_live(1.0)


async def test_initial_sync_drops_old_diffs_and_bridges(sync: BookSynchronizer, source: SnapshotSource) -> None:
    sync.start()
    sync.on_diff(diff(5, 8, bids=[(D("1"), D("1"))]))  # u < id+1: dropped
    sync.on_diff(diff(9, 11, bids=[(D("100"), D("3"))]))  # U <= id+1 <= u: bridge
    sync.on_diff(diff(12, 12, asks=[(D("101"), D("0")), (D("102"), D("2"))]))
    assert not sync.book.view().is_valid

    source.push(snapshot(10))
    assert await sync.wait_live(1.0)

    view = sync.book.view()
    assert view.is_valid and view.sequence == 12
    assert view.bids == (PriceLevel(D("100"), D("3")),)
    assert view.asks == (PriceLevel(D("102"), D("2")),)
    assert (sync.gaps, sync.resyncs, sync.snapshots) == (0, 0, 1)


async def test_snapshot_older_than_stream_is_refetched(sync: BookSynchronizer, source: SnapshotSource) -> None:
    sync.start()
    sync.on_diff(diff(20, 22, bids=[(D("99"), D("5"))]))
    source.push(snapshot(10))  # first buffered U=20 > 11: too old
    await settle()
    assert sync.state is SyncState.SYNCING and not sync.book.view().is_valid

    source.push(snapshot(21))
    assert await sync.wait_live(1.0)

    assert sync.snapshots == 2 and sync.gaps == 0
    assert sync.book.view().sequence == 22
    assert sync.book.bids[D("99")] == D("5")


async def test_gap_marks_stale_at_once_then_resyncs(sync: BookSynchronizer, source: SnapshotSource) -> None:
    await go_live(sync, source, 10)
    sync.on_diff(diff(11, 12))
    assert sync.book.view().is_valid

    sync.on_diff(diff(14, 15, bids=[(D("100"), D("9"))]))  # 13 lost

    view = sync.book.view()
    assert not view.is_valid and view.sequence == 12
    assert sync.book.stale_reason is not None and "gap" in sync.book.stale_reason
    assert (sync.gaps, sync.resyncs) == (1, 1)
    sync.on_diff(diff(16, 16, asks=[(D("101"), D("4"))]))  # buffered while syncing

    source.push(snapshot(14))
    assert await sync.wait_live(1.0)
    view = sync.book.view()
    assert view.is_valid and view.sequence == 16
    assert sync.book.bids[D("100")] == D("9") and sync.book.asks[D("101")] == D("4")


async def test_diffs_already_in_the_book_are_ignored(sync: BookSynchronizer, source: SnapshotSource) -> None:
    await go_live(sync, source, 10)

    sync.on_diff(diff(3, 10, bids=[(D("50"), D("1"))]))

    assert sync.book.view().is_valid and D("50") not in sync.book.bids and sync.gaps == 0


async def test_overlap_after_bridge_counts_as_gap(sync: BookSynchronizer, source: SnapshotSource) -> None:
    await go_live(sync, source, 10)
    sync.on_diff(diff(11, 12))

    sync.on_diff(diff(12, 14))  # continuity requires U == 13 once bridged

    assert not sync.book.view().is_valid and sync.gaps == 1


async def test_crossed_book_is_stale_and_resynced(sync: BookSynchronizer, source: SnapshotSource) -> None:
    await go_live(sync, source, 10)

    sync.on_diff(diff(11, 11, bids=[(D("101.5"), D("1"))]))

    assert not sync.book.view().is_valid
    assert sync.book.stale_reason is not None and "crossed" in sync.book.stale_reason
    assert sync.resyncs == 1 and sync.resync_running
    source.push(snapshot(11))
    assert await sync.wait_live(1.0)
    assert sync.book.view().is_valid


async def test_crossed_rest_snapshot_is_not_accepted(sync: BookSynchronizer, source: SnapshotSource) -> None:
    sync.start()
    source.push(snapshot(10, bids=[(D("102"), D("1"))]))
    await settle()

    assert not sync.book.view().is_valid and sync.state is SyncState.SYNCING

    source.push(snapshot(11))
    assert await sync.wait_live(1.0)


async def test_reconnect_marks_stale_and_resyncs(sync: BookSynchronizer, source: SnapshotSource) -> None:
    await go_live(sync, source, 10)

    sync.on_reconnect()

    assert not sync.book.view().is_valid and sync.book.stale_reason == "stream reconnected"
    assert sync.resyncs == 1
    sync.on_diff(diff(40, 41, bids=[(D("100"), D("2"))]))
    source.push(snapshot(40))
    assert await sync.wait_live(1.0)
    assert sync.book.view().sequence == 41 and sync.book.bids[D("100")] == D("2")


async def test_stream_snapshot_replaces_the_book(sync: BookSynchronizer, source: SnapshotSource) -> None:
    await go_live(sync, source, 10)

    sync.on_diff(diff(0, 50, bids=[(D("90"), D("1"))], asks=[(D("95"), D("1"))], full=True))
    sync.on_diff(diff(51, 51, asks=[(D("96"), D("2"))]))

    view = sync.book.view()
    assert view.is_valid and view.sequence == 51
    assert [level.price for level in view.bids] == [D("90")]
    assert [level.price for level in view.asks] == [D("95"), D("96")]


async def test_stream_snapshot_ends_a_pending_resync(sync: BookSynchronizer, source: SnapshotSource) -> None:
    sync.start()

    sync.on_diff(diff(0, 50, bids=[(D("90"), D("1"))], full=True))
    assert sync.book.view().is_valid
    source.push(snapshot(5))  # arrives late: discarded
    await settle()

    assert sync.book.view().sequence == 50 and not sync.resync_running


async def test_only_one_resync_at_a_time(sync: BookSynchronizer, source: SnapshotSource) -> None:
    await go_live(sync, source, 10)

    sync.on_diff(diff(20, 21))
    sync.on_reconnect()
    sync.invalidate("checksum mismatch")
    sync.on_diff(diff(30, 31))
    await settle()

    assert source.in_flight == 1 and source.max_in_flight == 1
    assert sync.resyncs == 1
    source.push(snapshot(30))
    assert await sync.wait_live(1.0)


async def test_resync_retries_are_bounded_then_resume_after_the_cooldown(source: SnapshotSource) -> None:
    async with book_sync(
        source, max_attempts=3, backoff_base_s=0.001, backoff_max_s=0.002, retry_cooldown_s=0.1
    ) as sync:
        for _ in range(3):
            source.push(NetworkError("down"))
        sync.start()
        await until_resync_stops(sync)

        assert source.calls == 3 and not sync.resync_running
        assert sync.book.stale_reason == "resync failed after 3 attempts"

        sync.on_diff(diff(11, 11))  # within the cooldown: buffered, no new round yet
        assert source.calls == 3 and not sync.resync_running
        source.push(snapshot(10))
        assert await sync.wait_live(1.0)  # the round after the cooldown bridges with the buffered diff
        assert source.calls == 4 and sync.book.view().sequence == 11


async def test_after_giving_up_a_quiet_stream_is_resynced_when_the_cooldown_ends(source: SnapshotSource) -> None:
    async with book_sync(
        source, max_attempts=2, backoff_base_s=0.001, backoff_max_s=0.002, retry_cooldown_s=0.05
    ) as sync:
        for _ in range(2):
            source.push(NetworkError("down"))
        source.push(snapshot(10))  # there for the round after the cooldown; no diff ever arrives
        sync.start()
        assert await sync.wait_live(2.0)
        assert source.calls == 3 and sync.book.view().is_valid and sync.book.sequence == 10


async def test_closing_cancels_a_pending_retry(source: SnapshotSource) -> None:
    sync = make_sync(source, max_attempts=1, backoff_base_s=0.001, retry_cooldown_s=0.02)
    source.push(NetworkError("down"))
    sync.start()
    await until_resync_stops(sync)
    await sync.close()
    await asyncio.sleep(0.05)  # past the cooldown: no new round after close
    assert source.calls == 1 and not sync.resync_running


async def test_empty_diff_still_advances_sequence(sync: BookSynchronizer, source: SnapshotSource) -> None:
    await go_live(sync, source, 10)

    sync.on_diff(diff(11, 13))
    sync.on_diff(diff(14, 14, bids=[(D("100"), D("2"))]))

    assert sync.book.view().is_valid and sync.book.sequence == 14 and sync.gaps == 0


async def test_listener_sees_every_applied_update(source: SnapshotSource) -> None:
    seen: list[tuple[int, bool]] = []

    def listener(book: LocalOrderBook) -> None:
        seen.append((book.sequence, book.is_valid))

    async with book_sync(source, on_update=listener, backoff_base_s=0.001) as sync:
        await go_live(sync, source, 10)
        sync.on_diff(diff(11, 11))
        sync.on_diff(diff(13, 13))  # gap: listener told the book went invalid
        assert seen == [(10, True), (11, True), (11, False)]


async def test_close_cancels_the_resync_task(sync: BookSynchronizer, source: SnapshotSource) -> None:
    sync.start()
    assert sync.resync_running

    await sync.close()

    assert not sync.resync_running and sync.state is SyncState.CLOSED
    sync.on_diff(diff(1, 1))
    assert not sync.book.view().is_valid


async def test_seeded_stream_with_lost_messages_matches_model(source: SnapshotSource) -> None:
    """A random stream of batched updates with random losses; every valid view equals the model."""
    rnd = random.Random(1234)
    model: list[tuple[dict[Decimal, Decimal], dict[Decimal, Decimal]]] = [({}, {})]  # state per update id
    bids: dict[Decimal, Decimal] = {D(100 - i): D(1) for i in range(1, 6)}
    asks: dict[Decimal, Decimal] = {D(100 + i): D(1) for i in range(1, 6)}
    model[0] = (dict(bids), dict(asks))

    def model_snapshot(seq: int) -> OrderBook:
        b, a = model[seq]
        return snapshot(seq, sorted(b.items(), reverse=True), sorted(a.items()))

    async with book_sync(source, backoff_base_s=0.001, backoff_max_s=0.002) as sync:
        sync.start()
        source.push(model_snapshot(0))
        assert await sync.wait_live(1.0)
        checked = 0
        seq = 0
        for _ in range(400):
            first = seq + 1
            changes_b: Levels = []
            changes_a: Levels = []
            for _ in range(rnd.randint(1, 4)):  # one update id per change
                seq += 1
                side, changes, lo, hi = rnd.choice(((bids, changes_b, 90, 99), (asks, changes_a, 101, 110)))
                price = D(rnd.randint(lo, hi))
                qty = D(rnd.choice([0, 1, 2, 3]))
                if qty:
                    side[price] = qty
                else:
                    side.pop(price, None)
                changes[:] = [c for c in changes if c[0] != price] + [(price, qty)]
                model.append((dict(bids), dict(asks)))
            message = diff(first, seq, changes_b, changes_a)
            if rnd.random() < 0.03:
                continue  # lost message
            sync.on_diff(message)
            if sync.resync_running:
                if source.queue.empty():
                    source.push(model_snapshot(seq - rnd.randint(0, 2)))
                await asyncio.sleep(0.001)  # let the resync task fetch (or back off)
            view = sync.book.view()
            if view.is_valid:
                b, a = model[view.sequence]
                assert dict((lvl.price, lvl.quantity) for lvl in view.bids) == b
                assert dict((lvl.price, lvl.quantity) for lvl in view.asks) == a
                checked += 1
        assert sync.gaps > 0 and checked > 200
