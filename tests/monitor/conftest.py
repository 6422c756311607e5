"""Two simulated Gate.io spot venues (two simulators, two containers) for execution tests.

The monitor keys venues by name, so two independent Gate.io spot simulators stand in for two exchanges:
every order goes through the real container-built private composites over loopback.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from dependency_injector import providers

from app.config import AppSettings
from app.domain.enums import ExchangeEnum
from app.simulator import ExchangeSimulator
from containers.application import ApplicationContainer
from containers.factory import shutdown_container


@dataclass
class SimVenue:
    name: str
    sim: ExchangeSimulator
    container: ApplicationContainer

    def public(self) -> object:
        return self.container.composites("gateio:public")

    def private(self) -> object:
        return self.container.composites("gateio:private")


@pytest.fixture
async def two_venues() -> AsyncIterator[tuple[SimVenue, SimVenue]]:
    venues: list[SimVenue] = []
    sims = [ExchangeSimulator(seed=seed, tick_interval_s=0.02) for seed in (11, 12)]
    try:
        for name, sim in zip(("gate_a", "gate_b"), sims, strict=True):
            await sim.start()
            config = sim.exchange_config(ExchangeEnum.GATEIO).model_copy(update={"book_depth": 50})
            settings = AppSettings(env="testing", exchanges={ExchangeEnum.GATEIO: config})
            container = ApplicationContainer()
            container.core.settings.override(providers.Object(settings))
            venues.append(SimVenue(name, sim, container))
        yield venues[0], venues[1]
    finally:
        for venue in venues:
            await shutdown_container(venue.container)
        for sim in sims:
            await sim.stop()
