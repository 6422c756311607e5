"""Probe (not product code): client CPU of the Gate spot create + cancel pair over aiohttp vs a lean HTTP/1.1
keep-alive client on a bare ``asyncio.Protocol``, same signing and JSON, against the order simulator.

    ./scripts/bench --parts orders   # the product path; this probe answers "what would a lean client save"
    PYTHONPATH=scripts:. .venv/bin/python -m benchmarks.lean_http_probe [--iterations 1000]

The lean client handles only what this probe needs (one connection, ``Content-Length`` bodies, no TLS,
no chunked encoding, no redirects): the gap it shows is aiohttp's per-request machinery (request and
response objects, header multidicts, timers, connector bookkeeping), which ccxt pays too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from yarl import URL

from app.exchanges.gateio.auth import sign_rest
from benchmarks.runner import PROJECT_PYTHON, ROOT, _env

Send = Callable[[str, str, str, bytes], Awaitable[bytes]]  # (method, path, query, body) -> response body


class LeanConnection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection; one request at a time; ``Content-Length`` responses only."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._waiter: asyncio.Future[tuple[int, bytes]] | None = None
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        buffer = self._buffer
        buffer += data
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(buffer[:end]).lower()
        at = head.find(b"\r\ncontent-length:")
        length = int(head[at + 17 : head.find(b"\r\n", at + 2) if head.find(b"\r\n", at + 2) > 0 else None])
        total = end + 4 + length
        if len(buffer) < total:
            return
        status, body = int(head[9:12]), bytes(buffer[end + 4 : total])
        del buffer[:total]
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result((status, body))

    def connection_lost(self, exc: Exception | None) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(ConnectionError("connection lost"))

    async def request(self, method: str, target: str, host: str, headers: dict[str, str], body: bytes) -> bytes:
        lines = [f"{method} {target} HTTP/1.1\r\nHost: {host}\r\n"]
        lines += [f"{name}: {value}\r\n" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(body)}\r\n\r\n")
        self._waiter = asyncio.get_running_loop().create_future()
        assert self.transport is not None
        self.transport.write("".join(lines).encode() + body)
        status, answer = await self._waiter
        if status >= 300:
            raise RuntimeError(f"HTTP {status}: {answer[:200]!r}")
        return answer


async def measure(venue: dict[str, Any], iterations: int, client: str) -> float:
    base = venue["rest_url"].rstrip("/")
    parts = urlsplit(base)
    prefix, host = parts.path, parts.netloc
    key, secret = venue["api_key"], venue["api_secret"]

    def signed(method: str, path: str, query: str, body: bytes) -> dict[str, str]:
        ts = str(int(time.time()))
        headers = {"Accept": "application/json", "KEY": key, "Timestamp": ts}
        headers["SIGN"] = sign_rest(secret, method, prefix + path, query, body, ts)
        if body:
            headers["Content-Type"] = "application/json"
        return headers

    session: aiohttp.ClientSession | None = None
    if client == "aiohttp":
        session = aiohttp.ClientSession()

        async def send(method: str, path: str, query: str, body: bytes) -> bytes:
            assert session is not None
            url = URL(f"{base}{path}?{query}" if query else f"{base}{path}", encoded=True)
            headers = signed(method, path, query, body)
            async with session.request(method, url, data=body or None, headers=headers) as response:
                answer = await response.read()
                if response.status >= 300:
                    raise RuntimeError(f"HTTP {response.status}: {answer[:200]!r}")
                return answer

    else:
        assert parts.hostname is not None and parts.port is not None
        _, conn = await asyncio.get_running_loop().create_connection(LeanConnection, parts.hostname, parts.port)

        async def send(method: str, path: str, query: str, body: bytes) -> bytes:
            target = f"{prefix}{path}?{query}" if query else f"{prefix}{path}"
            return await conn.request(method, target, host, signed(method, path, query, body), body)

    try:
        ticker = json.loads(await send("GET", "/spot/tickers", "currency_pair=BTC_USDT", b""))
        price = format((Decimal(ticker[0]["highest_bid"]) * Decimal("0.8")).quantize(Decimal("0.1")), "f")

        async def one() -> None:
            order = {"currency_pair": "BTC_USDT", "side": "buy", "amount": "0.001", "price": price,
                     "type": "limit", "time_in_force": "gtc", "text": f"t-p{time.monotonic_ns()}"}  # fmt: skip
            placed = json.loads(await send("POST", "/spot/orders", "", json.dumps(order).encode()))
            await send("DELETE", f"/spot/orders/{placed['id']}", "currency_pair=BTC_USDT", b"")

        for _ in range(30):
            await one()
        cpu0 = time.process_time()
        for _ in range(iterations):
            await one()
        return (time.process_time() - cpu0) * 1e6 / iterations
    finally:
        if session is not None:
            await session.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sim = subprocess.Popen(
        [PROJECT_PYTHON, "-m", "benchmarks.order_sim"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        env=_env(), cwd=ROOT,
    )  # fmt: skip
    try:
        assert sim.stdout is not None
        venue = json.loads(sim.stdout.readline())["gateio"]
        best: dict[str, float] = {}
        for _ in range(args.rounds):  # interleaved; best of the rounds (the machine is shared)
            for client in ("aiohttp", "lean"):
                cpu = asyncio.run(measure(venue, args.iterations, client))
                best[client] = min(best.get(client, cpu), cpu)
        for client, cpu in best.items():
            print(f"{client:8s} create+cancel client CPU {cpu:7.0f} us")
        print(f"lean / aiohttp: {best['lean'] / best['aiohttp']:.2f}")
    finally:
        if sim.stdin is not None:
            sim.stdin.close()
        sim.wait(timeout=10)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
