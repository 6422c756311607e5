"""A seeded synthetic order book that emits realistic diffs (1-10 level changes, never crossed).

Prices and quantities are integers (ticks and lots) so the expected book is exact; venue modules format
them as the venue's decimal strings. Each side keeps between ``min_levels`` and ``max_levels`` levels
(below every client's depth, so no client truncates and whole books can be compared).
"""

from __future__ import annotations

import random

Change = tuple[int, int]  # (price ticks, quantity lots); 0 lots deletes the level


class SyntheticBook:
    """One symbol's book; :meth:`step` mutates it and returns the diff (bids, asks)."""

    def __init__(
        self, rng: random.Random, mid_ticks: int, *, levels: int = 60, min_levels: int = 30, max_levels: int = 90
    ) -> None:
        self.rng = rng
        self.min_levels = min_levels
        self.max_levels = max_levels
        self.bids: dict[int, int] = {}
        self.asks: dict[int, int] = {}
        for i in range(levels):
            self.bids[mid_ticks - 1 - i * rng.randint(1, 3)] = self._qty()
            self.asks[mid_ticks + 1 + i * rng.randint(1, 3)] = self._qty()

    def _qty(self) -> int:
        return self.rng.choice((self.rng.randint(1, 2_000), self.rng.randint(1, 500_000)))

    def best_bid(self) -> int:
        return max(self.bids)

    def best_ask(self) -> int:
        return min(self.asks)

    def step(self) -> tuple[list[Change], list[Change]]:
        """Apply 1-10 level changes (update, insert or delete; biased to the top) and return them."""
        rng = self.rng
        bids: dict[int, int] = {}
        asks: dict[int, int] = {}
        for _ in range(rng.randint(1, 10)):
            if rng.random() < 0.5:
                self._change(self.bids, bids, is_bid=True)
            else:
                self._change(self.asks, asks, is_bid=False)
        return list(bids.items()), list(asks.items())

    def _change(self, side: dict[int, int], out: dict[int, int], *, is_bid: bool) -> None:
        rng = self.rng
        roll = rng.random()
        if len(side) <= self.min_levels:
            roll = 0.9
        elif len(side) >= self.max_levels:
            roll = 0.7
        ordered = sorted(side, reverse=is_bid)
        if roll < 0.6:  # quantity change, mostly near the top
            price = ordered[min(len(ordered) - 1, int(rng.expovariate(0.15)))]
            side[price] = out[price] = self._qty()
        elif roll < 0.8:  # delete
            price = ordered[min(len(ordered) - 1, int(rng.expovariate(0.1)))]
            del side[price]
            out[price] = 0
        else:  # insert inside the spread or below the top
            if is_bid:
                low, high = ordered[-1] - 3, self.best_ask() - 1
            else:
                low, high = self.best_bid() + 1, ordered[-1] + 3
            for _ in range(8):
                price = rng.randint(low, high)
                if price not in side:
                    side[price] = out[price] = self._qty()
                    break

    def top(self, limit: int | None = None) -> tuple[list[Change], list[Change]]:
        """(bids best first, asks best first), ``limit`` levels each."""
        bids = sorted(self.bids.items(), reverse=True)[:limit]
        asks = sorted(self.asks.items())[:limit]
        return bids, asks
