"""Interop check: ccxt's Gate.io USDT swap markets (a third-party client of the real API) against the simulator.

Run with a Python that has ccxt installed (never a project dependency), e.g.:
    python3 -m venv /tmp/ccxt-venv && /tmp/ccxt-venv/bin/pip install ccxt
    .venv/bin/cex-arb simulator --json > /tmp/sim.json &   # or let this script read a JSON line on stdin
    /tmp/ccxt-venv/bin/python scripts/interop/ccxt_gateio_futures.py "$(head -1 /tmp/sim.json)"
ccxt's default ``load_markets`` (spot, margin, usdt + btc swaps, delivery, options) is used unchanged; it
sends ``X-Gate-Size-Decimal: 1`` on futures calls, so the simulator answers sizes as decimal strings.
Prints one line per call and exits non-zero on the first failure.
"""

from __future__ import annotations

import json
import sys

import ccxt  # type: ignore[import-not-found]

SYMBOL = "BTC/USDT:USDT"


def main(sim_json: str) -> int:
    endpoints = json.loads(sim_json)
    venue = endpoints["gateio_futures"]
    exchange = ccxt.gate(
        {"apiKey": venue["api_key"], "secret": venue["api_secret"], "options": {"unifiedAccount": False}}
    )
    exchange.uid = venue["uid"]
    for scope in exchange.urls["api"].values():
        for key in scope:
            scope[key] = venue["rest_url"]
    order: dict[str, object] = {}

    def load() -> object:
        markets = exchange.load_markets()
        market = markets[SYMBOL]
        return (len(markets), market["contractSize"], market["precision"]["price"])

    def create() -> object:
        book = exchange.fetch_order_book(SYMBOL, 5)
        price = round(book["bids"][0][0] * 0.95, 1)
        order.update(exchange.create_order(SYMBOL, "limit", "buy", 2, price))  # amount in contracts
        return (order["id"], order["status"], order["amount"])

    def position() -> object:
        exchange.create_order(SYMBOL, "market", "buy", 3)
        positions = exchange.fetch_positions([SYMBOL])
        return [(p["symbol"], p["side"], p["contracts"], p["entryPrice"]) for p in positions if p["contracts"]]

    steps = [
        ("load_markets", load),
        ("fetch_order_book", lambda: exchange.fetch_order_book(SYMBOL, 10)["bids"][:1]),
        ("fetch_ticker", lambda: exchange.fetch_ticker(SYMBOL)["bid"]),
        ("fetch_trades", lambda: len(exchange.fetch_trades(SYMBOL, limit=5))),
        ("fetch_funding_rate", lambda: exchange.fetch_funding_rate(SYMBOL)["fundingRate"]),
        ("fetch_balance", lambda: exchange.fetch_balance({"type": "swap"})["USDT"]),
        ("create_order", create),
        ("fetch_order", lambda: exchange.fetch_order(order["id"], SYMBOL)["status"]),
        ("fetch_open_orders", lambda: len(exchange.fetch_open_orders(SYMBOL))),
        ("cancel_order", lambda: exchange.cancel_order(order["id"], SYMBOL)["status"]),
        ("set_leverage", lambda: bool(exchange.set_leverage(5, SYMBOL))),
        ("fetch_positions", position),
        ("fetch_my_trades", lambda: len(exchange.fetch_my_trades(SYMBOL))),
    ]
    for name, step in steps:
        try:
            print(f"ok   {name}: {step()}")
        except Exception as exc:
            print(f"FAIL {name}: {type(exc).__name__}: {exc}")
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else sys.stdin.readline()))
