"""The one underlying price path every simulated venue follows.

Each base asset (BTC, ETH, ...) has a seeded random walk, advanced by wall time, shared by all venues.
Each venue's :class:`~app.simulator.market.MarketDriver` quotes around it with its own independent,
mean-reverting noise and occasional dislocations (a jump of tens of bps that decays over seconds), so
that cross-venue spreads open and close at a realistic rate.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from decimal import Decimal

DEFAULT_UNDERLYINGS: dict[str, Decimal] = {
    "BTC": Decimal("65000"),
    "ETH": Decimal("3500"),
    "SOL": Decimal("150"),
}
MAX_STEPS_PER_READ = 2_000


class UnderlyingPrices:
    """Seeded random walk per asset; ``price(asset)`` advances it by the wall time elapsed (in steps)."""

    def __init__(
        self,
        seed: int = 7,
        start: dict[str, Decimal] | None = None,
        *,
        step_s: float = 0.05,
        volatility_bps: float = 0.6,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rng = random.Random(seed * 7919 + 1)
        self._prices = {asset: float(price) for asset, price in (start or DEFAULT_UNDERLYINGS).items()}
        self._sigma = volatility_bps / 10_000
        self._step_s = step_s
        self._clock = clock
        self._last = clock()
        self.frozen = False

    def assets(self) -> list[str]:
        return list(self._prices)

    def advance(self, steps: int = 1) -> None:
        """Move every asset ``steps`` steps."""
        for _ in range(steps):
            for asset, price in self._prices.items():
                self._prices[asset] = price * math.exp(self._rng.gauss(0.0, self._sigma))

    def price(self, asset: str) -> Decimal | None:
        """The underlying price of ``asset`` now (None if it is not simulated)."""
        if not self.frozen:
            now = self._clock()
            steps = int((now - self._last) / self._step_s)
            if steps > 0:
                self._last += steps * self._step_s
                self.advance(min(steps, MAX_STEPS_PER_READ))
        value = self._prices.get(asset)
        return None if value is None else Decimal(repr(value))


class VenueNoise:
    """A venue's own deviation from the underlying: mean-reverting noise plus rare dislocations."""

    def __init__(
        self,
        rng: random.Random,
        *,
        noise_bps: float = 0.8,
        reversion: float = 0.08,
        dislocation_probability: float = 0.003,
        dislocation_bps: tuple[float, float] = (12.0, 35.0),
    ) -> None:
        self._rng = rng
        self._noise_bps = noise_bps
        self._reversion = reversion
        self._p = dislocation_probability
        self._jump = dislocation_bps
        self._offset_bps: dict[str, float] = {}

    def shift(self, key: str, bps: float) -> None:
        """Add a dislocation of ``bps`` to ``key``'s deviation now (it decays like a natural one; tests)."""
        self._offset_bps[key] = self._offset_bps.get(key, 0.0) + bps

    def step(self, key: str) -> float:
        """Advance the deviation of ``key`` one tick and return it as a price factor (about 1.0)."""
        offset = self._offset_bps.get(key, 0.0) * (1.0 - self._reversion)
        offset += self._rng.gauss(0.0, self._noise_bps)
        if self._rng.random() < self._p:
            offset += self._rng.choice((-1.0, 1.0)) * self._rng.uniform(*self._jump)
        self._offset_bps[key] = offset
        return math.exp(offset / 10_000)
