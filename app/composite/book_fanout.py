"""Order book subscribers: grouped by depth, delivered per update or conflated per event-loop turn.

Measured in ``scripts/bench`` (issue 8): building an immutable 100-level :class:`OrderBook` for every
stream message, and dropping the previous one, was the largest per-message cost of a book stream after
the transport and the decoder. Two subscription options cut it without changing :class:`OrderBook`:

* ``depth``: one view per (depth, book sequence) is built and shared by every subscriber of that depth
  (the book caches views per depth until its next write); depth ``None`` means ``config.book_depth``.
* ``conflate=True``: when several updates of one symbol are applied within one event-loop turn (a burst
  read from the socket in one go), the subscriber is called once, after the burst, with the view of the
  book as it is then. It never sees an out-of-date view, but it may skip intermediate ones (including a
  short stale spell that was resynced within the same turn). One ``loop.call_soon`` per turn, not per
  message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from app.composite.book import LocalOrderBook
from app.composite.callbacks import CallbackSet
from app.domain.models import OrderBook
from app.domain.symbol import Symbol
from app.errors import ValidationError


class BookFanout:
    """The order book subscribers of one public composite (the synchronizers' ``on_update`` listener).

    Immediate subscribers are called from :meth:`on_update` itself (synchronously for plain functions,
    through the :class:`CallbackSet` dispatcher for coroutine functions), exactly as before this class
    existed. Conflated subscribers are called from one ``call_soon`` callback per loop turn, once per
    symbol that changed in that turn, in the order the symbols first changed.
    """

    def __init__(self, default_depth: int, *, logger: logging.Logger | None = None) -> None:
        self._default_depth = default_depth
        self._log = logger or logging.getLogger(__name__)
        self._immediate: dict[int, CallbackSet[OrderBook]] = {}
        self._conflated: dict[int, CallbackSet[OrderBook]] = {}
        self._immediate_groups: tuple[tuple[int, CallbackSet[OrderBook]], ...] = ()
        self._pending: dict[Symbol, LocalOrderBook] = {}
        self._flush: asyncio.Handle | None = None
        self._closed = False

    def add(self, callback: Callable[[OrderBook], Any], depth: int | None = None, *, conflate: bool = False) -> None:
        """Subscribe ``callback`` to views of ``depth`` levels per side (None: the configured book depth).

        A depth above the configured book depth is served with every maintained level (the same shared
        view as the default). Raises :class:`ValidationError` for a depth that is not a positive int.
        """
        resolved = self._resolve_depth(depth)
        groups = self._conflated if conflate else self._immediate
        callbacks = groups.get(resolved)
        if callbacks is None:
            kind = "conflated" if conflate else "orderbook"
            callbacks = groups[resolved] = CallbackSet(f"{kind}[depth={resolved}]", logger=self._log)
        callbacks.add(callback)
        self._immediate_groups = tuple(self._immediate.items())

    def __bool__(self) -> bool:
        return bool(self._immediate or self._conflated)

    # --- hot path ------------------------------------------------------------------------------------
    def on_update(self, book: LocalOrderBook) -> None:
        """The book changed (applied diff, snapshot, or lost sync): deliver or schedule its views."""
        for depth, callbacks in self._immediate_groups:
            callbacks.emit(book.view(depth))
        if self._conflated and not self._closed:
            pending = self._pending
            if not pending:
                self._flush = asyncio.get_running_loop().call_soon(self._deliver_conflated)
            pending[book.symbol] = book

    def _deliver_conflated(self) -> None:
        self._flush = None
        pending, self._pending = self._pending, {}
        groups = tuple(self._conflated.items())
        for book in pending.values():
            for depth, callbacks in groups:
                callbacks.emit(book.view(depth))

    # --- lifecycle -----------------------------------------------------------------------------------
    async def close(self) -> None:
        """Drop a scheduled conflated delivery and stop every dispatcher; idempotent."""
        self._closed = True
        flush, self._flush = self._flush, None
        if flush is not None:
            flush.cancel()
        self._pending.clear()
        for callbacks in (*self._immediate.values(), *self._conflated.values()):
            await callbacks.close()

    def _resolve_depth(self, depth: int | None) -> int:
        if depth is None:
            return self._default_depth
        if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
            raise ValidationError(f"orderbook subscription depth must be a positive int or None, got {depth!r}")
        return min(depth, self._default_depth)
