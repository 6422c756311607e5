"""ccxt.pro on the benchmark stream (runs in the benchmark environment, never the project's).

    python -m benchmarks.clients.ccxt_pro '<server info json>'

``watch_order_book`` / ``watch_trades`` / ``watch_bids_asks`` against the local server: REST URLs point
at it, the spot WebSocket URL too (under ``/gateeu/``, where ccxt.pro uses ``spot.order_book_update``).
The meter wraps ccxt's own per-frame ``Client.handle_message``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
from typing import Any

from benchmarks.common import Meter, RunResult, fail, levels_equal


def gate_exchange(info: dict[str, Any]) -> tuple[Any, str]:
    import ccxt.pro as ccxtpro  # type: ignore[import-not-found]

    exchange = ccxtpro.gate({"enableRateLimit": False, "options": {"fetchMarkets": {"types": ["spot"]}}})
    for scope in exchange.urls["api"].values():
        if isinstance(scope, dict):
            for key, value in list(scope.items()):
                if isinstance(value, str) and value.startswith("http"):
                    scope[key] = info["rest_url"]
    ws_url = next(url for url in info["ws_paths"] if "gateeu" in url)
    exchange.urls["api"]["spot"] = ws_url
    return exchange, ws_url


def gate_futures_exchange(info: dict[str, Any]) -> tuple[Any, str]:
    import ccxt.pro as ccxtpro

    exchange = ccxtpro.gate({"enableRateLimit": False, "options": {"fetchMarkets": {"types": ["swap"]}}})
    for scope in exchange.urls["api"].values():
        if isinstance(scope, dict):
            for key, value in list(scope.items()):
                if isinstance(value, str) and value.startswith("http"):
                    scope[key] = info["rest_url"]
    exchange.urls["api"]["swap"]["usdt"] = info["ws_url"]
    return exchange, info["ws_url"]


# venue prefix of the stream name -> (exchange, ws url); MEXC adds one entry
EXCHANGES = {"gateio-spot": gate_exchange, "gateio-futures": gate_futures_exchange}


def mexc_exchange(info: dict[str, Any]) -> tuple[Any, str]:
    import ccxt.pro as ccxtpro

    markets = {"types": {"spot": True, "swap": {"linear": False, "inverse": False}}}
    exchange = ccxtpro.mexc({"enableRateLimit": False, "options": {"fetchMarkets": markets}})
    exchange.urls["api"]["spot"] = {"public": info["http"], "private": info["http"]}
    exchange.urls["api"]["contract"] = {"public": info["http"] + "/api/v1/contract", "private": info["http"]}
    exchange.urls["api"]["ws"]["spot"] = info["ws_url"]
    return exchange, info["ws_url"]


EXCHANGES["mexc-spot"] = mexc_exchange


def unified(symbol: str, stream: str = "") -> str:
    """ccxt's symbol: the unified one, with the settle suffix on perpetuals."""
    return f"{symbol}:{symbol.split('/')[1]}" if stream.startswith("gateio-futures") else symbol


async def run(info: dict[str, Any]) -> RunResult:
    from aiohttp import WSMsgType

    stream = info["stream"]
    result = RunResult(client="ccxt.pro", stream=stream)
    exchange, ws_url = EXCHANGES[stream.rsplit("-", 1)[0]](info)
    meter = Meter()
    finished = asyncio.Event()
    meter.done = finished.set
    kind = info["kind"]
    symbols = [unified(s, stream) for s in info["unified"]]
    try:
        await exchange.load_markets()
        client = exchange.client(ws_url)
        text = WSMsgType.TEXT
        client.handle_message = meter.wrap(client.handle_message, lambda m: m.data if m.type is text else None)

        async def watch(symbol: str) -> None:
            while not finished.is_set():
                if kind == "book":
                    await exchange.watch_order_book(symbol, 100)
                elif kind == "trades":
                    await exchange.watch_trades(symbol)
                else:
                    await exchange.watch_bids_asks([symbol])

        tasks = [asyncio.create_task(watch(s)) for s in symbols]
        done_wait = asyncio.create_task(finished.wait())
        await asyncio.wait([*tasks, done_wait], timeout=300, return_when=asyncio.FIRST_COMPLETED)
        for task in [*tasks, done_wait]:
            task.cancel()
        for task in tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                raise task.exception()  # type: ignore[misc]
        meter.fill(result)
        expected = await exchange.fetch(info["http"] + "/bench/expected")
        result.verified, result.detail = verify(exchange, kind, symbols, info["symbols"], expected)
    finally:
        await exchange.close()
    return result


def verify(
    exchange: Any, kind: str, symbols: list[str], natives: list[str], expected: dict[str, Any]
) -> tuple[bool, str]:
    for symbol, native in zip(symbols, natives, strict=True):
        want = expected[native]
        if kind == "book":
            book = exchange.orderbooks[symbol]
            # ccxt's MEXC book keeps the last diff's fromVersion as its nonce: only Gate nonces are compared
            if "/" in symbol and book["nonce"] != want["seq"] and not exchange.id.startswith("mexc"):
                return False, f"{symbol}: nonce {book['nonce']} want {want['seq']}"
            if not (levels_equal(list(book["bids"]), want["bids"]) and levels_equal(list(book["asks"]), want["asks"])):
                return False, f"{symbol}: levels differ"
        elif kind == "trades":
            trades = exchange.trades.get(symbol) or []
            if not trades or trades[-1]["id"] != want["id"]:
                return False, f"{symbol}: last trade {trades[-1]['id'] if trades else None} want {want['id']}"
        else:
            ticker = exchange.bidsasks.get(symbol) or {}
            if ticker.get("bid") != float(want["b"]):
                return False, f"{symbol}: bid {ticker.get('bid')} want {want['b']}"
    return True, "final state matches the server's"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("info")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    info = json.loads(args.info)
    try:
        asyncio.run(run(info)).emit()
    except Exception as exc:
        fail("ccxt.pro", info["stream"], exc)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
