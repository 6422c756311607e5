"""CallbackSet: sync callbacks inline, async ones in order on one task, failures isolated."""

from __future__ import annotations

import asyncio

import pytest

from app.composite.callbacks import CallbackSet
from app.errors import HandlerTypeError


async def test_sync_and_async_callbacks_receive_every_item_in_order() -> None:
    callbacks: CallbackSet[int] = CallbackSet("numbers")
    sync_seen: list[int] = []
    async_seen: list[int] = []

    async def slow(item: int) -> None:
        await asyncio.sleep(0)
        async_seen.append(item)

    callbacks.add(sync_seen.append)
    callbacks.add(slow)
    for item in range(5):
        callbacks.emit(item)

    assert sync_seen == [0, 1, 2, 3, 4]  # delivered before emit returned
    for _ in range(20):
        await asyncio.sleep(0)
    assert async_seen == [0, 1, 2, 3, 4]
    await callbacks.close()


async def test_a_failing_callback_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    callbacks: CallbackSet[int] = CallbackSet("numbers")
    seen: list[int] = []

    def broken(item: int) -> None:
        raise RuntimeError("boom")

    callbacks.add(broken)
    callbacks.add(seen.append)
    callbacks.emit(1)

    assert seen == [1] and "numbers callback" in caplog.text
    await callbacks.close()


async def test_close_stops_the_dispatcher_and_later_events_are_ignored() -> None:
    callbacks: CallbackSet[int] = CallbackSet("numbers")
    seen: list[int] = []

    async def record(item: int) -> None:
        seen.append(item)

    callbacks.add(record)
    callbacks.emit(1)
    await asyncio.sleep(0.01)
    await callbacks.close()
    callbacks.emit(2)
    await asyncio.sleep(0.01)

    assert seen == [1]


def test_non_callable_is_refused() -> None:
    with pytest.raises(HandlerTypeError):
        CallbackSet[int]("numbers").add(42)  # type: ignore[arg-type]
