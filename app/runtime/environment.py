"""Where the engine points: the real venues (production) or the embedded simulator (development, testing).

The code path is the same in every environment; only the settings differ. When
``settings.simulator.enabled`` is true, the simulator is started in-process on loopback and every
configured venue it serves is re-pointed at its URLs and test credentials.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from app.config import AppSettings


@asynccontextmanager
async def target_environment(settings: AppSettings) -> AsyncIterator[AppSettings]:
    """Yield the settings to run with, starting (and finally stopping) the simulator when enabled."""
    if not settings.simulator.enabled:
        yield settings
        return
    from app.simulator.server import ExchangeSimulator

    sim = ExchangeSimulator(
        host=settings.simulator.host,
        port=settings.simulator.port,
        seed=settings.simulator.seed,
        faults=settings.simulator.faults or None,
    )
    await sim.start()
    try:
        for exchange, config in settings.exchanges.items():
            if exchange.value in sim.endpoints:
                settings = settings.with_exchange(sim.exchange_config(exchange, base=config))
        yield settings
    finally:
        await sim.stop()
