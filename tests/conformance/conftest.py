"""Fixtures of the conformance suite: ``case`` (parametrised over VENUE_CASES) and ``harness``."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.conformance.case import VenueCase
from tests.conformance.harness import VenueHarness, running_harness
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
    async with running_harness(case) as harness:
        yield harness
