"""ccxt's order path against the same simulator: ``create_order`` + ``cancel_order`` (async_support.gate).

python -m benchmarks.clients.orders_ccxt '<simulator json>' --iterations 300
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from typing import Any

from benchmarks.common import RunResult, fail

WARMUP = 20


async def run(sim: dict[str, Any], iterations: int) -> RunResult:
    import ccxt.async_support as ccxt  # type: ignore[import-not-found]

    venue = sim["gateio"]
    options = {"unifiedAccount": False, "fetchMarkets": {"types": ["spot"]}}
    exchange = ccxt.gate(
        {"apiKey": venue["api_key"], "secret": venue["api_secret"], "options": options, "enableRateLimit": False}
    )
    for scope in exchange.urls["api"].values():
        if isinstance(scope, dict):
            for key, value in list(scope.items()):
                if isinstance(value, str) and value.startswith("http"):
                    scope[key] = venue["rest_url"]
    result = RunResult(client="ccxt", stream="gateio-spot create+cancel")
    try:
        await exchange.load_markets()
        bid = (await exchange.fetch_ticker("BTC/USDT"))["bid"]
        price = round(bid * 0.8, 1)

        async def one() -> None:
            order = await exchange.create_order("BTC/USDT", "limit", "buy", 0.001, price)
            await exchange.cancel_order(order["id"], "BTC/USDT")

        for _ in range(WARMUP):
            await one()
        wall0, cpu0 = time.perf_counter(), time.process_time()
        for _ in range(iterations):
            await one()
        result.cpu_s, result.wall_s = time.process_time() - cpu0, time.perf_counter() - wall0
        result.messages = iterations
        result.verified = not await exchange.fetch_open_orders("BTC/USDT")
        result.detail = "no order left open" if result.verified else "orders left open"
    finally:
        await exchange.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sim")
    parser.add_argument("--iterations", type=int, default=300)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    try:
        asyncio.run(run(json.loads(args.sim), args.iterations)).emit()
    except Exception as exc:
        fail("ccxt", "gateio-spot create+cancel", exc)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
