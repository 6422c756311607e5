"""Our order path: ``create_order`` + ``cancel_order`` through the private composite (validation, client
order id, signing, serialisation, send, response parse, order tracking), or the private REST client alone.

    python -m benchmarks.clients.orders_ours '<simulator json>' --iterations 300 [--layer composite|rest]
        [--backend aiohttp|lean] [--uvloop]

``--backend`` is ``ExchangeConfig.rest_backend`` (aiohttp, the default, or the lean HTTP/1.1 client);
``--uvloop`` runs the client on uvloop when it is installed (not a project dependency; a what-if figure).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from decimal import Decimal
from typing import Any

from app.config import ExchangeConfig, RateLimitConfig
from app.domain.enums import ExchangeEnum, OrderType, Side, TimeInForce
from app.domain.symbol import Symbol
from app.exchanges.gateio.spot.composite_private import GateioCompositePrivateSpotExchange
from app.exchanges.gateio.spot.rest_private import GateioPrivateSpotRest
from app.exchanges.gateio.spot.rest_public import GateioPublicSpotRest
from app.exchanges.gateio.spot.ws_private import GateioPrivateSpotWebsocket
from app.transport.session import HttpSessionManager
from benchmarks.common import RunResult, fail

BTC = Symbol("BTC", "USDT")
WARMUP = 20


async def run(sim: dict[str, Any], iterations: int, layer: str, backend: str = "aiohttp") -> RunResult:
    venue = sim["gateio"]
    limits = RateLimitConfig(
        public_per_10s=100_000, private_per_10s=100_000, orders_per_second=10_000, cancels_per_second=10_000
    )
    config = ExchangeConfig(
        name=ExchangeEnum.GATEIO,
        rest_url=venue["rest_url"],
        ws_url=venue["ws_url"],
        api_key=venue["api_key"],
        api_secret=venue["api_secret"],
        uid=venue.get("uid"),
        rate_limits=limits,
        rest_backend=backend,  # type: ignore[arg-type]
    )
    sessions = HttpSessionManager()
    public = GateioPublicSpotRest(config.public_view(), sessions)
    rest = GateioPrivateSpotRest(config, sessions)
    composite = GateioCompositePrivateSpotExchange(
        config,
        rest,
        lambda handlers: GateioPrivateSpotWebsocket(config, sessions, handlers, clock=rest.clock),
        public.get_exchange_info,
    )
    result = RunResult(client=label(layer, backend), stream="gateio-spot create+cancel")
    try:
        infos = await public.get_exchange_info()
        rest.set_symbol_info(infos)
        tick = infos[BTC].tick_size
        bid = (await public.get_ticker(BTC)).bid_price
        price = (bid * Decimal("0.8")).quantize(tick)
        quantity = Decimal("0.001")
        if layer == "composite":
            await composite.initialize([BTC])

        async def one() -> None:
            if layer == "composite":
                order = await composite.create_order(BTC, Side.BUY, quantity, price)
                await composite.cancel_order(BTC, order.order_id)
            else:
                order = await rest.create_order(
                    BTC, Side.BUY, quantity, price, OrderType.LIMIT, TimeInForce.GTC, f"t-b{time.monotonic_ns()}"
                )
                await rest.cancel_order(BTC, order.order_id)

        for _ in range(WARMUP):
            await one()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        for _ in range(iterations):
            await one()
        result.cpu_s, result.wall_s = time.process_time() - cpu0, time.perf_counter() - wall0
        result.messages = iterations
        result.verified = not await rest.get_open_orders(BTC)
        result.detail = "no order left open" if result.verified else "orders left open"
    finally:
        await composite.close()
        await rest.close()
        await public.close()
        await sessions.close()
    return result


def label(layer: str, backend: str) -> str:
    return f"ours-{layer}" if backend == "aiohttp" else f"ours-{layer}-{backend}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sim")
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--layer", default="composite", choices=("composite", "rest"))
    parser.add_argument("--backend", default="aiohttp", choices=("aiohttp", "lean"))
    parser.add_argument("--uvloop", action="store_true", help="run on uvloop (must be installed)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    name = label(args.layer, args.backend) + ("-uvloop" if args.uvloop else "")
    try:
        coro = run(json.loads(args.sim), args.iterations, args.layer, args.backend)
        if args.uvloop:
            import uvloop  # a what-if only: not a project dependency

            result = uvloop.run(coro)
        else:
            result = asyncio.run(coro)
        result.client = name
        result.emit()
    except Exception as exc:
        fail(name, "gateio-spot create+cancel", exc)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
