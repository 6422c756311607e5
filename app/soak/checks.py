"""Soak checks: local books against the simulator's, accounts against the venue, and what is left at exit.

Books are compared two ways: *opportunistically* while everything runs (a valid local book whose sequence
equals the venue's current sequence must equal the venue's book: both live in this process, so the two
reads are one instant), and at *checkpoints* (faults suspended, markets paused: every book must become
valid at the venue's sequence and equal, within a timeout).
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import aiohttp

from app.composite.interfaces import CompositePrivateExchange, CompositePublicExchange
from app.domain.models import Balance, OrderBook
from app.domain.symbol import Symbol
from app.soak.venues import Levels, SimVenueView


def levels(book: OrderBook, depth: int) -> tuple[Levels, Levels]:
    return (
        [(level.price, level.quantity) for level in book.bids[:depth]],
        [(level.price, level.quantity) for level in book.asks[:depth]],
    )


@dataclass(slots=True)
class CheckCounts:
    passed: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)

    def record(self, ok: bool, what: str) -> None:
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            if len(self.failures) < 20:
                self.failures.append(what)


class BookChecker:
    """Compares every (venue, symbol) local book with the simulator's (top ``depth`` levels)."""

    def __init__(
        self,
        publics: dict[str, CompositePublicExchange],
        views: dict[str, SimVenueView],
        symbols: list[Symbol],
        *,
        depth: int = 20,
    ) -> None:
        self._publics = publics
        self._views = views
        self._symbols = symbols
        self._depth = depth
        self.live = CheckCounts()
        self.checkpoint = CheckCounts()
        self.stale_seen = 0

    def _pairs(self) -> list[tuple[str, Symbol, str]]:
        return [
            (venue, symbol, public.symbol_info[symbol].native)
            for venue, public in self._publics.items()
            for symbol in self._symbols
        ]

    def sample(self) -> None:
        """One opportunistic pass (sync: the local and the venue book are read at the same instant)."""
        for venue, symbol, native in self._pairs():
            book = self._publics[venue].get_orderbook(symbol, self._depth)
            if not book.is_valid:
                self.stale_seen += 1
                continue
            view = self._views[venue]
            if book.sequence != view.sequence(native):
                continue
            local, remote = levels(book, self._depth), view.book(native, self._depth)
            ok = local == remote
            self.live.record(ok, "" if ok else f"{venue} {symbol} seq {book.sequence}: " + _difference(local, remote))

    async def at_checkpoint(self, timeout_s: float) -> None:
        """Markets paused: each book must become valid at the venue's sequence and equal its book."""
        for venue, symbol, native in self._pairs():
            public, view = self._publics[venue], self._views[venue]
            target = view.sequence(native)
            reached = await wait_for(
                lambda public=public, symbol=symbol, target=target: (  # type: ignore[misc]
                    (book := public.get_orderbook(symbol, self._depth)).is_valid and book.sequence == target
                ),
                timeout_s,
            )
            book = public.get_orderbook(symbol, self._depth)
            if not reached:
                self.checkpoint.record(
                    False,
                    f"{venue} {symbol}: not valid at the venue's sequence {target} within {timeout_s}s "
                    f"(valid={book.is_valid} seq={book.sequence})",
                )
                continue
            ok = levels(book, self._depth) == view.book(native, self._depth)
            self.checkpoint.record(ok, f"{venue} {symbol} seq {target}: book differs from the venue's")


def _difference(local: tuple[Levels, Levels], remote: tuple[Levels, Levels]) -> str:
    """Where a valid local book first differs from the venue's (for the failure message)."""
    for name, mine, theirs in (("bid", local[0], remote[0]), ("ask", local[1], remote[1])):
        for index in range(max(len(mine), len(theirs))):
            a = mine[index] if index < len(mine) else None
            b = theirs[index] if index < len(theirs) else None
            if a != b:
                return f"valid book differs at {name} #{index}: local {a} venue {b}"
    return "valid book differs"


class AccountChecker:
    """The private composites' open orders and balances against the venue's account."""

    def __init__(self, privates: dict[str, CompositePrivateExchange], views: dict[str, SimVenueView]) -> None:
        self._privates = privates
        self._views = views
        self.counts = CheckCounts()

    async def at_checkpoint(self, timeout_s: float) -> None:
        for venue, private in self._privates.items():
            view = self._views[venue]
            state: dict[str, Any] = {}

            async def matches(
                private: CompositePrivateExchange = private, view: SimVenueView = view, state: dict[str, Any] = state
            ) -> bool:
                state["orders"] = {o.order_id for o in await private.get_open_orders()}
                state["balances"] = await private.get_balances()
                want_orders, want_balances = view.open_order_ids(), view.balances()
                state["want"] = (want_orders, want_balances)
                have = state["balances"]
                return state["orders"] == want_orders and all(
                    same_balance(have.get(asset, Balance(asset, Decimal(0))), balance)
                    for asset, balance in want_balances.items()
                )

            ok = await wait_for_async(matches, timeout_s)
            self.counts.record(ok, f"{venue}: composite {state.get('orders')} / {state.get('balances')} "
                               f"!= venue {state.get('want')}")  # fmt: skip


BALANCE_QUANTUM = Decimal("1e-12")


def same_balance(have: Balance, want: Balance) -> bool:
    """Equal to 12 decimal places (the futures margin is a 28-digit quotient that the wire rounds)."""
    return all(
        a.quantize(BALANCE_QUANTUM) == b.quantize(BALANCE_QUANTUM)
        for a, b in ((have.free, want.free), (have.locked, want.locked))
    )


async def wait_for(predicate: Callable[[], bool], timeout_s: float, interval_s: float = 0.02) -> bool:
    """Poll ``predicate`` until it holds (True) or ``timeout_s`` passes (False)."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(interval_s)
    return True


async def wait_for_async(predicate: Callable[[], Any], timeout_s: float, interval_s: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout_s
    while not await predicate():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(interval_s)
    return True


# --- resources -----------------------------------------------------------------------------------
def rss_bytes() -> int:
    """Resident set size of this process (Linux ``/proc``; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def open_sessions() -> int:
    """aiohttp client sessions alive and not closed."""
    gc.collect()
    return sum(1 for obj in gc.get_objects() if isinstance(obj, aiohttp.ClientSession) and not obj.closed)


async def pending_tasks(grace_s: float = 2.0) -> list[str]:
    """Names of tasks other than the current one still running after ``grace_s``."""
    deadline = time.monotonic() + grace_s
    while True:
        current = asyncio.current_task()
        others = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
        if not others or time.monotonic() > deadline:
            return [t.get_name() for t in others]
        await asyncio.sleep(0.02)


def instances(kind: type[Any]) -> list[Any]:
    """Live objects of ``kind`` (for the socket / synchronizer / limiter counters; not a hot path)."""
    return [obj for obj in gc.get_objects() if isinstance(obj, kind)]
