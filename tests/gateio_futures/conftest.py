"""Gate.io futures clients and composites (``tests/venue_fixtures.py``) wired to a simulator running the
futures venue, over loopback."""

from __future__ import annotations

import pytest

from tests.venue_fixtures import GATEIO_FUTURES, VenueKit


@pytest.fixture
def venue_kit() -> VenueKit:
    return GATEIO_FUTURES
