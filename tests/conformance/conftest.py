"""Fixtures of the conformance suite: ``case`` (parametrised over VENUE_CASES) and ``harness``."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from typing import Any

import pytest

from app.simulator import ExchangeSimulator
from tests.conformance.case import VenueCase
from tests.conformance.harness import VenueHarness, pending_tasks
from tests.conformance.venues import VENUE_CASES


@pytest.fixture(params=VENUE_CASES, ids=[case.id for case in VENUE_CASES])
def case(request: pytest.FixtureRequest) -> VenueCase:
    """One venue of the registry."""
    param: VenueCase = request.param
    return param


@pytest.fixture
async def harness(case: VenueCase) -> AsyncIterator[VenueHarness]:
    """A simulator running only ``case``'s venue and the container pointed at it.

    Teardown closes the container then the simulator, and fails the test when a task is left pending or
    the loop reported an error (an unclosed session, a task destroyed while pending, an unretrieved
    exception).
    """
    loop = asyncio.get_running_loop()
    loop_errors: list[dict[str, Any]] = []
    previous_handler = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: loop_errors.append(context))
    sim = ExchangeSimulator(venues=(case.sim_venue,), tick_interval_s=0.02)
    await sim.start()
    venue = VenueHarness(case, sim)
    try:
        yield venue
    finally:
        try:
            await venue.shutdown()
        finally:
            await sim.stop()
    left = await pending_tasks()
    gc.collect()
    loop.set_exception_handler(previous_handler)
    assert not left, f"tasks left pending after shutdown: {[task.get_name() for task in left]}"
    assert not loop_errors, f"event loop errors: {[context.get('message') for context in loop_errors]}"
