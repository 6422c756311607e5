"""ReconnectingWebSocket over both backends against a small local aiohttp WebSocket server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from app.errors import NetworkError
from app.transport.session import HttpSessionManager
from app.transport.websocket import ReconnectingWebSocket, make_backend
from tests.transport.loopback import serving

BACKENDS = ["aiohttp", "websockets"]


@dataclass
class WsServer:
    """Greets each connection with ``hello``, echoes frames unless ``silent``, records what it got."""

    port: int = 0
    silent: bool = False
    connections: list[web.WebSocketResponse] = field(default_factory=list)
    received: list[str] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.connections.append(ws)
        await ws.send_str(f"hello-{len(self.connections)}")
        async for msg in ws:
            self.received.append(msg.data)
            if not self.silent:
                await ws.send_str(f"echo:{msg.data}")
        return ws

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"


@pytest.fixture
async def server() -> AsyncIterator[WsServer]:
    ws_server = WsServer()
    app = web.Application()
    app.router.add_get("/ws", ws_server.handle)
    async with serving(app) as port:
        ws_server.port = port
        yield ws_server
        for ws in ws_server.connections:
            await ws.close()


@pytest.fixture
async def sessions() -> AsyncIterator[HttpSessionManager]:
    manager = HttpSessionManager(connect_timeout_s=1.0)
    yield manager
    await manager.close()


class Recorder:
    def __init__(self) -> None:
        self.messages: list[str] = []
        self.connects: list[bool] = []
        self.fail_reconnects = 0

    def on_message(self, data: str | bytes) -> None:
        self.messages.append(data if isinstance(data, str) else data.decode())

    async def on_connected(self, is_reconnect: bool) -> None:
        self.connects.append(is_reconnect)
        if is_reconnect and self.fail_reconnects > 0:
            self.fail_reconnects -= 1
            raise RuntimeError("replay failed")


def make_ws(
    url: str,
    backend: str,
    sessions: HttpSessionManager,
    recorder: Recorder,
    *,
    ping: Callable[[], str | bytes | None] | None = None,
    ping_interval_s: float = 5.0,
    idle_timeout_s: float = 5.0,
) -> ReconnectingWebSocket:
    return ReconnectingWebSocket(
        url,
        name=f"test-{backend}",
        backend=make_backend(backend, sessions),
        on_message=recorder.on_message,
        on_connected=recorder.on_connected,
        ping_message=ping,
        ping_interval_s=ping_interval_s,
        idle_timeout_s=idle_timeout_s,
        max_backoff_s=0.05,
        initial_backoff_s=0.01,
        connect_timeout_s=1.0,
    )


async def wait_for(predicate: Callable[[], bool], within_s: float = 10.0) -> None:
    for _ in range(int(within_s / 0.01)):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached in time")


@pytest.mark.parametrize("backend", BACKENDS)
async def test_start_receive_send_and_orderly_close(
    backend: str, server: WsServer, sessions: HttpSessionManager
) -> None:
    recorder = Recorder()
    ws = make_ws(server.url, backend, sessions, recorder)
    await ws.start()
    assert ws.connected and recorder.connects == [False]
    await ws.send("ping-1")
    await wait_for(lambda: "echo:ping-1" in recorder.messages)
    assert recorder.messages[0] == "hello-1"
    assert ws.messages == 2 and ws.last_message_monotonic > 0
    await ws.close()
    await ws.close()
    assert not ws.connected
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("test-")]  # reader, keepalive
    with pytest.raises(NetworkError):
        await ws.send("after close")


@pytest.mark.parametrize("backend", BACKENDS)
async def test_reconnects_after_server_drop_and_calls_on_connected(
    backend: str, server: WsServer, sessions: HttpSessionManager
) -> None:
    recorder = Recorder()
    ws = make_ws(server.url, backend, sessions, recorder)
    await ws.start()
    await wait_for(lambda: len(recorder.messages) == 1)
    await server.connections[0].close()
    await wait_for(lambda: recorder.connects == [False, True] and "hello-2" in recorder.messages)
    assert ws.reconnect_count == 1 and ws.connected
    await ws.send("again")
    await wait_for(lambda: "echo:again" in recorder.messages)
    await ws.close()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_idle_connection_is_dropped_and_replaced(
    backend: str, server: WsServer, sessions: HttpSessionManager
) -> None:
    server.silent = True
    recorder = Recorder()
    ws = make_ws(server.url, backend, sessions, recorder, idle_timeout_s=0.2)
    await ws.start()
    await wait_for(lambda: ws.reconnect_count >= 1 and len(recorder.connects) >= 2)  # on_connected ran again
    assert ws.idle_timeouts >= 1
    assert recorder.connects[:2] == [False, True]
    await ws.close()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_app_level_ping_keeps_a_quiet_connection_alive(
    backend: str, server: WsServer, sessions: HttpSessionManager
) -> None:
    recorder = Recorder()  # the server echoes pings, so the connection is never idle
    ws = make_ws(
        server.url,
        backend,
        sessions,
        recorder,
        ping=lambda: '{"channel":"spot.ping"}',
        ping_interval_s=0.05,
        idle_timeout_s=0.3,
    )
    await ws.start()
    await asyncio.sleep(0.5)
    assert server.received.count('{"channel":"spot.ping"}') >= 3
    assert ws.reconnect_count == 0 and ws.idle_timeouts == 0
    await ws.close()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_failed_replay_drops_and_retries(backend: str, server: WsServer, sessions: HttpSessionManager) -> None:
    recorder = Recorder()
    recorder.fail_reconnects = 1
    ws = make_ws(server.url, backend, sessions, recorder)
    await ws.start()
    await server.connections[0].close()
    await wait_for(lambda: recorder.connects == [False, True, True] and ws.connected)
    assert ws.reconnect_count == 2
    await ws.close()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_first_connect_failure_raises(backend: str, sessions: HttpSessionManager) -> None:
    recorder = Recorder()
    ws = make_ws("ws://127.0.0.1:1/ws", backend, sessions, recorder)
    with pytest.raises(NetworkError):
        await ws.start()
    assert recorder.connects == []
    await ws.close()


@pytest.mark.parametrize("backend", BACKENDS)
async def test_close_during_reconnect_backoff_leaves_no_task(
    backend: str, server: WsServer, sessions: HttpSessionManager
) -> None:
    recorder = Recorder()
    ws = make_ws(server.url, backend, sessions, recorder)
    await ws.start()
    ws.url = "ws://127.0.0.1:1/ws"  # the next reconnects fail
    await server.connections[0].close()
    await wait_for(lambda: not ws.connected)
    await asyncio.sleep(0.05)
    await ws.close()
    assert not any(t.get_name().startswith("test-") for t in asyncio.all_tasks())


def test_unknown_backend_is_refused() -> None:
    with pytest.raises(ValueError):
        make_backend("carrier-pigeon", HttpSessionManager())
