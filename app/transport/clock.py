"""Server-time offset for signed requests (``Timestamp`` headers, WS ``time`` fields)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class ServerClock:
    """Local wall clock corrected by the offset measured against the venue's server time.

    ``update_from_server`` assumes the server stamped its time at the midpoint of the round trip
    (the NTP idea) and keeps ``offset_ms = server_ms - local_ms_at_midpoint``. Signers read
    :meth:`now_s` / :meth:`now_ms`, which add the offset to the local wall clock.
    """

    __slots__ = (
        "_inflight",
        "_monotonic",
        "_wall",
        "offset_ms",
        "resync",
        "resyncs",
        "round_trip_ms",
        "updated_monotonic",
    )

    def __init__(
        self,
        *,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._wall = wall
        self._monotonic = monotonic
        self.offset_ms: float = 0.0
        self.round_trip_ms: float | None = None
        self.updated_monotonic: float | None = None
        # measures the offset again (set by the REST client that can ask the venue's time); a WebSocket
        # sharing this clock calls it when the venue refuses its signed ``time``
        self.resync: Callable[[], Awaitable[None]] | None = None
        self.resyncs = 0  # measurements actually run by :meth:`resync_shared`
        self._inflight: asyncio.Future[None] | None = None

    async def resync_shared(self) -> None:
        """Run :attr:`resync` once for every concurrent caller: a caller arriving while a measurement is in
        flight waits for that one instead of starting its own (after a clock skew, each refused channel or
        request asks at once). Raises what the measurement raised; a no-op without :attr:`resync`."""
        inflight = self._inflight
        if inflight is not None:
            await asyncio.shield(inflight)
            return
        resync = self.resync
        if resync is None:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._inflight = future
        self.resyncs += 1
        try:
            await resync()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved here: waiters re-raise it, and no "never retrieved" warning
            raise
        else:
            future.set_result(None)
        finally:
            self._inflight = None

    def now_s(self) -> float:
        """Corrected current time in seconds."""
        return self._wall() + self.offset_ms / 1000.0

    def now_ms(self) -> int:
        """Corrected current time in integer milliseconds."""
        return int(self._wall() * 1000.0 + self.offset_ms)

    def update_from_server(self, server_ms: float, sent_monotonic: float, received_monotonic: float) -> float:
        """Record the offset from one server-time answer; return the new ``offset_ms``.

        ``sent_monotonic``/``received_monotonic`` are ``time.monotonic()`` readings taken just before
        the request and just after the answer.
        """
        midpoint = (sent_monotonic + received_monotonic) / 2.0
        local_mid_ms = (self._wall() - (self._monotonic() - midpoint)) * 1000.0
        self.offset_ms = float(server_ms) - local_mid_ms
        self.round_trip_ms = max(0.0, (received_monotonic - sent_monotonic) * 1000.0)
        self.updated_monotonic = received_monotonic
        return self.offset_ms

    def __repr__(self) -> str:
        return f"ServerClock(offset_ms={self.offset_ms:.1f}, round_trip_ms={self.round_trip_ms})"
