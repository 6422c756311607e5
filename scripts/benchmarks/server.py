"""The benchmark stream server: a separate process on loopback that replays pre-generated venue traffic.

Per WebSocket connection, once the client subscribed the measured channel for every symbol: the warm-up
frames, then (book streams) a hold until each symbol's REST snapshot was fetched, then the start marker,
the measured frames written straight to the socket as fast as it takes them (pre-framed bytes, so the
server costs next to nothing), and the end marker. With ``--rate`` the measured frames go out at a steady
rate instead, and each send time (``time.monotonic_ns``, one clock for every process) is recorded.

    python -m benchmarks.server --stream gateio-spot-book --messages 30000 [--symbols 1] [--rate 0]

Prints one JSON line (port, urls, symbols, counts) and serves until its standard input closes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

from aiohttp import WSMsgType, web

from benchmarks.common import MARK_END, MARK_START
from benchmarks.feeds import FEEDS
from benchmarks.feeds.base import Feed, Frame, Traffic

HOLD_TIMEOUT_S = 20.0
SETTLE_S = 0.3  # after the last snapshot: the client's resync task installs it and drains its buffer


def ws_frame(data: str | bytes) -> bytes:
    """An unmasked, final server frame (text for ``str``, binary for ``bytes``)."""
    payload = data.encode() if isinstance(data, str) else data
    head = bytearray([0x81 if isinstance(data, str) else 0x82])
    size = len(payload)
    if size < 126:
        head.append(size)
    elif size < 65536:
        head.append(126)
        head += size.to_bytes(2, "big")
    else:
        head.append(127)
        head += size.to_bytes(8, "big")
    return bytes(head) + payload


class StreamServer:
    """Serves one feed's traffic to one client connection at a time."""

    def __init__(self, feed: Feed, symbols: list[str], traffic: Traffic, *, rate: float) -> None:
        self.feed = feed
        self.symbols = symbols
        self.traffic = traffic
        self.rate = rate
        self.warmup_blob = b"".join(ws_frame(f.data) for f in traffic.warmup)
        self.main_blob = b"".join(ws_frame(f.data) for f in traffic.main)
        self.main_frames = [ws_frame(f.data) for f in traffic.main] if rate > 0 else []
        self.send_times: list[tuple[str, int, int]] = []
        self.snapshot_requests: set[str] = set()
        self.snapshots_done = asyncio.Event()
        self.connections = 0

    def app(self) -> web.Application:
        app = web.Application()
        for path in self.feed.ws_paths:
            app.router.add_get(path, self.websocket)
        for method, path, handler in self.feed.rest_routes():
            app.router.add_route(method, path, self._rest(path, handler))
        app.router.add_get("/bench/expected", self.expected)
        app.router.add_get("/bench/send_times", self.send_times_handler)
        return app

    def _rest(self, path: str, name: str) -> Any:
        handler = getattr(self.feed, name)

        async def serve(request: web.Request) -> web.Response:
            query = dict(request.query)
            status, body = handler(query, self.traffic, self.symbols)
            symbol = self.feed.snapshot_symbol(path, query)
            if symbol is not None and status == 200:
                self.snapshot_requests.add(symbol)
                if self.snapshot_requests >= set(self.symbols):
                    self.snapshots_done.set()
            return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, separators=(",", ":")))

        return serve

    async def expected(self, request: web.Request) -> web.Response:
        return web.json_response(self.traffic.expected)

    async def send_times_handler(self, request: web.Request) -> web.Response:
        return web.json_response(self.send_times)

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(compress=False, autoping=True, max_msg_size=0)
        await ws.prepare(request)
        self.connections += 1
        self.snapshot_requests.clear()
        self.snapshots_done.clear()
        hold = self.feed.needs_snapshot and request.query.get("hold", "1") != "0"
        subscribed: set[str] = set()
        wanted = set(self.symbols)
        blast: asyncio.Task[None] | None = None
        try:
            async for msg in ws:
                if msg.type not in (WSMsgType.TEXT, WSMsgType.BINARY):
                    continue
                replies, covered = self.feed.on_client_message(msg.data)
                for reply in replies:
                    await (ws.send_str(reply) if isinstance(reply, str) else ws.send_bytes(reply))
                subscribed |= covered
                if blast is None and subscribed >= wanted:
                    blast = asyncio.create_task(self._blast(request, hold))
        finally:
            if blast is not None:
                blast.cancel()
                await asyncio.gather(blast, return_exceptions=True)
        return ws

    async def _blast(self, request: web.Request, hold: bool) -> None:
        transport = request.transport
        assert transport is not None
        transport.write(self.warmup_blob)
        if hold:
            try:
                await asyncio.wait_for(self.snapshots_done.wait(), HOLD_TIMEOUT_S)
            except TimeoutError:
                print("bench server: not every snapshot was fetched; going on", file=sys.stderr)
        await asyncio.sleep(SETTLE_S)
        transport.write(ws_frame(MARK_START))
        if self.rate <= 0:
            transport.write(self.main_blob)
        else:
            await self._paced(transport)
        transport.write(ws_frame(MARK_END))

    async def _paced(self, transport: asyncio.BaseTransport) -> None:
        interval_ns = int(1e9 / self.rate)
        times = self.send_times
        times.clear()
        frames = self.traffic.main
        start = time.monotonic_ns()
        for i, raw in enumerate(self.main_frames):
            delay = (start + i * interval_ns - time.monotonic_ns()) / 1e9
            if delay > 0:
                await asyncio.sleep(delay)
            frame: Frame = frames[i]
            times.append((frame.symbol, frame.seq, time.monotonic_ns()))
            transport.write(raw)  # type: ignore[attr-defined]


def describe(feed: Feed, symbols: list[str], traffic: Traffic, port: int) -> dict[str, Any]:
    """What clients are told about a running server (the JSON line it prints)."""
    base = f"127.0.0.1:{port}"
    return {
        "stream": feed.name,
        "kind": feed.kind,
        "port": port,
        "rest_url": f"http://{base}/api/v4",
        "ws_url": f"ws://{base}{feed.ws_paths[0]}",
        "ws_paths": [f"ws://{base}{p}" for p in feed.ws_paths],
        "http": f"http://{base}",
        "symbols": symbols,
        "unified": [feed.unified(s) for s in symbols],
        "messages": len(traffic.main),
        "warmup": len(traffic.warmup),
    }


async def serve(args: argparse.Namespace) -> None:
    feed = FEEDS[args.stream]()
    symbols = feed.symbols(args.symbols)
    traffic = feed.generate(symbols, args.messages, args.warmup, args.seed)
    server = StreamServer(feed, symbols, traffic, rate=args.rate)
    runner = web.AppRunner(server.app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    info = describe(feed, symbols, traffic, runner.addresses[0][1])
    print(json.dumps(info), flush=True)
    loop = asyncio.get_running_loop()
    stdin_closed = asyncio.Event()
    loop.add_reader(sys.stdin.fileno(), lambda: stdin_closed.set() if not sys.stdin.buffer.read1(4096) else None)
    try:
        await stdin_closed.wait()
    finally:
        loop.remove_reader(sys.stdin.fileno())
        await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stream", required=True, choices=sorted(FEEDS))
    parser.add_argument("--messages", type=int, default=30_000)
    parser.add_argument("--symbols", type=int, default=1)
    parser.add_argument("--warmup", type=int, default=12, help="warm-up frames per symbol (ccxt snapshots after 10)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rate", type=float, default=0.0, help="steady msgs/s (latency); 0 = as fast as possible")
    asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
