"""Fixtures of the reliability suite: one venue per test (every entry of the conformance registry) on a
simulator whose fault model the test drives, the composites built by the real container.

Teardown fails a test that leaves a task pending, an HTTP session open, or an event-loop error behind.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from app.soak.checks import open_sessions
from tests.conformance.case import VenueCase
from tests.conformance.harness import VenueHarness, running_harness
from tests.conformance.venues import VENUE_CASES


@pytest.fixture(params=VENUE_CASES, ids=[case.id for case in VENUE_CASES])
def case(request: pytest.FixtureRequest) -> VenueCase:
    param: VenueCase = request.param
    return param


@pytest.fixture
async def venue(case: VenueCase) -> AsyncIterator[VenueHarness]:
    """A simulator running only ``case``'s venue, the container pointed at it (short timeouts)."""
    async with running_harness(case) as harness:
        yield harness
    assert open_sessions() == 0, f"an HTTP session was left open: {_leaked()}"


def _leaked() -> list[str]:
    import gc
    import traceback

    import aiohttp

    found = []
    for obj in gc.get_objects():
        if isinstance(obj, aiohttp.ClientSession) and not obj.closed:
            tb = getattr(obj, "_source_traceback", None)
            found.append("".join(traceback.format_list(tb[-12:])) if tb else repr(obj))
    return found
