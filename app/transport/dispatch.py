"""Handing stream items to a user handler: sync handlers inline, async ones in arrival order through one
worker task (what every venue's WebSocket client does with its handler bundle)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from app.domain.handlers import Handler

T = TypeVar("T")


class OrderedAsyncDispatcher(Generic[T]):
    """Feeds items to one async handler in arrival order through a worker task it owns."""

    __slots__ = ("_fn", "_logger", "_name", "_queue", "_task", "errors")

    def __init__(self, fn: Callable[[T], Awaitable[Any]], name: str, logger: logging.Logger) -> None:
        self._fn = fn
        self._name = name
        self._logger = logger
        self._queue: asyncio.Queue[T] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.errors = 0

    def put(self, item: T) -> None:
        self._queue.put_nowait(item)
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._work(), name=self._name)

    async def _work(self) -> None:
        queue = self._queue
        while True:
            item = await queue.get()
            try:
                await self._fn(item)
            except Exception:
                self.errors += 1
                self._logger.exception("%s: handler failed", self._name)

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task


def deliverer(
    handler: Handler[T] | None,
    name: str,
    logger: logging.Logger,
    dispatchers: list[OrderedAsyncDispatcher[Any]],
) -> Callable[[T], Any] | None:
    """The function to call per item: the handler itself when sync, else its dispatcher's ``put`` (the
    dispatcher is appended to ``dispatchers``, which the client closes); None without a handler."""
    if handler is None:
        return None
    if not handler.is_async:
        return handler.fn
    dispatcher: OrderedAsyncDispatcher[T] = OrderedAsyncDispatcher(handler.fn, name, logger)
    dispatchers.append(dispatcher)
    return dispatcher.put
