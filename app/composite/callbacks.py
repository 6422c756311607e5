"""Fan-out of composite events to user callbacks (sync inline, async through one ordered dispatcher task)."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from app.composite.tasks import cancel_and_wait
from app.errors import HandlerTypeError

T = TypeVar("T")


class CallbackSet(Generic[T]):
    """Subscribers of one event type.

    :meth:`emit` never awaits, so it can be called from synchronous hot paths (a book listener): plain
    functions run inline, coroutine functions are queued to a single dispatcher task that awaits them in
    order. A failing callback is logged and never breaks the stream that emitted the event. When the queue
    is full (a slow async subscriber) the event is dropped for async subscribers and counted in
    ``dropped``.
    """

    def __init__(self, name: str, *, max_pending: int = 10_000, logger: logging.Logger | None = None) -> None:
        self.name = name
        self.dropped = 0
        self._sync: list[Callable[[T], Any]] = []
        self._async: list[Callable[[T], Any]] = []
        self._queue: asyncio.Queue[T] = asyncio.Queue(maxsize=max_pending)
        self._task: asyncio.Task[None] | None = None
        self._closed = False
        self._log = logger or logging.getLogger(__name__)

    def add(self, callback: Callable[[T], Any]) -> None:
        """Register a plain or coroutine function."""
        if not callable(callback):
            raise HandlerTypeError(f"{self.name} callback must be callable, got {type(callback).__name__}")
        is_async = inspect.iscoroutinefunction(callback) or inspect.iscoroutinefunction(
            getattr(callback, "__call__", None)  # noqa: B004 - callable objects with async __call__
        )
        (self._async if is_async else self._sync).append(callback)

    def __bool__(self) -> bool:
        return bool(self._sync or self._async)

    def emit(self, item: T) -> None:
        """Deliver ``item`` to every subscriber without awaiting."""
        for callback in self._sync:
            try:
                callback(item)
            except Exception:
                self._log.exception("%s callback %r failed", self.name, callback)
        if self._async and not self._closed:
            if self._task is None:
                self._task = asyncio.get_running_loop().create_task(self._dispatch(), name=f"callbacks:{self.name}")
            try:
                self._queue.put_nowait(item)
            except asyncio.QueueFull:
                self.dropped += 1

    async def close(self) -> None:
        """Stop the dispatcher task (pending async deliveries are dropped); idempotent."""
        self._closed = True
        task, self._task = self._task, None
        await cancel_and_wait(task)

    async def _dispatch(self) -> None:
        while True:
            item = await self._queue.get()
            for callback in self._async:
                try:
                    await callback(item)
                except Exception:
                    self._log.exception("%s callback %r failed", self.name, callback)
