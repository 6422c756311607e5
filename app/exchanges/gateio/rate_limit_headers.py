"""Gate.io rate-limit response headers -> client-side pause (the RestTransport ``on_headers`` hook)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from app.exchanges.gateio.constants import HEADER_RL_LIMIT, HEADER_RL_REMAIN, HEADER_RL_RESET
from app.transport.rate_limit import RateLimiter

MAX_PAUSE_S = 10.0


class GateioRateLimitHeaders:
    """Reads ``X-Gate-RateLimit-Requests-Remain`` / ``-Limit`` / ``-Reset-Timestamp`` on every answer.

    When the venue says no request remains in the window, every bucket pauses until the reset time
    (seconds, or ms when the value is that large), at most ``MAX_PAUSE_S``. The last values seen are
    kept for observability.
    """

    __slots__ = ("_limiter", "_wall", "last_limit", "last_remaining")

    def __init__(self, limiter: RateLimiter | None, *, wall: Callable[[], float] = time.time) -> None:
        self._limiter = limiter
        self._wall = wall
        self.last_remaining: int | None = None
        self.last_limit: int | None = None

    def __call__(self, headers: Mapping[str, str]) -> None:
        remain = headers.get(HEADER_RL_REMAIN)
        if remain is None:
            return
        try:
            self.last_remaining = int(remain)
            limit = headers.get(HEADER_RL_LIMIT)
            self.last_limit = int(limit) if limit is not None else None
        except ValueError:
            return
        if self.last_remaining > 0 or self._limiter is None:
            return
        reset = headers.get(HEADER_RL_RESET)
        pause = 1.0
        if reset:
            try:
                value = float(reset)
                if value > 1e12:
                    value /= 1000.0
                pause = value - self._wall()
            except ValueError:
                pass
        if pause > 0:
            self._limiter.penalize(min(pause, MAX_PAUSE_S), count_as_429=False)
