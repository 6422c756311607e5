"""HttpSessionManager lifecycle, token buckets / rate limiter, server clock offset."""

from __future__ import annotations

import pytest

from app.config import RateLimitConfig
from app.transport.clock import ServerClock
from app.transport.rate_limit import RateLimiter, TokenBucket
from app.transport.session import HttpSessionManager


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


async def test_session_is_lazy_reused_and_close_is_idempotent() -> None:
    manager = HttpSessionManager(connect_timeout_s=2.0, limit=10)
    assert manager.closed
    first = manager.session
    assert manager.session is first and not manager.closed
    assert first.timeout.sock_connect == 2.0 and first.timeout.total is None
    assert first.connector is not None and first.connector.limit == 10
    await manager.close()
    await manager.close()
    assert manager.closed and first.closed
    second = manager.session
    assert second is not first
    await manager.close()


def test_token_bucket_reserves_in_arrival_order() -> None:
    clock = FakeClock()
    bucket = TokenBucket(2, 1.0, monotonic=clock)
    assert bucket.reserve() == 0 and bucket.reserve() == 0
    assert bucket.reserve() == pytest.approx(1.0)
    assert bucket.reserve() == pytest.approx(2.0)
    clock.now += 2.0
    assert bucket.level == pytest.approx(0.0)


def test_rate_limiter_buckets_from_config() -> None:
    limiter = RateLimiter.from_config(
        RateLimitConfig(public_per_10s=50, private_per_10s=20, orders_per_second=5, cancels_per_second=7)
    )
    assert set(limiter.bucket_names) == {"public", "private", "orders", "cancels"}
    assert limiter.bucket("public").rate_per_s == 5.0
    assert limiter.bucket("orders").capacity == 5
    with pytest.raises(KeyError):
        limiter.bucket("nope")


async def test_rate_limiter_waits_when_empty_and_after_penalty() -> None:
    limiter = RateLimiter({"orders": TokenBucket(1, 50.0)})
    assert await limiter.acquire("orders") == 0
    waited = await limiter.acquire("orders")
    assert waited == pytest.approx(0.02, abs=0.01)
    assert limiter.waits == 1
    limiter.penalize(0.05)
    assert limiter.rate_limited == 1 and limiter.blocked_for_s > 0.03
    assert await limiter.acquire("orders") >= 0.03


def test_server_clock_midpoint_offset() -> None:
    wall, mono = FakeClock(), FakeClock()
    wall.now, mono.now = 1_000.0, 50.0
    clock = ServerClock(wall=wall, monotonic=mono)
    # request sent at mono 49.8, answered at 50.0: midpoint 49.9 = wall 999.9 s; server said 1000.4 s
    offset = clock.update_from_server(1_000_400, 49.8, 50.0)
    assert offset == pytest.approx(500.0)
    assert clock.round_trip_ms == pytest.approx(200.0)
    assert clock.now_ms() == 1_000_500
    assert clock.now_s() == pytest.approx(1000.5)
