"""The order-path server: the embedded Gate spot simulator in its own process, limits relaxed, market paused.

python -m benchmarks.order_sim      # prints {"gateio": {"rest_url": ..., "api_key": ...}}; serves until stdin closes
"""

from __future__ import annotations

import asyncio
import json
import sys

from app.simulator.common import RateLimitRule
from app.simulator.server import ExchangeSimulator


async def serve() -> None:
    async with ExchangeSimulator(venues=("gateio",), seed=7) as sim:
        venue = sim.gateio
        venue.market.pause()  # no random flow: the server answers orders and nothing else
        for category in list(venue.rate_limits.categories):
            venue.rate_limits.categories[category] = RateLimitRule(1_000_000, 1.0)
        print(json.dumps({name: ep.as_dict() for name, ep in sim.endpoints.items()}), flush=True)
        loop = asyncio.get_running_loop()
        closed = asyncio.Event()
        loop.add_reader(sys.stdin.fileno(), lambda: closed.set() if not sys.stdin.buffer.read1(4096) else None)
        try:
            await closed.wait()
        finally:
            loop.remove_reader(sys.stdin.fileno())


if __name__ == "__main__":
    asyncio.run(serve())
