"""A container with in-memory telemetry over the simulator, shut down after each test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from app.simulator import ExchangeSimulator
from containers.application import ApplicationContainer
from containers.factory import shutdown_container
from tests.middleware.helpers import make_container, settings_for


@pytest.fixture
async def container(simulator: ExchangeSimulator) -> AsyncIterator[ApplicationContainer]:
    c = make_container(settings_for(simulator))
    yield c
    await shutdown_container(c)
