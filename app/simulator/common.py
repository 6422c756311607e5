"""Venue-independent simulator helpers: clock, decimal formatting, ids, JSON, per-endpoint rate limits."""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import msgspec

_encoder = msgspec.json.Encoder(decimal_format="string")


def dumps(obj: Any) -> str:
    """Encode to compact JSON text (``Decimal`` as strings)."""
    return _encoder.encode(obj).decode()


def dumps_bytes(obj: Any) -> bytes:
    """Encode to compact JSON bytes (``Decimal`` as strings)."""
    return _encoder.encode(obj)


def fmt(value: Decimal) -> str:
    """Plain decimal text without exponent or trailing zeros: ``Decimal("65000.10")`` -> ``"65000.1"``."""
    if not value:
        return "0"
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def decimals_of(value: Decimal) -> int:
    """Number of significant decimal places of ``value`` (``1.50`` -> 1)."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


class SimClock:
    """Server wall clock with an adjustable offset (tests skew it to exercise client time sync)."""

    def __init__(self) -> None:
        self.offset_s: float = 0.0

    def now(self) -> float:
        return time.time() + self.offset_s

    def now_ms(self) -> int:
        return int(self.now() * 1000)

    def now_us(self) -> int:
        return int(self.now() * 1_000_000)


class IdSequence:
    """Monotonic integer ids rendered as strings."""

    def __init__(self, start: int) -> None:
        self._counter = itertools.count(start)

    def next(self) -> str:
        return str(next(self._counter))


@dataclass(frozen=True, slots=True)
class RateLimitRule:
    """At most ``limit`` requests per ``window_s`` seconds (fixed window)."""

    limit: int
    window_s: float


@dataclass(frozen=True, slots=True)
class RateLimitDecision:
    """Outcome of one rate-limit check: allowed, remaining budget, limit, window reset (epoch seconds)."""

    allowed: bool
    remaining: int
    limit: int
    reset_s: int


@dataclass(slots=True)
class _Window:
    start: float
    count: int = 0


@dataclass
class RateLimits:
    """Per-endpoint fixed-window limits keyed by (endpoint, identity), with per-category defaults.

    ``set_limit("GET /spot/time", 2, 10.0)`` overrides one endpoint; the category rule applies otherwise.
    """

    categories: dict[str, RateLimitRule] = field(default_factory=dict)
    endpoints: dict[str, RateLimitRule] = field(default_factory=dict)
    _windows: dict[tuple[str, str], _Window] = field(default_factory=dict, repr=False)

    def set_limit(self, endpoint: str, limit: int, window_s: float) -> None:
        self.endpoints[endpoint] = RateLimitRule(limit, window_s)
        self._windows = {k: v for k, v in self._windows.items() if k[0] != endpoint}

    def reset(self) -> None:
        self._windows.clear()

    def check(self, endpoint: str, category: str, identity: str, now: float) -> RateLimitDecision:
        rule = self.endpoints.get(endpoint) or self.categories[category]
        key = (endpoint, identity)
        window = self._windows.get(key)
        if window is None or now - window.start >= rule.window_s:
            window = self._windows[key] = _Window(start=now)
        reset_s = int(window.start + rule.window_s)
        if window.count >= rule.limit:
            return RateLimitDecision(False, 0, rule.limit, reset_s)
        window.count += 1
        return RateLimitDecision(True, rule.limit - window.count, rule.limit, reset_s)


@dataclass(frozen=True, slots=True)
class VenueEndpoints:
    """Where a simulated venue listens and its test credentials (never shown in a repr)."""

    rest_url: str
    ws_url: str
    api_key: str = field(repr=False)
    api_secret: str = field(repr=False)
    uid: str

    def as_dict(self) -> dict[str, str]:
        return {
            "rest_url": self.rest_url,
            "ws_url": self.ws_url,
            "api_key": self.api_key,
            "api_secret": self.api_secret,
            "uid": self.uid,
        }
