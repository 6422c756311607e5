"""``ServerClock.resync_shared``: concurrent callers share one measurement; failures reach every caller."""

from __future__ import annotations

import asyncio

from app.transport.clock import ServerClock


async def test_concurrent_callers_share_one_measurement() -> None:
    clock = ServerClock()
    release = asyncio.Event()
    runs = 0

    async def measure() -> None:
        nonlocal runs
        runs += 1
        await release.wait()
        clock.offset_ms = 1234.0

    clock.resync = measure
    callers = [asyncio.create_task(clock.resync_shared()) for _ in range(4)]
    await asyncio.sleep(0)
    release.set()
    await asyncio.gather(*callers)
    assert runs == 1 and clock.resyncs == 1 and clock.offset_ms == 1234.0
    await clock.resync_shared()  # a later refusal measures again
    assert runs == 2 and clock.resyncs == 2


async def test_a_failed_measurement_reaches_every_waiting_caller() -> None:
    clock = ServerClock()
    release = asyncio.Event()

    async def measure() -> None:
        await release.wait()
        raise ConnectionError("time endpoint unreachable")

    clock.resync = measure
    callers = [asyncio.create_task(clock.resync_shared()) for _ in range(3)]
    await asyncio.sleep(0)
    release.set()
    results = await asyncio.gather(*callers, return_exceptions=True)
    assert [type(r) for r in results] == [ConnectionError] * 3
    assert clock.resyncs == 1


async def test_without_a_resync_function_it_does_nothing() -> None:
    clock = ServerClock()
    await clock.resync_shared()
    assert clock.resyncs == 0
