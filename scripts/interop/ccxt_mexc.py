"""Interop check: ccxt (a third-party client of the real MEXC spot API v3) against the embedded simulator.

Run with a Python that has ccxt installed (never a project dependency), e.g.:
    python3 -m venv /tmp/ccxt-venv && /tmp/ccxt-venv/bin/pip install ccxt
    .venv/bin/cex-arb simulator --json > /tmp/sim.json &   # or let this script read a JSON line on stdin
    /tmp/ccxt-venv/bin/python scripts/interop/ccxt_mexc.py "$(head -1 /tmp/sim.json)"
Only the spot REST API is exercised (ccxt signs every private call in the query string, like this project).
It prints one line per call and exits non-zero on the first failure.
"""

from __future__ import annotations

import json
import sys

import ccxt  # type: ignore[import-not-found]


def main(sim_json: str) -> int:
    venue = json.loads(sim_json)["mexc"]
    exchange = ccxt.mexc({"apiKey": venue["api_key"], "secret": venue["api_secret"]})
    exchange.has["fetchCurrencies"] = False  # wallet networks are not simulated
    exchange.fetch_swap_markets = lambda params=None: []  # MEXC futures (contract.mexc.com) are not simulated
    exchange.urls["api"]["spot"] = {"public": venue["rest_url"], "private": venue["rest_url"]}
    steps = [
        ("fetch_time", lambda: exchange.fetch_time()),
        ("load_markets", lambda: len(exchange.load_markets())),
        ("fetch_order_book", lambda: exchange.fetch_order_book("BTC/USDT", 10)["bids"][:1]),
        ("fetch_ticker", lambda: (exchange.fetch_ticker("BTC/USDT")["bid"], exchange.fetch_ticker("BTC/USDT")["ask"])),
        ("fetch_trades", lambda: len(exchange.fetch_trades("BTC/USDT", limit=5))),
        ("fetch_balance", lambda: exchange.fetch_balance()["USDT"]),
    ]
    order: dict[str, object] = {}

    def create() -> object:
        book = exchange.fetch_order_book("BTC/USDT", 5)
        price = round(book["bids"][0][0] * 0.9, 2)
        order.update(exchange.create_order("BTC/USDT", "limit", "buy", 0.001, price))
        return order["id"]

    steps += [
        ("create_order", create),
        ("fetch_order", lambda: exchange.fetch_order(order["id"], "BTC/USDT")["status"]),
        ("fetch_open_orders", lambda: len(exchange.fetch_open_orders("BTC/USDT"))),
        ("cancel_order", lambda: exchange.cancel_order(order["id"], "BTC/USDT")["id"]),
        ("fetch_order (cancelled)", lambda: exchange.fetch_order(order["id"], "BTC/USDT")["status"]),
        ("create_order (market)", lambda: exchange.create_order("BTC/USDT", "market", "sell", 0.001)["id"]),
        ("fetch_my_trades", lambda: len(exchange.fetch_my_trades("BTC/USDT"))),
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
