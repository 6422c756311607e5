"""Local order books: the mutable per-symbol book and the venue-independent diff/snapshot synchronizer.

The synchronizer implements the official Gate.io algorithm (reference gateio.md 9.4), which is also
MEXC's ``fromVersion``/``toVersion`` rule: buffer stream diffs, fetch a REST snapshot whose ``sequence``
is the snapshot id, drop diffs with ``u <= id``, bridge with the diff where ``U <= id + 1 <= u``, then
require ``U == local + 1`` for every further diff. A gap, a crossed book or a reconnect marks the book
stale at once (its view reports ``is_valid=False``) and starts one bounded, backed-off resync.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from bisect import bisect_left, insort
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from decimal import Decimal
from enum import StrEnum

from app.domain.enums import ExchangeEnum
from app.domain.models import OrderBook, OrderBookDiff, PriceLevel
from app.domain.symbol import Symbol

Level = tuple[Decimal, Decimal]
SnapshotFetcher = Callable[[Symbol], Awaitable[OrderBook]]
BookListener = Callable[["LocalOrderBook"], None]

NOT_SYNCED = "not synced yet"


class LocalOrderBook:
    """The mutable book of one symbol: ``bids``/``asks`` map price -> quantity (absolute; 0 deletes).

    Alongside each dict a price list is kept sorted with :mod:`bisect` (ascending for both sides; the best
    bid is the last element). Measured on 20k messages of 8 levels over a 100-level window, a sorted list
    costs ~4-6 us per message including one top-10 read, against ~16 us for a dict sorted lazily on read
    (dirty flag): the strategy reads after nearly every write, and most writes only change the quantity of
    an existing level (one dict store), so keeping the order incrementally wins. Views are cached per
    depth until the next write.

    The book starts stale (``NOT_SYNCED``); :meth:`apply_snapshot` clears the flag and
    :meth:`mark_stale` sets it. A stale or crossed book never produces a valid view.
    """

    __slots__ = (
        "_ask_prices",
        "_bid_prices",
        "_views",
        "asks",
        "bids",
        "exchange",
        "max_depth",
        "sequence",
        "stale",
        "stale_reason",
        "symbol",
        "timestamp_ms",
    )

    def __init__(self, exchange: ExchangeEnum, symbol: Symbol, *, max_depth: int | None = None) -> None:
        if max_depth is not None and max_depth < 1:
            raise ValueError("max_depth must be >= 1")
        self.exchange = exchange
        self.symbol = symbol
        self.max_depth = max_depth
        self.bids: dict[Decimal, Decimal] = {}
        self.asks: dict[Decimal, Decimal] = {}
        self._bid_prices: list[Decimal] = []
        self._ask_prices: list[Decimal] = []
        self._views: dict[int | None, OrderBook] = {}
        self.sequence = 0
        self.timestamp_ms = 0
        self.stale = True
        self.stale_reason: str | None = NOT_SYNCED

    # --- writes ----------------------------------------------------------------------------------
    def apply_snapshot(self, bids: Iterable[Level], asks: Iterable[Level], sequence: int, timestamp_ms: int) -> None:
        """Replace the whole book; the book is no longer stale (a crossed snapshot is still invalid)."""
        self.bids.clear()
        self.asks.clear()
        self._bid_prices.clear()
        self._ask_prices.clear()
        self._apply_side(self.bids, self._bid_prices, bids)
        self._apply_side(self.asks, self._ask_prices, asks)
        if self.max_depth is not None:
            self.truncate(self.max_depth)
        self.sequence = sequence
        self.timestamp_ms = timestamp_ms
        self.stale = False
        self.stale_reason = None
        self._invalidate_views()

    def apply_snapshot_book(self, book: OrderBook) -> None:
        """Replace the book with an immutable :class:`OrderBook` (e.g. a REST snapshot)."""
        self.apply_snapshot(
            ((level.price, level.quantity) for level in book.bids),
            ((level.price, level.quantity) for level in book.asks),
            book.sequence,
            book.timestamp_ms,
        )

    def apply_levels(self, bids: Iterable[Level], asks: Iterable[Level], sequence: int, timestamp_ms: int) -> None:
        """Apply absolute level quantities (0 deletes the level), then truncate to ``max_depth``."""
        self._apply_side(self.bids, self._bid_prices, bids)
        self._apply_side(self.asks, self._ask_prices, asks)
        if self.max_depth is not None:
            self.truncate(self.max_depth)
        self.sequence = sequence
        self.timestamp_ms = timestamp_ms
        self._invalidate_views()

    def truncate(self, depth: int) -> None:
        """Keep only the best ``depth`` levels per side (deeper levels are not maintained by the stream)."""
        excess = len(self._bid_prices) - depth
        if excess > 0:
            for price in self._bid_prices[:excess]:
                del self.bids[price]
            del self._bid_prices[:excess]
        if len(self._ask_prices) > depth:
            for price in self._ask_prices[depth:]:
                del self.asks[price]
            del self._ask_prices[depth:]
        self._invalidate_views()

    def mark_stale(self, reason: str) -> None:
        """Flag the book as not proven continuous; views report ``is_valid=False`` until a snapshot."""
        self.stale = True
        self.stale_reason = reason
        self._invalidate_views()

    def clear(self, reason: str = NOT_SYNCED) -> None:
        """Drop every level and mark the book stale."""
        self.bids.clear()
        self.asks.clear()
        self._bid_prices.clear()
        self._ask_prices.clear()
        self.mark_stale(reason)

    # --- reads -----------------------------------------------------------------------------------
    def best_bid(self) -> Level | None:
        if not self._bid_prices:
            return None
        price = self._bid_prices[-1]
        return price, self.bids[price]

    def best_ask(self) -> Level | None:
        if not self._ask_prices:
            return None
        price = self._ask_prices[0]
        return price, self.asks[price]

    @property
    def is_crossed(self) -> bool:
        """True when the best bid is at or above the best ask (a corrupted or out-of-sync book)."""
        return bool(self._bid_prices and self._ask_prices and self._bid_prices[-1] >= self._ask_prices[0])

    @property
    def is_valid(self) -> bool:
        return not self.stale and not self.is_crossed

    def bid_levels(self, depth: int | None = None) -> list[Level]:
        """Bids best (highest) first."""
        prices = self._bid_prices if depth is None else self._bid_prices[-depth:] if depth > 0 else []
        bids = self.bids
        return [(price, bids[price]) for price in reversed(prices)]

    def ask_levels(self, depth: int | None = None) -> list[Level]:
        """Asks best (lowest) first."""
        prices = self._ask_prices if depth is None else self._ask_prices[:depth]
        asks = self.asks
        return [(price, asks[price]) for price in prices]

    def view(self, depth: int | None = None) -> OrderBook:
        """An immutable snapshot of the top ``depth`` levels (all when None), cached until the next write."""
        cached = self._views.get(depth)
        if cached is not None:
            return cached
        view = OrderBook(
            exchange=self.exchange,
            symbol=self.symbol,
            bids=tuple(PriceLevel(price, qty) for price, qty in self.bid_levels(depth)),
            asks=tuple(PriceLevel(price, qty) for price, qty in self.ask_levels(depth)),
            sequence=self.sequence,
            timestamp_ms=self.timestamp_ms,
            is_valid=self.is_valid,
        )
        self._views[depth] = view
        return view

    def __len__(self) -> int:
        return len(self.bids) + len(self.asks)

    def __repr__(self) -> str:
        return (
            f"LocalOrderBook({self.exchange.value} {self.symbol} seq={self.sequence} "
            f"bids={len(self.bids)} asks={len(self.asks)} stale={self.stale_reason!r})"
        )

    # --- internals -------------------------------------------------------------------------------
    def _invalidate_views(self) -> None:
        if self._views:
            self._views.clear()

    @staticmethod
    def _apply_side(levels: dict[Decimal, Decimal], prices: list[Decimal], updates: Iterable[Level]) -> None:
        for price, quantity in updates:
            if quantity > 0:
                if price not in levels:
                    insort(prices, price)
                levels[price] = quantity
            elif levels.pop(price, None) is not None:
                del prices[bisect_left(prices, price)]


class SyncState(StrEnum):
    SYNCING = "syncing"  # buffering diffs, a snapshot fetch is due or running
    LIVE = "live"  # continuity proven since the last snapshot
    CLOSED = "closed"


class BookSynchronizer:
    """Keeps one :class:`LocalOrderBook` continuous from stream diffs plus REST snapshots.

    ``on_diff`` is called synchronously by the stream handler for every diff (hot path: no awaits, no
    logging above DEBUG). Snapshots come from the injected ``fetch_snapshot(symbol)``, whose result's
    ``sequence`` is the venue's snapshot id. At most one resync task runs per synchronizer; it makes up to
    ``max_attempts`` fetches with exponential backoff, after which the book stays stale and the next diff
    starts a new round once ``retry_cooldown_s`` has passed. Diffs with ``is_snapshot=True`` replace the
    book directly. Counters: ``resyncs`` (resync rounds started after losing sync), ``gaps`` (sequence
    gaps seen), ``snapshots`` (REST snapshots fetched).
    """

    def __init__(
        self,
        exchange: ExchangeEnum,
        symbol: Symbol,
        fetch_snapshot: SnapshotFetcher,
        *,
        depth: int | None = None,
        on_update: BookListener | None = None,
        max_buffer: int = 5000,
        max_attempts: int = 5,
        backoff_base_s: float = 0.1,
        backoff_max_s: float = 5.0,
        retry_cooldown_s: float | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        self.symbol = symbol
        self.book = LocalOrderBook(exchange, symbol, max_depth=depth)
        self.on_update = on_update
        self.resyncs = 0
        self.gaps = 0
        self.snapshots = 0
        self._fetch_snapshot = fetch_snapshot
        self._max_attempts = max(1, max_attempts)
        self._backoff_base_s = backoff_base_s
        self._backoff_max_s = backoff_max_s
        self._retry_cooldown_s = backoff_max_s if retry_cooldown_s is None else retry_cooldown_s
        self._log = logger or logging.getLogger(__name__)
        self._buffer: deque[OrderBookDiff] = deque(maxlen=max_buffer)
        self._state = SyncState.SYNCING
        self._awaiting_bridge = False
        self._task: asyncio.Task[None] | None = None
        self._failed_at: float | None = None
        self._live = asyncio.Event()

    @property
    def state(self) -> SyncState:
        return self._state

    @property
    def resync_running(self) -> bool:
        return self._task is not None and not self._task.done()

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        """Start the initial sync (must be called inside the running loop)."""
        if self._state is SyncState.SYNCING:
            self._start_resync()

    async def wait_live(self, timeout_s: float) -> bool:
        """Wait until the book is live (synced); False on timeout."""
        try:
            await asyncio.wait_for(self._live.wait(), timeout_s)
        except TimeoutError:
            return False
        return True

    async def close(self) -> None:
        """Cancel the resync task and mark the book stale; idempotent."""
        self._state = SyncState.CLOSED
        self._live.clear()
        self._buffer.clear()
        self.book.mark_stale("closed")
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # --- stream input (hot path) -------------------------------------------------------------------
    def on_diff(self, diff: OrderBookDiff) -> None:
        """Feed one stream message; applies, buffers, or flags a gap and starts a resync."""
        state = self._state
        if state is SyncState.LIVE and not diff.is_snapshot:
            if self._apply_live(diff):
                self._notify()
            return
        if state is SyncState.CLOSED:
            return
        if diff.is_snapshot:
            self._install_stream_snapshot(diff)
            return
        self._buffer.append(diff)
        if not self.resync_running and self._cooldown_over():
            self._start_resync()

    def on_reconnect(self) -> None:
        """The stream reconnected: diffs may be lost, so mark stale and resync from a fresh snapshot."""
        if self._state is not SyncState.CLOSED:
            # buffered diffs stay: they are real venue updates, and continuity is checked on each one
            self._lose_sync("stream reconnected", count_resync=True)

    def invalidate(self, reason: str) -> None:
        """Mark the book stale for ``reason`` and resync (e.g. a checksum mismatch seen by the caller)."""
        if self._state is not SyncState.CLOSED:
            self._lose_sync(reason, count_resync=True)

    # --- internals -------------------------------------------------------------------------------
    def _apply_live(self, diff: OrderBookDiff) -> bool:
        """Apply a diff to a live book; returns True when the book (or its validity) changed."""
        book = self.book
        expected = book.sequence + 1
        if diff.last_update_id < expected:
            return False  # already contained in the book
        first = diff.first_update_id
        if first == expected or (self._awaiting_bridge and first <= expected):
            book.apply_levels(diff.bids, diff.asks, diff.last_update_id, diff.timestamp_ms)
            self._awaiting_bridge = False
            if book.is_crossed:
                self._lose_sync(f"crossed book at sequence {diff.last_update_id}", count_resync=True)
            return True
        if self._awaiting_bridge:
            reason = f"snapshot {book.sequence} older than the stream (first U={first})"
        else:
            self.gaps += 1
            reason = f"sequence gap: expected U={expected}, got U={first}"
        self._buffer.appendleft(diff)
        self._lose_sync(reason, count_resync=True)
        return True

    def _install_stream_snapshot(self, diff: OrderBookDiff) -> None:
        self._buffer.clear()
        self.book.apply_snapshot(diff.bids, diff.asks, diff.last_update_id, diff.timestamp_ms)
        self._go_live(awaiting_bridge=False)
        if self.book.is_crossed:
            self._lose_sync(f"crossed snapshot at sequence {diff.last_update_id}", count_resync=True)
        self._notify()

    def _install_rest_snapshot(self, snapshot: OrderBook) -> bool:
        """Apply a fetched snapshot and drain the buffer; True when the book ends live."""
        self.book.apply_snapshot_book(snapshot)
        self._go_live(awaiting_bridge=True)
        if self.book.is_crossed:
            self._lose_sync(f"crossed snapshot at sequence {snapshot.sequence}", count_resync=False)
            return False
        buffer = self._buffer
        while buffer and self._state is SyncState.LIVE:
            diff = buffer.popleft()
            if diff.is_snapshot:
                self._install_stream_snapshot(diff)
            else:
                self._apply_live(diff)
        live = self._state is SyncState.LIVE
        if live:
            self._notify()
        return live

    def _go_live(self, *, awaiting_bridge: bool) -> None:
        self._state = SyncState.LIVE
        self._awaiting_bridge = awaiting_bridge
        self._failed_at = None
        self._live.set()

    def _lose_sync(self, reason: str, *, count_resync: bool) -> None:
        self.book.mark_stale(reason)
        self._state = SyncState.SYNCING
        self._awaiting_bridge = False
        self._live.clear()
        if self._log.isEnabledFor(logging.DEBUG):
            self._log.debug("%s %s stale: %s", self.book.exchange.value, self.symbol, reason)
        if not self.resync_running:
            if count_resync:
                self.resyncs += 1
            self._failed_at = None
            self._start_resync()

    def _start_resync(self) -> None:
        self._task = asyncio.get_running_loop().create_task(
            self._resync(), name=f"book-resync:{self.book.exchange.value}:{self.symbol}"
        )

    def _cooldown_over(self) -> bool:
        return self._failed_at is None or time.monotonic() - self._failed_at >= self._retry_cooldown_s

    def _backoff(self, attempt: int) -> float:
        delay: float = min(self._backoff_max_s, self._backoff_base_s * 2.0 ** (attempt - 1))
        return delay * (0.5 + random.random() / 2)  # jitter, not crypto

    async def _resync(self) -> None:
        for attempt in range(1, self._max_attempts + 1):
            if self._state is not SyncState.SYNCING:
                return
            try:
                snapshot = await self._fetch_snapshot(self.symbol)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._log.warning(
                    "%s %s snapshot fetch failed (attempt %d/%d): %r",
                    self.book.exchange.value,
                    self.symbol,
                    attempt,
                    self._max_attempts,
                    exc,
                )
            else:
                self.snapshots += 1
                if self._state is not SyncState.SYNCING:
                    return  # a stream snapshot made the book live meanwhile
                if self._install_rest_snapshot(snapshot):
                    return
            if attempt < self._max_attempts:
                await asyncio.sleep(self._backoff(attempt))
        if self._state is SyncState.SYNCING:
            self._failed_at = time.monotonic()
            self.book.mark_stale(f"resync failed after {self._max_attempts} attempts")
            self._log.error(
                "%s %s: order book resync failed after %d attempts; retrying on the next diff",
                self.book.exchange.value,
                self.symbol,
                self._max_attempts,
            )

    def _notify(self) -> None:
        listener = self.on_update
        if listener is not None:
            listener(self.book)
