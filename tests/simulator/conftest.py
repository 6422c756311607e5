"""Raw Gate.io REST/WS access to the simulator (no project client code): signing done by hand here."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from yarl import URL

from app.simulator import ExchangeSimulator
from app.simulator.gateio_spot.venue import GateioUser


def doc_sign(secret: str, method: str, path: str, query: str, body: bytes, timestamp: str) -> str:
    """The signature string exactly as the venue documents it (reference 3.2), built independently."""
    payload = "\n".join([method, path, query, hashlib.sha512(body).hexdigest(), timestamp])
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha512).hexdigest()


def ws_sign(secret: str, channel: str, event: str, time_s: int) -> str:
    payload = f"channel={channel}&event={event}&time={time_s}"
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha512).hexdigest()


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


@dataclass
class RawGate:
    """Minimal hand-written Gate client: literal query strings, exact body bytes."""

    session: aiohttp.ClientSession
    rest_url: str
    ws_url: str
    key: str
    secret: str

    def as_user(self, user: GateioUser) -> RawGate:
        return RawGate(self.session, self.rest_url, self.ws_url, user.api_key, user.api_secret)

    async def send(
        self, method: str, path: str, *, query: str = "", body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Reply:
        url = URL(self.rest_url + path + (f"?{query}" if query else ""), encoded=True)
        async with self.session.request(method, url, data=body or None, headers=headers) as resp:
            return Reply(resp.status, json.loads(await resp.read()), dict(resp.headers))

    async def get(self, path: str, query: str = "") -> Reply:
        return await self.send("GET", path, query=query)

    async def signed(
        self, method: str, path: str, *, query: str = "", payload: Any = None, timestamp: str | None = None
    ) -> Reply:
        body = json.dumps(payload, separators=(",", ":")).encode() if payload is not None else b""
        ts = timestamp or str(int(time.time()))
        headers = {
            "KEY": self.key,
            "Timestamp": ts,
            "SIGN": doc_sign(self.secret, method, "/api/v4" + path, query, body, ts),
            "Content-Type": "application/json",
        }
        return await self.send(method, path, query=query, body=body, headers=headers)

    async def order(self, **fields: Any) -> Reply:
        return await self.signed("POST", "/spot/orders", payload={"currency_pair": "BTC_USDT", **fields})


@pytest.fixture
async def gate(simulator: ExchangeSimulator) -> AsyncIterator[RawGate]:
    endpoints = simulator.endpoints["gateio"]
    async with aiohttp.ClientSession() as session:
        yield RawGate(session, endpoints.rest_url, endpoints.ws_url, endpoints.api_key, endpoints.api_secret)


@pytest.fixture
def quiet(simulator: ExchangeSimulator) -> ExchangeSimulator:
    """The simulator with its market paused (books move only through the test's own orders)."""
    simulator.gateio.market.pause()
    return simulator
