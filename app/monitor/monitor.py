"""The arbitrage monitor: books of every venue for a symbol set, spreads of every venue pair, opportunities.

The venues are data: a mapping ``{"gateio": <public composite>, "mexc": ..., ...}`` (the runner takes them
from the container's keyed ``composites("<venue>:public")``). The hot path stays in the composites: the
monitor never subscribes per message. A recompute loop wakes every ``recompute_interval_s`` and only
recomputes a symbol whose book changed on some venue (cached book views make the check cheap), so spreads
follow book updates throttled to that interval.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app.composite.interfaces import CompositePublicExchange
from app.config import MonitorSettings
from app.domain.models import OrderBook, SymbolInfo
from app.domain.symbol import Symbol
from app.monitor.opportunity import Opportunity, OpportunityTracker, PairKey
from app.monitor.spread import SpreadQuote, quote_spread

STALE_RECHECK_S = 0.5  # unchanged books are re-quoted this often, so ageing books turn stale in the view


def to_decimal(value: float | int | str | Decimal) -> Decimal:
    """A settings / CLI number as an exact Decimal (through its shortest text form, never binary float)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


@dataclass(frozen=True, slots=True)
class MonitorConfig:
    """What to watch and what counts as an opportunity."""

    symbols: tuple[str, ...]
    threshold_bps: Decimal
    size_quote: Decimal
    depth_levels: int = 20
    recompute_interval_s: float = 0.01
    max_book_age_s: float = 5.0

    @classmethod
    def from_settings(cls, settings: MonitorSettings, **overrides: Any) -> MonitorConfig:
        """Build from ``settings.monitor``; ``overrides`` that are None are ignored (unset CLI options)."""
        values: dict[str, Any] = {
            "symbols": tuple(settings.symbols),
            "threshold_bps": to_decimal(settings.threshold_bps),
            "size_quote": to_decimal(settings.size_quote),
            "depth_levels": settings.depth_levels,
            "recompute_interval_s": settings.recompute_interval_s,
            "max_book_age_s": settings.max_book_age_s,
        }
        for key, value in overrides.items():
            if value is not None:
                values[key] = tuple(value) if key == "symbols" else value
        values["threshold_bps"] = to_decimal(values["threshold_bps"])
        values["size_quote"] = to_decimal(values["size_quote"])
        return cls(**values)


@dataclass(slots=True)
class BookState:
    """The last view of one venue's book of one symbol, and when it last changed (local monotonic time)."""

    venue: str
    symbol: Symbol
    book: OrderBook | None = None
    changed_at: float = 0.0
    updates: int = 0

    def age_s(self, now: float) -> float | None:
        return None if self.book is None or not self.changed_at else max(0.0, now - self.changed_at)


@dataclass(slots=True)
class VenueHealth:
    """Stream health of one venue as the monitor observed it."""

    connected: bool = False
    reconnects: int = 0
    resyncs: int = 0
    gaps: int = 0
    observed: bool = field(default=False, repr=False)


class ArbitrageMonitor:
    """Cross-venue spread monitor over public composites (one per venue)."""

    def __init__(
        self,
        venues: Mapping[str, CompositePublicExchange],
        config: MonitorConfig,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
        logger: logging.Logger | None = None,
    ) -> None:
        if len(venues) < 1:
            raise ValueError("the monitor needs at least one venue")
        self.venues = dict(venues)
        self.config = config
        self.tracker = OpportunityTracker(config.threshold_bps, wall_clock=wall_clock, logger=logger)
        self.symbols: list[Symbol] = []
        self.books: dict[tuple[str, Symbol], BookState] = {}
        self.quotes: dict[PairKey, SpreadQuote] = {}
        self.health: dict[str, VenueHealth] = {name: VenueHealth() for name in self.venues}
        self.recomputes = 0
        self._clock = clock
        self._log = logger or logging.getLogger("app.monitor")
        self._listeners: list[Callable[[Opportunity], Any]] = []
        self._last_full: dict[Symbol, float] = {}
        self._task: asyncio.Task[None] | None = None
        self.started_at = 0.0

    # --- lifecycle -----------------------------------------------------------------------------------
    async def start(self, *, initialize: bool = True) -> None:
        """Initialize every venue's composite for the symbols (concurrently) and start the recompute loop."""
        if initialize:
            await asyncio.gather(*(c.initialize(list(self.config.symbols)) for c in self.venues.values()))
        first = next(iter(self.venues.values()))
        self.symbols = list(dict.fromkeys(first.resolve(s) for s in self.config.symbols))
        for name, composite in self.venues.items():
            for symbol in self.symbols:
                composite.resolve(symbol)  # every symbol must be listed on every venue
                self.books[(name, symbol)] = BookState(name, symbol)
        self.started_at = self._clock()
        self.refresh()
        self._task = asyncio.get_running_loop().create_task(self._loop(), name="arbitrage-monitor")

    async def close(self) -> None:
        """Stop the recompute loop (the composites belong to whoever created them); idempotent."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def subscribe(self, callback: Callable[[Opportunity], Any]) -> None:
        """Call ``callback(opportunity)`` (sync, from the recompute loop) when an opportunity opens."""
        self._listeners.append(callback)

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self.config.recompute_interval_s)
            try:
                self.refresh()
            except Exception:  # pragma: no cover - a bug must not stop the monitor; it is logged
                self._log.exception("spread recompute failed")

    # --- recompute ----------------------------------------------------------------------------------
    def refresh(self) -> list[Opportunity]:
        """One pass: pick up changed books, re-quote the symbols that changed; returns newly opened ones."""
        now = self._clock()
        self._observe_health()
        opened: list[Opportunity] = []
        for symbol in self.symbols:
            changed = False
            for name, composite in self.venues.items():
                state = self.books[(name, symbol)]
                view = composite.get_orderbook(symbol, self.config.depth_levels)
                previous = state.book
                if previous is None or view.sequence != previous.sequence or view.is_valid != previous.is_valid:
                    state.book = view
                    state.changed_at = now
                    state.updates += 1
                    changed = True
            if changed or now - self._last_full.get(symbol, 0.0) >= STALE_RECHECK_S:
                self._last_full[symbol] = now
                opened.extend(self._requote(symbol, now))
        self.recomputes += 1
        for opportunity in opened:
            for listener in self._listeners:
                try:
                    listener(opportunity)
                except Exception:
                    self._log.exception("opportunity listener failed")
        return opened

    def _requote(self, symbol: Symbol, now: float) -> list[Opportunity]:
        opened = []
        for buy_venue, sell_venue in itertools.permutations(self.venues, 2):
            quote = self.quote_now(symbol, buy_venue, sell_venue, now=now)
            if quote is None:
                continue
            self.quotes[quote.key] = quote
            opportunity = self.tracker.update(quote)
            if opportunity is not None:
                opened.append(opportunity)
        return opened

    def quote_now(
        self, symbol: Symbol, buy_venue: str, sell_venue: str, *, now: float | None = None, fresh_books: bool = False
    ) -> SpreadQuote | None:
        """The spread quote of one direction from the latest views (``fresh_books`` re-reads the composites)."""
        now = self._clock() if now is None else now
        buy_state, sell_state = self.books.get((buy_venue, symbol)), self.books.get((sell_venue, symbol))
        if buy_state is None or sell_state is None:
            return None
        if fresh_books:
            for state in (buy_state, sell_state):
                view = self.venues[state.venue].get_orderbook(symbol, self.config.depth_levels)
                if state.book is None or view.sequence != state.book.sequence or view.is_valid != state.book.is_valid:
                    state.book, state.changed_at = view, now
        buy_book, sell_book = buy_state.book, sell_state.book
        buy_info, sell_info = self.symbol_info(buy_venue, symbol), self.symbol_info(sell_venue, symbol)
        if buy_book is None or sell_book is None or buy_info is None or sell_info is None:
            return None
        fresh = all(
            (age := state.age_s(now)) is not None and age <= self.config.max_book_age_s
            for state in (buy_state, sell_state)
        )
        return quote_spread(
            symbol, buy_venue, buy_book, buy_info, sell_venue, sell_book, sell_info, self.config.size_quote, fresh=fresh
        )

    def symbol_info(self, venue: str, symbol: Symbol) -> SymbolInfo | None:
        return self.venues[venue].symbol_info.get(symbol)

    def _observe_health(self) -> None:
        for name, composite in self.venues.items():
            health = self.health[name]
            connected = bool(getattr(composite, "stream_connected", True))
            counted = getattr(composite, "reconnect_count", None)
            if isinstance(counted, int):
                health.reconnects = counted
            elif connected and health.observed and not health.connected:
                health.reconnects += 1  # a disconnect seen by an earlier pass, now connected again
            health.connected, health.observed = connected, True
            resyncs = gaps = 0
            synchronizer = getattr(composite, "book_synchronizer", None)
            if synchronizer is not None:
                for symbol in self.symbols:
                    sync = synchronizer(symbol)
                    resyncs += int(getattr(sync, "resyncs", 0))
                    gaps += int(getattr(sync, "gaps", 0))
            health.resyncs, health.gaps = resyncs, gaps

    # --- read side (views, host app) -----------------------------------------------------------------
    def best_quotes(self) -> list[SpreadQuote]:
        """Per symbol and unordered venue pair, the better of the two directions."""
        best: dict[tuple[Symbol, frozenset[str]], SpreadQuote] = {}
        for quote in self.quotes.values():
            key = (quote.symbol, frozenset((quote.buy_venue, quote.sell_venue)))
            current = best.get(key)
            if current is None or _rank(quote) > _rank(current):
                best[key] = quote
        return sorted(best.values(), key=lambda q: (str(q.symbol), q.buy_venue, q.sell_venue))

    def mark_price(self, symbol: Symbol) -> Decimal | None:
        """Average mid of the valid books of ``symbol`` (for marking inventory)."""
        mids = []
        for name in self.venues:
            state = self.books.get((name, symbol))
            book = None if state is None else state.book
            if book is not None and book.is_valid and book.best_bid and book.best_ask:
                mids.append((book.best_bid.price + book.best_ask.price) / 2)
        return sum(mids, Decimal(0)) / len(mids) if mids else None

    def total_reconnects(self) -> int:
        return sum(h.reconnects for h in self.health.values())

    def total_resyncs(self) -> int:
        return sum(h.resyncs for h in self.health.values())


def _rank(quote: SpreadQuote) -> tuple[bool, Decimal]:
    return (quote.actionable, quote.spread_bps)


def venue_pairs(venues: Sequence[str]) -> list[tuple[str, str]]:
    """Every ordered (buy, sell) pair of distinct venues."""
    return list(itertools.permutations(venues, 2))
