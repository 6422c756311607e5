"""Gate.io spot composites wired to the simulator through the real REST and WebSocket clients.

The clients and composites are the shared ``public_rest``, ``private_rest``, ``public`` and ``private`` of
``tests/venue_fixtures.py``; here on the all-venue ``simulator`` the tests inspect.
"""

from __future__ import annotations

import pytest

from app.config import ExchangeConfig
from tests.venue_fixtures import GATEIO_SPOT, VenueKit, fast_config


@pytest.fixture
def venue_kit() -> VenueKit:
    return GATEIO_SPOT


@pytest.fixture
def venue_config(gateio_config: ExchangeConfig) -> ExchangeConfig:
    """The shared simulator's Gate.io spot settings, with short timeouts."""
    return fast_config(gateio_config)
