"""Opportunities: a venue pair's executable spread crossing the threshold, from when it opens to when it closes.

One opportunity per (symbol, buy venue, sell venue) episode: it opens on the first actionable quote at or
above the threshold, keeps its peak while it lasts, and closes on the first quote below it (or not
actionable). Openings and closings are logged with timestamps; recent ones are kept for the views.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from app.domain.symbol import Symbol
from app.monitor.spread import SpreadQuote

PairKey = tuple[Symbol, str, str]


@dataclass(slots=True)
class Opportunity:
    """One episode of a spread above the threshold."""

    symbol: Symbol
    buy_venue: str
    sell_venue: str
    opened_at: float  # wall-clock seconds
    first: SpreadQuote
    peak_bps: Decimal
    last: SpreadQuote
    closed_at: float | None = None
    executions: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def duration_s(self) -> float:
        end = self.closed_at if self.closed_at is not None else time.time()
        return max(0.0, end - self.opened_at)

    def describe(self) -> str:
        return (
            f"{self.symbol} buy {self.buy_venue} @ {self.first.buy.worst_price} / sell {self.sell_venue} @ "
            f"{self.first.sell.worst_price} qty {self.first.quantity}: {self.first.spread_bps:.2f} bps "
            f"({self.first.net_quote:.4f} {self.symbol.quote} after fees)"
        )


class OpportunityTracker:
    """Turns the stream of spread quotes into opportunity episodes (sync: called from the recompute loop)."""

    def __init__(
        self,
        threshold_bps: Decimal,
        *,
        keep: int = 50,
        wall_clock: Callable[[], float] = time.time,
        logger: logging.Logger | None = None,
    ) -> None:
        self.threshold_bps = threshold_bps
        self.seen = 0
        self.recent: deque[Opportunity] = deque(maxlen=keep)
        self._open: dict[PairKey, Opportunity] = {}
        self._wall = wall_clock
        self._log = logger or logging.getLogger("app.monitor.opportunity")

    def update(self, quote: SpreadQuote) -> Opportunity | None:
        """Feed one quote; returns the opportunity when this quote opens a new one."""
        key = quote.key
        current = self._open.get(key)
        above = quote.actionable and quote.spread_bps >= self.threshold_bps
        if above:
            if current is None:
                opened = Opportunity(
                    quote.symbol, quote.buy_venue, quote.sell_venue, self._wall(), quote, quote.spread_bps, quote
                )
                self._open[key] = opened
                self.recent.append(opened)
                self.seen += 1
                self._log.info("opportunity opened %s", opened.describe())
                return opened
            current.last = quote
            if quote.spread_bps > current.peak_bps:
                current.peak_bps = quote.spread_bps
            return None
        if current is not None:
            current.closed_at = self._wall()
            del self._open[key]
            self._log.debug(
                "opportunity closed %s %s->%s after %.3fs, peak %.2f bps",
                current.symbol,
                current.buy_venue,
                current.sell_venue,
                current.duration_s,
                current.peak_bps,
            )
        return None

    def current(self, key: PairKey) -> Opportunity | None:
        """The open opportunity of a (symbol, buy venue, sell venue), if any."""
        return self._open.get(key)

    @property
    def open_opportunities(self) -> list[Opportunity]:
        return list(self._open.values())
