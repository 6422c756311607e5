"""Shared fixtures: a running exchange simulator per test and a Gate.io config pointed at it.

``tests/venue_fixtures.py`` (registered here) adds one venue's hand-wired clients and composites for the
folders that name a ``venue_kit``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from app.config import ExchangeConfig
from app.domain.enums import ExchangeEnum
from app.simulator import ExchangeSimulator

pytest_plugins = ("tests.venue_fixtures",)


@pytest.fixture
async def simulator() -> AsyncIterator[ExchangeSimulator]:
    """A started simulator on a free loopback port (stopped after the test)."""
    async with ExchangeSimulator(tick_interval_s=0.02) as sim:
        yield sim


@pytest.fixture
def gateio_config(simulator: ExchangeSimulator) -> ExchangeConfig:
    """Gate.io spot settings pointed at the simulator, with its test credentials."""
    return simulator.exchange_config(ExchangeEnum.GATEIO)
