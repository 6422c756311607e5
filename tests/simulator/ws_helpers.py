"""Small helpers for talking to the simulator's WS endpoint in tests."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

import aiohttp

from tests.simulator.conftest import ws_sign


async def request(
    ws: aiohttp.ClientWebSocketResponse,
    channel: str,
    payload: list[Any] | None = None,
    *,
    event: str = "subscribe",
    request_id: int = 1,
    auth: tuple[str, str] | None = None,
    time_s: int | None = None,
) -> None:
    now = time_s if time_s is not None else int(time.time())
    message: dict[str, Any] = {"time": now, "id": request_id, "channel": channel, "event": event}
    if payload is not None:
        message["payload"] = payload
    if auth is not None:
        key, secret = auth
        message["auth"] = {"method": "api_key", "KEY": key, "SIGN": ws_sign(secret, channel, event, now)}
    await ws.send_str(json.dumps(message))


async def receive_until(
    ws: aiohttp.ClientWebSocketResponse, predicate: Callable[[dict[str, Any]], bool], within_s: float = 3.0
) -> dict[str, Any]:
    """The first message satisfying ``predicate`` (others are skipped)."""
    async with asyncio.timeout(within_s):
        while True:
            message = await ws.receive()
            assert message.type is aiohttp.WSMsgType.TEXT, message
            data: dict[str, Any] = json.loads(message.data)
            if predicate(data):
                return data


def on(channel: str, event: str = "update") -> Callable[[dict[str, Any]], bool]:
    return lambda data: data.get("channel") == channel and data.get("event") == event


async def collect_until(
    ws: aiohttp.ClientWebSocketResponse, predicate: Callable[[dict[str, Any]], bool], within_s: float = 3.0
) -> list[dict[str, Any]]:
    """Every message up to and including the first one satisfying ``predicate``."""
    seen: list[dict[str, Any]] = []
    async with asyncio.timeout(within_s):
        while not seen or not predicate(seen[-1]):
            message = await ws.receive()
            assert message.type is aiohttp.WSMsgType.TEXT, message
            seen.append(json.loads(message.data))
    return seen


def results(messages: list[dict[str, Any]], channel: str) -> list[Any]:
    """The ``result`` of every update of ``channel`` in ``messages``, flattened when it is a list."""
    out: list[Any] = []
    for data in messages:
        if data.get("channel") == channel and data.get("event") == "update":
            result = data["result"]
            out.extend(result if isinstance(result, list) else [result])
    return out
