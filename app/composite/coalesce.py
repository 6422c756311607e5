"""A background refresh that runs at most once at a time and coalesces the triggers arriving meanwhile."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from app.composite.tasks import cancel_and_wait
from app.errors import CexArbError


class CoalescedRefresh:
    """Run ``refresh`` in one background task per burst of triggers.

    :meth:`trigger` never awaits: it starts the task, or, while one runs, asks it to run once more when
    done (so an event that arrived during a refresh is never missed, and a burst costs at most two runs).
    A failing run (``CexArbError``) is logged as ``"<description> failed"`` and does not stop later ones.
    """

    def __init__(
        self, refresh: Callable[[], Awaitable[None]], *, name: str, description: str, logger: logging.Logger
    ) -> None:
        self._refresh = refresh
        self._name = name
        self._description = description
        self._log = logger
        self._task: asyncio.Task[None] | None = None
        self._again = False
        self._closed = False

    @property
    def running(self) -> bool:
        """A refresh task is in flight."""
        return self._task is not None and not self._task.done()

    def trigger(self) -> None:
        """Start a refresh now, or once more after the running one; ignored after :meth:`close`."""
        if self._closed:
            return
        if self.running:
            self._again = True
            return
        self._task = asyncio.get_running_loop().create_task(self._run(), name=self._name)

    async def close(self) -> None:
        """Cancel the running refresh and refuse new triggers; idempotent."""
        self._closed = True
        task, self._task = self._task, None
        await cancel_and_wait(task)

    async def _run(self) -> None:
        while True:
            self._again = False
            try:
                await self._refresh()
            except CexArbError as exc:
                self._log.warning("%s failed: %r", self._description, exc)
            if not self._again:
                return
