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
from bisect import bisect_left
from collections import deque
from collections.abc import Awaitable, Callable, Iterable
from decimal import Decimal
from enum import StrEnum
from typing import Any

from app.domain.enums import ExchangeEnum
from app.domain.models import OrderBook, OrderBookDiff, PriceLevel
from app.domain.symbol import Symbol

Level = tuple[Decimal, Decimal]
SnapshotFetcher = Callable[[Symbol], Awaitable[OrderBook]]
BookListener = Callable[["LocalOrderBook"], None]

NOT_SYNCED = "not synced yet"
_ZERO = Decimal(0)
_new_tuple = tuple.__new__  # PriceLevel(p, q) through the named tuple's Python __new__ costs ~2x this


def _fast_constructor() -> Callable[
    [ExchangeEnum, Symbol, tuple[PriceLevel, ...], tuple[PriceLevel, ...], int, int, bool], OrderBook
]:
    """Build :class:`OrderBook` views through its slot descriptors (the frozen dataclass ``__init__`` goes
    through ``object.__setattr__`` per field, which costs as much as copying 100 levels; measured in
    ``scripts/bench``). The result is an ordinary frozen ``OrderBook`` (eq, repr, ``replace`` unchanged)."""
    new = object.__new__
    set_exchange, set_symbol, set_bids, set_asks, set_sequence, set_timestamp, set_valid = (
        getattr(OrderBook, name).__set__
        for name in ("exchange", "symbol", "bids", "asks", "sequence", "timestamp_ms", "is_valid")
    )

    def make(
        exchange: ExchangeEnum,
        symbol: Symbol,
        bids: tuple[PriceLevel, ...],
        asks: tuple[PriceLevel, ...],
        sequence: int,
        timestamp_ms: int,
        is_valid: bool,
    ) -> OrderBook:
        view: OrderBook = new(OrderBook)
        set_exchange(view, exchange)
        set_symbol(view, symbol)
        set_bids(view, bids)
        set_asks(view, asks)
        set_sequence(view, sequence)
        set_timestamp(view, timestamp_ms)
        set_valid(view, is_valid)
        return view

    return make


_make_view = _fast_constructor()


class LocalOrderBook:
    """The mutable book of one symbol, kept as two sorted parallel lists per side.

    Per side: ``prices`` (ascending ``Decimal``) for :mod:`bisect`, and ``levels`` (the same order) holding
    immutable :class:`PriceLevel` objects, so a view is two C-level slices and a level decoded from the
    stream is stored as is (no allocation per change). Every change costs one bisect (O(log n)) plus a
    list store, insert or delete (a memmove of at most ``max_depth`` pointers); best bid / ask are O(1)
    (the best bid is the last element). Measured in ``scripts/bench``: the previous dict + sorted-list
    book built 200 ``PriceLevel`` objects for every emitted 100-level view (~75 us of ~95 us per message);
    now a view costs two slices. Views are cached per depth until the next write.

    The book starts stale (``NOT_SYNCED``); :meth:`apply_snapshot` clears the flag and
    :meth:`mark_stale` sets it. A stale or crossed book never produces a valid view.

    Levels are read by ``level.price`` / ``level.quantity``. A :class:`PriceLevel` is in base units; with a
    ``quantity_scale`` the book also stores the venue's own level objects as decoded (Gate futures: sizes
    in contracts, base = quantity x scale) and replaces each by a base-unit ``PriceLevel`` the first time a
    read reaches it: a diff costs no per-level conversion, a view converts only the levels it shows that
    changed since the last read. Plain ``(price, quantity)`` tuples are taken as base units.
    """

    __slots__ = (
        "_ask_levels",
        "_ask_prices",
        "_bid_levels",
        "_bid_prices",
        "_views",
        "exchange",
        "max_depth",
        "quantity_scale",
        "sequence",
        "stale",
        "stale_reason",
        "symbol",
        "timestamp_ms",
    )

    def __init__(
        self,
        exchange: ExchangeEnum,
        symbol: Symbol,
        *,
        max_depth: int | None = None,
        quantity_scale: Decimal | None = None,
    ) -> None:
        if max_depth is not None and max_depth < 1:
            raise ValueError("max_depth must be >= 1")
        if quantity_scale is not None and not quantity_scale > 0:
            raise ValueError("quantity_scale must be > 0")
        self.exchange = exchange
        self.symbol = symbol
        self.max_depth = max_depth
        self.quantity_scale = quantity_scale
        self._bid_prices: list[Decimal] = []
        self._ask_prices: list[Decimal] = []
        # PriceLevel (base units) or, with a quantity_scale, a venue level converted on first read
        self._bid_levels: list[Any] = []
        self._ask_levels: list[Any] = []
        self._views: dict[int | None, OrderBook] = {}
        self.sequence = 0
        self.timestamp_ms = 0
        self.stale = True
        self.stale_reason: str | None = NOT_SYNCED

    @property
    def bids(self) -> dict[Decimal, Decimal]:
        """A copy of the bids as price -> quantity (not for hot paths)."""
        return {level.price: level.quantity for level in self._bids_best_first(None)}

    @property
    def asks(self) -> dict[Decimal, Decimal]:
        """A copy of the asks as price -> quantity (not for hot paths)."""
        return {level.price: level.quantity for level in self.ask_levels()}

    # --- writes ----------------------------------------------------------------------------------
    def apply_snapshot(self, bids: Iterable[Any], asks: Iterable[Any], sequence: int, timestamp_ms: int) -> None:
        """Replace the whole book; the book is no longer stale (a crossed snapshot is still invalid)."""
        self._bid_prices.clear()
        self._ask_prices.clear()
        self._bid_levels.clear()
        self._ask_levels.clear()
        self._apply_side(self._bid_prices, self._bid_levels, bids)
        self._apply_side(self._ask_prices, self._ask_levels, asks)
        if self.max_depth is not None:
            self.truncate(self.max_depth)
        self.sequence = sequence
        self.timestamp_ms = timestamp_ms
        self.stale = False
        self.stale_reason = None
        self._invalidate_views()

    def apply_snapshot_book(self, book: OrderBook) -> None:
        """Replace the book with an immutable :class:`OrderBook` (e.g. a REST snapshot)."""
        self.apply_snapshot(book.bids, book.asks, book.sequence, book.timestamp_ms)

    def apply_levels(self, bids: Iterable[Any], asks: Iterable[Any], sequence: int, timestamp_ms: int) -> None:
        """Apply absolute level quantities (0 deletes the level), then truncate to ``max_depth``."""
        if bids.__class__ is list and asks.__class__ is list:  # the stream's case: one call layer less
            try:
                _apply_levels(self._bid_prices, self._bid_levels, bids)
                _apply_levels(self._ask_prices, self._ask_levels, asks)
            except AttributeError:  # plain tuples: the careful way, all again (absolute quantities: idempotent)
                self._apply_side(self._bid_prices, self._bid_levels, bids)
                self._apply_side(self._ask_prices, self._ask_levels, asks)
        else:
            self._apply_side(self._bid_prices, self._bid_levels, bids)
            self._apply_side(self._ask_prices, self._ask_levels, asks)
        max_depth = self.max_depth
        if max_depth is not None and (len(self._bid_prices) > max_depth or len(self._ask_prices) > max_depth):
            self.truncate(max_depth)
        self.sequence = sequence
        self.timestamp_ms = timestamp_ms
        if self._views:
            self._views.clear()

    def truncate(self, depth: int) -> None:
        """Keep only the best ``depth`` levels per side (deeper levels are not maintained by the stream)."""
        excess = len(self._bid_prices) - depth
        if excess > 0:
            del self._bid_prices[:excess]
            del self._bid_levels[:excess]
        if len(self._ask_prices) > depth:
            del self._ask_prices[depth:]
            del self._ask_levels[depth:]
        self._invalidate_views()

    def mark_stale(self, reason: str) -> None:
        """Flag the book as not proven continuous; views report ``is_valid=False`` until a snapshot."""
        self.stale = True
        self.stale_reason = reason
        self._invalidate_views()

    def clear(self, reason: str = NOT_SYNCED) -> None:
        """Drop every level and mark the book stale."""
        self._bid_prices.clear()
        self._ask_prices.clear()
        self._bid_levels.clear()
        self._ask_levels.clear()
        self.mark_stale(reason)

    # --- reads -----------------------------------------------------------------------------------
    def best_bid(self) -> PriceLevel | None:
        levels = self._bid_levels
        if not levels:
            return None
        self._settle(1)
        best: PriceLevel = levels[-1]
        return best

    def best_ask(self) -> PriceLevel | None:
        levels = self._ask_levels
        if not levels:
            return None
        self._settle(1)
        best: PriceLevel = levels[0]
        return best

    @property
    def is_crossed(self) -> bool:
        """True when the best bid is at or above the best ask (a corrupted or out-of-sync book)."""
        return bool(self._bid_prices and self._ask_prices and self._bid_prices[-1] >= self._ask_prices[0])

    @property
    def is_valid(self) -> bool:
        return not self.stale and not self.is_crossed

    def bid_levels(self, depth: int | None = None) -> list[PriceLevel]:
        """Bids best (highest) first."""
        return self._bids_best_first(depth)

    def ask_levels(self, depth: int | None = None) -> list[PriceLevel]:
        """Asks best (lowest) first."""
        self._settle(depth)
        return self._ask_levels[:] if depth is None else self._ask_levels[: max(depth, 0)]

    def view(self, depth: int | None = None) -> OrderBook:
        """An immutable snapshot of the top ``depth`` levels (all when None), cached until the next write."""
        cached = self._views.get(depth)
        if cached is not None:
            return cached
        self._settle(depth)
        bids, asks = self._bid_levels, self._ask_levels
        if depth is None or depth >= len(bids):
            bid_view = tuple(bids[::-1])  # a reversed slice: ~2x cheaper than tuple(reversed(...))
        else:
            bid_view = tuple(bids[: -depth - 1 : -1]) if depth > 0 else ()
        ask_view = tuple(asks) if depth is None or depth >= len(asks) else tuple(asks[: max(depth, 0)])
        bid_prices, ask_prices = self._bid_prices, self._ask_prices
        crossed = bool(bid_prices and ask_prices and bid_prices[-1] >= ask_prices[0])
        view = _make_view(
            self.exchange,
            self.symbol,
            bid_view,
            ask_view,
            self.sequence,
            self.timestamp_ms,
            not self.stale and not crossed,
        )
        self._views[depth] = view
        return view

    def __len__(self) -> int:
        return len(self._bid_prices) + len(self._ask_prices)

    def __repr__(self) -> str:
        return (
            f"LocalOrderBook({self.exchange.value} {self.symbol} seq={self.sequence} "
            f"bids={len(self._bid_prices)} asks={len(self._ask_prices)} stale={self.stale_reason!r})"
        )

    # --- internals -------------------------------------------------------------------------------
    def _bids_best_first(self, depth: int | None) -> list[PriceLevel]:
        self._settle(depth)
        levels = self._bid_levels
        if depth is None:
            return levels[::-1]
        return levels[: -depth - 1 : -1] if depth > 0 else []

    def _settle(self, depth: int | None) -> None:
        """With a ``quantity_scale``: the best ``depth`` levels per side (all when None) become base-unit
        PriceLevels, each venue level converted once; nothing to do otherwise."""
        scale = self.quantity_scale
        if scale is None:
            return
        level_type = PriceLevel
        bids, asks = self._bid_levels, self._ask_levels
        shown_bids = len(bids) if depth is None else min(max(depth, 0), len(bids))
        shown_asks = len(asks) if depth is None else min(max(depth, 0), len(asks))
        for levels, start, stop in ((bids, len(bids) - shown_bids, len(bids)), (asks, 0, shown_asks)):
            for index in range(start, stop):
                level = levels[index]
                if level.__class__ is not level_type:
                    levels[index] = _new_tuple(level_type, (level.price, level.quantity * scale))

    def _invalidate_views(self) -> None:
        if self._views:
            self._views.clear()

    @staticmethod
    def _apply_side(prices: list[Decimal], levels: list[Any], updates: Iterable[Any]) -> None:
        if updates.__class__ is not list and updates.__class__ is not tuple:
            updates = list(updates)  # may be read twice below
        try:
            _apply_levels(prices, levels, updates)
        except AttributeError:  # plain (price, quantity) tuples: as PriceLevels, all again (absolute: idempotent)
            _apply_levels(prices, levels, [PriceLevel(price, quantity) for price, quantity in updates])


def _apply_levels(prices: list[Decimal], levels: list[Any], updates: Iterable[Any]) -> None:
    """The per-level write (hot path): one bisect, then a store, insert or delete."""
    for level in updates:
        price = level.price
        quantity = level.quantity
        index = bisect_left(prices, price)
        if index < len(prices) and prices[index] == price:
            if quantity > _ZERO:  # Decimal vs Decimal: 2.5x cheaper than comparing with the int 0
                levels[index] = level
            else:
                del prices[index]
                del levels[index]
        elif quantity > _ZERO:
            prices.insert(index, price)
            levels.insert(index, level)


class SyncState(StrEnum):
    SYNCING = "syncing"  # buffering diffs, a snapshot fetch is due or running
    LIVE = "live"  # continuity proven since the last snapshot
    CLOSED = "closed"


_LIVE = SyncState.LIVE


class BookSynchronizer:
    """Keeps one :class:`LocalOrderBook` continuous from stream diffs plus REST snapshots.

    ``on_diff`` is called synchronously by the stream handler for every diff (hot path: no awaits, no
    logging above DEBUG). Snapshots come from the injected ``fetch_snapshot(symbol)``, whose result's
    ``sequence`` is the venue's snapshot id. At most one resync task runs per synchronizer; it makes up to
    ``max_attempts`` fetches with exponential backoff, after which the book stays stale and the next diff
    starts a new round once ``retry_cooldown_s`` has passed (on a quiet stream, the cooldown's end does).
    Diffs with ``is_snapshot=True`` replace the book directly. Counters: ``resyncs`` (resync rounds started
    after losing sync), ``gaps`` (sequence gaps seen), ``snapshots`` (REST snapshots fetched).
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
        quantity_scale: Decimal | None = None,
    ) -> None:
        self.symbol = symbol
        self.book = LocalOrderBook(exchange, symbol, max_depth=depth, quantity_scale=quantity_scale)
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
        self._retry_timer: asyncio.TimerHandle | None = None
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
        timer, self._retry_timer = self._retry_timer, None
        if timer is not None:
            timer.cancel()
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # --- stream input (hot path) -------------------------------------------------------------------
    def on_diff(self, diff: OrderBookDiff) -> None:
        """Feed one stream message; applies, buffers, or flags a gap and starts a resync."""
        state = self._state
        book = self.book
        if (
            state is _LIVE
            and diff.first_update_id == book.sequence + 1
            and not diff.is_snapshot
            and diff.quantity_scale is book.quantity_scale
        ):
            # the common case inlined (the next contiguous diff of a live book): one call less per layer
            book.apply_levels(diff.bids, diff.asks, diff.last_update_id, diff.timestamp_ms)
            self._awaiting_bridge = False
            bids, asks = book._bid_prices, book._ask_prices
            if bids and asks and bids[-1] >= asks[0]:
                self._lose_sync(f"crossed book at sequence {diff.last_update_id}", count_resync=True)
            listener = self.on_update
            if listener is not None:
                listener(book)
            return
        if diff.quantity_scale is not None and diff.quantity_scale != book.quantity_scale:
            diff = diff.in_base_units()  # venue units the book was not built for
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
        timer, self._retry_timer = self._retry_timer, None
        if timer is not None:
            timer.cancel()
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
                "%s %s: order book resync failed after %d attempts; retrying on the next diff or in %.1fs",
                self.book.exchange.value,
                self.symbol,
                self._max_attempts,
                self._retry_cooldown_s,
            )
            # a quiet stream sends no next diff: the book must not stay stale for want of one
            self._retry_timer = asyncio.get_running_loop().call_later(self._retry_cooldown_s, self._retry_when_idle)

    def _retry_when_idle(self) -> None:
        self._retry_timer = None
        if self._state is SyncState.SYNCING and not self.resync_running:
            self._failed_at = None
            self._start_resync()

    def _notify(self) -> None:
        listener = self.on_update
        if listener is not None:
            listener(self.book)
