"""The user-data-stream listenKey lifecycle (reference mexc.md sections 6 and 9.9).

A key is created with ``POST /api/v3/userDataStream`` and lives 60 minutes after its last ``PUT``; this
manager PUTs it every ``keepalive_interval_s`` (30 minutes by default). When a PUT fails, or the stream
says ``Invalid listen key``, a new key is created and handed to ``on_new_key`` (the private WebSocket
reconnects with it). Closing deletes the key (best effort).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from app.errors import CexArbError
from app.exchanges.mexc import constants as c
from app.exchanges.mexc.spot.rest_private import MexcPrivateSpotRest

NewKeyCallback = Callable[[str], Awaitable[None]]


class ListenKeyManager:
    """Creates, keeps alive and recreates one listenKey. Counters: ``keepalives``, ``renewals``."""

    def __init__(
        self,
        rest: MexcPrivateSpotRest,
        *,
        on_new_key: NewKeyCallback,
        keepalive_interval_s: float = c.LISTEN_KEY_KEEPALIVE_S,
        retry_delay_s: float = 1.0,
        logger: logging.Logger | None = None,
    ) -> None:
        self._rest = rest
        self._on_new_key = on_new_key
        self.keepalive_interval_s = keepalive_interval_s
        self._retry_delay_s = retry_delay_s
        self._log = logger or logging.getLogger("app.exchanges.mexc.spot.listen_key")
        self.key: str | None = None
        self.keepalives = 0
        self.renewals = 0
        self._task: asyncio.Task[None] | None = None
        self._renew_task: asyncio.Task[None] | None = None
        self._closed = False

    async def start(self) -> str:
        """Create the first key and start the keep-alive task; returns the key."""
        if self.key is None:
            self.key = await self._rest.create_listen_key()
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._keepalive_loop(), name="mexc-listen-key")
        return self.key

    def invalidate(self, reason: str) -> None:
        """The venue rejected the key: create a new one in the background (one renewal at a time)."""
        if self._closed or (self._renew_task is not None and not self._renew_task.done()):
            return
        self._log.warning("mexc listenKey invalid (%s): creating a new one", reason)
        self._renew_task = asyncio.get_running_loop().create_task(self._renew_until_done(), name="mexc-listen-key-new")

    async def renew(self) -> str:
        """Create a new key now, hand it to ``on_new_key`` and drop the old one (best effort)."""
        old, self.key = self.key, await self._rest.create_listen_key()
        self.renewals += 1
        await self._on_new_key(self.key)
        if old is not None and old != self.key:
            with contextlib.suppress(CexArbError):
                await self._rest.delete_listen_key(old)
        return self.key

    async def close(self) -> None:
        """Stop the tasks and delete the key (best effort); idempotent."""
        self._closed = True
        for task in (self._task, self._renew_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        self._task = self._renew_task = None
        key, self.key = self.key, None
        if key is not None:
            with contextlib.suppress(CexArbError, TimeoutError):
                async with asyncio.timeout(2.0):
                    await self._rest.delete_listen_key(key)

    async def _keepalive_loop(self) -> None:
        while True:
            await asyncio.sleep(self.keepalive_interval_s)
            key = self.key
            try:
                if key is None:
                    raise CexArbError("no listenKey")
                await self._rest.keepalive_listen_key(key)
                self.keepalives += 1
            except CexArbError as exc:
                self._log.warning("mexc listenKey keep-alive failed (%r): creating a new one", exc)
                await self._renew_until_done()

    async def _renew_until_done(self) -> None:
        delay = self._retry_delay_s
        while not self._closed:
            try:
                await self.renew()
                return
            except CexArbError as exc:
                self._log.warning("mexc listenKey creation failed (%r); retrying in %.1fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)
