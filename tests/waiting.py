"""Waiting in tests for something the event loop brings about (no timing assertion: a bound, not a budget)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable


async def eventually(predicate: Callable[[], bool], timeout_s: float = 3.0, what: str = "condition") -> None:
    """Poll ``predicate`` every 10 ms until it holds; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {timeout_s}s")
        await asyncio.sleep(0.01)
