"""Our client on the benchmark stream: public WebSocket + composite (synced local books) + a handler.

    python -m benchmarks.clients.ours '<server info json>' [--backend aiohttp|websockets] [--latency]

Measured from the start marker to the end marker: frame -> envelope decode -> typed result -> domain
object -> book synchronizer / cache -> composite callback (our handler). Verifies the final books (or
the last trade / ticker) against the server's. The book handler subscribes the way an arbitrage strategy
does: ``depth=20`` (it sizes orders against the top levels) and ``conflate=True`` (it acts on the latest
book, so a burst read from the socket at once gives one call per symbol); every frame is still decoded
and applied, and the final books are verified at full depth.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import logging
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import aiohttp

from app.config import ExchangeConfig, RateLimitConfig
from app.domain.enums import ExchangeEnum
from app.domain.models import BookTicker, OrderBook, Trade
from app.domain.symbol import Symbol
from app.transport.session import HttpSessionManager
from benchmarks.common import Meter, RunResult, fail, levels_equal, percentile, rss_mb

Builder = Callable[[dict[str, Any], str, Meter], Any]


def _config(exchange: ExchangeEnum, info: dict[str, Any], backend: str, rest_url: str | None = None) -> ExchangeConfig:
    return ExchangeConfig(
        name=exchange,
        rest_url=rest_url or info["rest_url"],
        ws_url=info["ws_url"],
        ws_backend=backend,  # type: ignore[arg-type]
        rate_limits=RateLimitConfig(public_per_10s=100_000, private_per_10s=100_000),
        ws_idle_timeout_s=120.0,
    )


def build_gateio_spot(info: dict[str, Any], backend: str, meter: Meter) -> Any:
    """Gate spot public composite wired by hand (the container builds the same objects)."""
    from app.exchanges.gateio.spot.composite_public import GateioCompositePublicSpotExchange
    from app.exchanges.gateio.spot.rest_public import GateioPublicSpotRest
    from app.exchanges.gateio.spot.ws_public import GateioPublicSpotWebsocket

    config = _config(ExchangeEnum.GATEIO, info, backend)
    sessions = HttpSessionManager()

    def ws_factory(handlers: Any) -> GateioPublicSpotWebsocket:
        ws = GateioPublicSpotWebsocket(config, sessions, handlers)
        ws.ws._on_message = meter.wrap(ws.ws._on_message)  # before start(): the reader binds it then
        return ws

    composite = GateioCompositePublicSpotExchange(config, GateioPublicSpotRest(config, sessions), ws_factory)
    composite.bench_sessions = sessions
    return composite


def build_gateio_futures(info: dict[str, Any], backend: str, meter: Meter) -> Any:
    """Gate USDT perpetuals public composite (quantities converted from contracts to base units)."""
    from app.exchanges.gateio.futures.composite_public import GateioFuturesCompositePublicExchange
    from app.exchanges.gateio.futures.rest_public import GateioPublicFuturesRest
    from app.exchanges.gateio.futures.ws_public import GateioPublicFuturesWebsocket

    config = _config(ExchangeEnum.GATEIO_FUTURES, info, backend)
    sessions = HttpSessionManager()

    def ws_factory(handlers: Any) -> GateioPublicFuturesWebsocket:
        ws = GateioPublicFuturesWebsocket(config, sessions, handlers)
        ws.ws._on_message = meter.wrap(ws.ws._on_message)
        return ws

    composite = GateioFuturesCompositePublicExchange(config, GateioPublicFuturesRest(config, sessions), ws_factory)
    composite.bench_sessions = sessions
    return composite


def build_mexc_spot(info: dict[str, Any], backend: str, meter: Meter) -> Any:
    """MEXC spot public composite (protobuf pushes; the client shards connections, metered per shard)."""
    from app.exchanges.mexc.spot.composite_public import MexcCompositePublicSpotExchange
    from app.exchanges.mexc.spot.rest_public import MexcPublicSpotRest
    from app.exchanges.mexc.spot.ws_public import MexcPublicSpotWebsocket

    config = _config(ExchangeEnum.MEXC, info, backend, rest_url=info["http"])
    sessions = HttpSessionManager()

    def ws_factory(handlers: Any) -> MexcPublicSpotWebsocket:
        ws = MexcPublicSpotWebsocket(config, sessions, handlers)
        make_handler = ws.client._message_handler
        ws.client._message_handler = lambda shard: meter.wrap(make_handler(shard))  # type: ignore[method-assign]
        return ws

    composite = MexcCompositePublicSpotExchange(config, MexcPublicSpotRest(config, sessions), ws_factory)
    composite.bench_sessions = sessions
    return composite


# venue prefix of the stream name -> builder
BUILDERS: dict[str, Builder] = {
    "gateio-spot": build_gateio_spot,
    "gateio-futures": build_gateio_futures,
    "mexc-spot": build_mexc_spot,
}


async def run(info: dict[str, Any], backend: str, latency: bool) -> RunResult:
    stream = info["stream"]
    venue = stream.rsplit("-", 1)[0]
    result = RunResult(client=f"ours-{backend}", stream=stream)
    meter = Meter()
    finished = asyncio.Event()
    meter.done = finished.set
    rss0 = rss_mb()
    natives: dict[Symbol, str] = {}

    def native_of(symbol: Symbol) -> str:
        return natives[symbol]

    composite = BUILDERS[venue](info, backend, meter)
    samples: list[tuple[str, int, int]] = []
    calls = 0
    clock = time.monotonic_ns

    last_book: dict[str, int] = {}  # native -> the last sequence our handler saw

    def on_book(book: OrderBook) -> None:
        nonlocal calls
        calls += 1
        last_book[native_of(book.symbol)] = book.sequence
        if latency:
            samples.append((native_of(book.symbol), book.sequence, clock()))

    last_trade: dict[str, str] = {}

    def on_trade(trade: Trade) -> None:
        nonlocal calls
        calls += 1
        last_trade[native_of(trade.symbol)] = trade.trade_id
        if latency:
            samples.append((native_of(trade.symbol), int(trade.trade_id), clock()))

    def on_ticker(ticker: BookTicker) -> None:
        nonlocal calls
        calls += 1
        if latency:
            samples.append((native_of(ticker.symbol), ticker.sequence or 0, clock()))

    kind = info["kind"]
    if kind == "book":
        # what an arbitrage strategy does: it sizes against the top levels and acts on the latest book only
        composite.subscribe_orderbook(on_book, depth=20, conflate=True)
    elif kind == "trades":
        composite.subscribe_trades(on_trade)
    else:
        composite.subscribe_book_ticker(on_ticker)
    symbols = [Symbol.parse(u) for u in info["unified"]]
    natives.update(zip(symbols, info["symbols"], strict=True))
    try:
        gc.collect()
        await composite.initialize(symbols)
        await asyncio.wait_for(finished.wait(), 300)
        meter.fill(result)
        result.extra["handler_calls"] = calls
        result.extra["rss_mb"] = round(rss_mb() - rss0, 1)
        async with aiohttp.ClientSession() as http:
            async with http.get(info["http"] + "/bench/expected") as response:
                expected = await response.json()
            if latency:
                async with http.get(info["http"] + "/bench/send_times") as response:
                    sent = {(s, q): t for s, q, t in await response.json()}
                lat = [(t - sent[(s, q)]) / 1000 for s, q, t in samples if (s, q) in sent]
                result.extra.update(p50_us=percentile(lat, 50), p99_us=percentile(lat, 99), samples=len(lat))
        result.verified, result.detail = verify(composite, kind, natives, expected, last_trade, last_book)
        if kind == "book":
            result.extra["resyncs"] = sum(composite.book_synchronizer(s).resyncs for s in symbols)
    finally:
        await composite.close()
        await composite.bench_sessions.close()
    return result


def verify(
    composite: Any,
    kind: str,
    natives: dict[Symbol, str],
    expected: dict[str, Any],
    last_trade: dict[str, str],
    last_book: dict[str, int],
) -> tuple[bool, str]:
    for symbol, native in natives.items():
        want = expected[native]
        if kind == "trades" and last_trade.get(native) != want["id"]:
            return False, f"{symbol}: last trade {last_trade.get(native)} want {want['id']}"
        if kind == "book":
            book = composite.get_orderbook(symbol)
            got_bids = [(level.price, level.quantity) for level in book.bids]
            got_asks = [(level.price, level.quantity) for level in book.asks]
            if not (book.is_valid and book.sequence == want["seq"]):
                return False, f"{symbol}: valid={book.is_valid} seq={book.sequence} want {want['seq']}"
            if last_book.get(native) != want["seq"]:  # the handler saw the final book, not only the cache
                return False, f"{symbol}: handler's last book seq={last_book.get(native)} want {want['seq']}"
            unit = want.get("base_per_unit", "1")
            if not (levels_equal(got_bids, want["bids"], unit) and levels_equal(got_asks, want["asks"], unit)):
                return False, f"{symbol}: levels differ"
        elif kind == "ticker":
            ticker = composite.get_book_ticker(symbol)
            if ticker is None or ticker.sequence != want["seq"] or ticker.bid_price != Decimal(want["b"]):
                return False, f"{symbol}: last ticker {ticker} want {want}"
    return True, "final state matches the server's"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("info")
    parser.add_argument("--backend", default="aiohttp", choices=("aiohttp", "websockets"))
    parser.add_argument("--latency", action="store_true")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    info = json.loads(args.info)
    try:
        asyncio.run(run(info, args.backend, args.latency)).emit()
    except Exception as exc:
        fail(f"ours-{args.backend}", info["stream"], exc)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
