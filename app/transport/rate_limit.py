"""Client-side request budgets: token buckets per named scope and a shared 429 back-off."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping

from app.config import RateLimitConfig

PUBLIC = "public"
PRIVATE = "private"
ORDERS = "orders"
CANCELS = "cancels"


class TokenBucket:
    """A token bucket of ``capacity`` tokens refilled at ``rate_per_s``.

    Waiters reserve their token up front (the level may go negative), so concurrent callers are served
    in arrival order and each sleeps exactly its share of the deficit.
    """

    __slots__ = ("_level", "_monotonic", "_updated", "capacity", "rate_per_s")

    def __init__(self, capacity: float, rate_per_s: float, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        if capacity <= 0 or rate_per_s <= 0:
            raise ValueError("capacity and rate_per_s must be positive")
        self.capacity = float(capacity)
        self.rate_per_s = float(rate_per_s)
        self._monotonic = monotonic
        self._level = float(capacity)
        self._updated = monotonic()

    @property
    def level(self) -> float:
        self._refill()
        return self._level

    def _refill(self) -> None:
        now = self._monotonic()
        self._level = min(self.capacity, self._level + (now - self._updated) * self.rate_per_s)
        self._updated = now

    def reserve(self, tokens: float = 1.0) -> float:
        """Take ``tokens`` now and return how long the caller must wait before using them (seconds)."""
        self._refill()
        self._level -= tokens
        return 0.0 if self._level >= 0 else -self._level / self.rate_per_s

    async def acquire(self, tokens: float = 1.0) -> float:
        """Wait until ``tokens`` are available; return the time waited."""
        delay = self.reserve(tokens)
        if delay > 0:
            await asyncio.sleep(delay)
        return delay


class RateLimiter:
    """Named buckets (``public``, ``private``, ``orders``, ``cancels``) plus a venue-imposed pause.

    ``penalize(seconds)`` (after a 429 or a "0 requests remaining" header) blocks every bucket until
    the pause ends. Counters: ``waits`` (acquires that had to sleep), ``waited_s``, ``rate_limited``
    (429s reported through :meth:`penalize`).
    """

    def __init__(
        self,
        buckets: Mapping[str, TokenBucket],
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._buckets = dict(buckets)
        self._monotonic = monotonic
        self._blocked_until = 0.0
        self.waits = 0
        self.waited_s = 0.0
        self.rate_limited = 0

    @classmethod
    def from_config(cls, config: RateLimitConfig, *, monotonic: Callable[[], float] = time.monotonic) -> RateLimiter:
        """Build the four standard buckets from a venue's :class:`RateLimitConfig`."""
        return cls(
            {
                PUBLIC: TokenBucket(config.public_per_10s, config.public_per_10s / 10.0, monotonic=monotonic),
                PRIVATE: TokenBucket(config.private_per_10s, config.private_per_10s / 10.0, monotonic=monotonic),
                ORDERS: TokenBucket(config.orders_per_second, config.orders_per_second, monotonic=monotonic),
                CANCELS: TokenBucket(config.cancels_per_second, config.cancels_per_second, monotonic=monotonic),
            },
            monotonic=monotonic,
        )

    @property
    def bucket_names(self) -> tuple[str, ...]:
        return tuple(self._buckets)

    def bucket(self, name: str) -> TokenBucket:
        try:
            return self._buckets[name]
        except KeyError:
            raise KeyError(f"unknown rate-limit bucket {name!r}; known: {sorted(self._buckets)}") from None

    @property
    def blocked_for_s(self) -> float:
        """Seconds left in the current venue-imposed pause (0 when none)."""
        return max(0.0, self._blocked_until - self._monotonic())

    async def acquire(self, bucket: str = PUBLIC) -> float:
        """Wait for the pause (if any) and a token of ``bucket``; return the time waited."""
        delay = self.blocked_for_s + self.bucket(bucket).reserve()
        if delay > 0:
            self.waits += 1
            self.waited_s += delay
            await asyncio.sleep(delay)
        return delay

    def penalize(self, seconds: float, *, count_as_429: bool = True) -> None:
        """Pause every bucket for ``seconds`` (extends, never shortens, a running pause)."""
        if count_as_429:
            self.rate_limited += 1
        if seconds > 0:
            self._blocked_until = max(self._blocked_until, self._monotonic() + seconds)

    def __repr__(self) -> str:
        return f"RateLimiter(buckets={list(self._buckets)}, waits={self.waits}, rate_limited={self.rate_limited})"
