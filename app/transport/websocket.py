"""WebSocket client with ping, idle timeout, reconnect + replay hook, over aiohttp or websockets."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

import aiohttp
import msgspec

from app.errors import NetworkError, RequestTimeoutError
from app.transport.session import HttpSessionManager

T = TypeVar("T")

MessageCallback = Callable[[str | bytes], None]
ConnectedCallback = Callable[[bool], Awaitable[None]]
PingFactory = Callable[[], str | bytes | None]
WsEventListener = Callable[[str, "ReconnectingWebSocket"], None]
"""Told about connection events (``WS_CONNECTED`` ...); sync, must not raise (telemetry, health)."""

WS_CONNECTED = "connected"  # first connection
WS_DISCONNECTED = "disconnected"  # connection lost (a reconnect follows)
WS_RECONNECTED = "reconnected"  # connection re-established
WS_RESUBSCRIBED = "resubscribed"  # on_connected(True) done: subscriptions replayed, reconnect listeners ran


class WebSocketConnection(Protocol):
    """One open WebSocket. ``receive`` returns ``None`` once the connection is closed."""

    async def receive(self) -> str | bytes | None: ...

    async def send(self, message: str | bytes) -> None: ...

    async def close(self) -> None: ...


class WebSocketBackend(Protocol):
    """Opens connections; permessage-deflate is always off (Gate does not fully support it)."""

    name: str

    async def connect(self, url: str, *, timeout_s: float) -> WebSocketConnection: ...


# --- aiohttp (default: measured faster) ------------------------------------------------------------
_TEXT = aiohttp.WSMsgType.TEXT
_BINARY = aiohttp.WSMsgType.BINARY


def _frame_data(msg: aiohttp.WSMessage) -> str | bytes | None:
    """A data frame's payload; None for CLOSE / CLOSING / CLOSED / ERROR (pings are answered by autoping)."""
    kind = msg.type
    if kind is _TEXT or kind is _BINARY:
        data: str | bytes = msg.data
        return data
    return None


class _AiohttpConnection:
    __slots__ = ("_ws",)

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws

    async def receive(self) -> str | bytes | None:
        return _frame_data(await self._ws.receive())

    def receiver(self) -> tuple[Callable[[], Awaitable[Any]], Callable[[Any], str | bytes | None]]:
        """``(receive, unwrap)`` for the reader's hot loop: ``unwrap(await receive())`` is :meth:`receive`
        without its own coroutine per frame (measured in ``scripts/bench``: ~0.25 us per frame)."""
        return self._ws.receive, _frame_data

    async def send(self, message: str | bytes) -> None:
        if isinstance(message, bytes):
            await self._ws.send_bytes(message)
        else:
            await self._ws.send_str(message)

    async def close(self) -> None:
        await self._ws.close()


class AiohttpWebSocketBackend:
    """Connections via the shared session's ``ws_connect`` (``compress=0``, protocol pings auto-answered)."""

    name = "aiohttp"

    def __init__(
        self, sessions: HttpSessionManager, *, max_msg_size: int = 8 * 1024 * 1024, close_timeout_s: float = 2.0
    ) -> None:
        self._sessions = sessions
        self._max_msg_size = max_msg_size
        self._ws_timeout = aiohttp.ClientWSTimeout(ws_receive=None, ws_close=close_timeout_s)

    async def connect(self, url: str, *, timeout_s: float) -> WebSocketConnection:
        async with asyncio.timeout(timeout_s):
            ws = await self._sessions.session.ws_connect(
                url,
                compress=0,
                autoping=True,
                heartbeat=None,
                max_msg_size=self._max_msg_size,
                timeout=self._ws_timeout,
            )
        return _AiohttpConnection(ws)


# --- websockets ----------------------------------------------------------------------------------
class _WebsocketsConnection:
    __slots__ = ("_closed_exc", "_ws")

    def __init__(self, ws: Any) -> None:
        from websockets.exceptions import ConnectionClosed

        self._ws = ws
        self._closed_exc = ConnectionClosed

    async def receive(self) -> str | bytes | None:
        try:
            data: str | bytes = await self._ws.recv()
        except self._closed_exc:
            return None
        return data

    async def send(self, message: str | bytes) -> None:
        await self._ws.send(message)

    async def close(self) -> None:
        await self._ws.close()


class WebsocketsBackend:
    """Connections via ``websockets.asyncio.client.connect`` with ``compression=None``.

    Its own keepalive pings are disabled: liveness is the :class:`ReconnectingWebSocket`'s app-level
    ping plus idle timeout, identical for both backends.
    """

    name = "websockets"

    def __init__(self, *, max_size: int = 8 * 1024 * 1024, close_timeout_s: float = 2.0) -> None:
        self._max_size = max_size
        self._close_timeout_s = close_timeout_s

    async def connect(self, url: str, *, timeout_s: float) -> WebSocketConnection:
        from websockets.asyncio.client import connect

        ws = await connect(
            url,
            compression=None,
            open_timeout=timeout_s,
            ping_interval=None,
            close_timeout=self._close_timeout_s,
            max_size=self._max_size,
            max_queue=None,
            proxy=None,
        )
        return _WebsocketsConnection(ws)


def make_backend(kind: str, sessions: HttpSessionManager) -> WebSocketBackend:
    """Return the backend named by ``ExchangeConfig.ws_backend`` (``"aiohttp"`` or ``"websockets"``)."""
    if kind == "aiohttp":
        return AiohttpWebSocketBackend(sessions)
    if kind == "websockets":
        return WebsocketsBackend()
    raise ValueError(f"unknown WebSocket backend {kind!r}; expected 'aiohttp' or 'websockets'")


# --- reconnecting client -------------------------------------------------------------------------
class ReconnectingWebSocket:
    """A WebSocket that stays connected until :meth:`close`.

    * ``on_message`` is called synchronously for every text/binary frame (the hot path: the reader
      awaits nothing but the next frame).
    * A keepalive task sends ``ping_message()`` every ``ping_interval_s`` and drops the connection when
      nothing arrived for ``idle_timeout_s``.
    * After a drop it reconnects with exponential backoff plus jitter (capped at ``max_backoff_s``), then
      awaits ``on_connected(True)`` while the reader already runs, so the owner can replay its
      subscriptions and wait for their acks. If that hook fails the connection is dropped and retried.
    * :meth:`close` cancels every task and closes the socket; no task is left pending.
    """

    def __init__(
        self,
        url: str,
        *,
        name: str,
        backend: WebSocketBackend,
        on_message: MessageCallback,
        on_connected: ConnectedCallback,
        ping_message: PingFactory | None,
        ping_interval_s: float,
        idle_timeout_s: float,
        max_backoff_s: float,
        initial_backoff_s: float = 0.1,
        connect_timeout_s: float = 10.0,
        logger: logging.Logger | None = None,
    ) -> None:
        self.url = url
        self.name = name
        self._backend = backend
        self._on_message = on_message
        self._on_connected = on_connected
        self._ping_message = ping_message
        self._ping_interval_s = ping_interval_s
        self._idle_timeout_s = idle_timeout_s
        self._max_backoff_s = max_backoff_s
        self._initial_backoff_s = min(initial_backoff_s, max_backoff_s)
        self._connect_timeout_s = connect_timeout_s
        self._logger = logger or logging.getLogger(f"app.transport.websocket.{name}")
        self._conn: WebSocketConnection | None = None
        self._run_task: asyncio.Task[None] | None = None
        self._keepalive_task: asyncio.Task[None] | None = None
        self._hook_task: asyncio.Task[None] | None = None
        self._closing = False
        self._started = False
        self.connected = False
        self.reconnect_count = 0
        self.messages = 0
        self.idle_timeouts = 0
        self.handler_errors = 0
        self.last_message_monotonic = 0.0
        self._last_ping_monotonic = 0.0
        self.decode_errors = 0  # handler failures that were msgspec decode/validation errors
        self.measure_handlers = False  # when True, on_message time is summed (two clock reads per message)
        self.handler_time_s = 0.0
        self.handler_time_max_s = 0.0
        self.last_disconnect_monotonic = 0.0
        self._listeners: tuple[WsEventListener, ...] = ()
        # a frame that fails to decode may have carried data (an order update, a book diff): drop the
        # connection so the owner's reconnect path resubscribes, resyncs books and re-polls the account
        self.reconnect_on_decode_error = True
        self._drop_requested = False

    def add_listener(self, listener: WsEventListener) -> None:
        """Call ``listener(event, self)`` on connection events (see ``WS_*``)."""
        self._listeners = (*self._listeners, listener)

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._closing

    def _emit(self, event: str) -> None:
        for listener in self._listeners:
            try:
                listener(event, self)
            except Exception:  # pragma: no cover - a listener bug must not break the connection
                self._logger.exception("%s: listener failed on %s", self.name, event)

    # -- lifecycle --------------------------------------------------------------------------------
    async def start(self) -> None:
        """Connect (raising :class:`NetworkError` if the first attempt fails) and start reading."""
        if self._started:
            return
        if self._closing:
            raise NetworkError(f"{self.name}: WebSocket already closed")
        conn = await self._connect()
        self._started = True
        self._attach(conn)
        self._run_task = asyncio.create_task(self._run(conn), name=f"{self.name}-reader")
        self._keepalive_task = asyncio.create_task(self._keepalive(), name=f"{self.name}-keepalive")
        self._emit(WS_CONNECTED)
        try:
            await self._on_connected(False)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        """Cancel the reader, keepalive and hook tasks and close the socket; idempotent."""
        self._closing = True
        self.connected = False
        current = asyncio.current_task()
        tasks = [t for t in (self._hook_task, self._keepalive_task, self._run_task) if t is not None]
        for task in tasks:
            if task is not current:
                task.cancel()
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()
        for task in tasks:
            if task is not current:
                with contextlib.suppress(BaseException):
                    await task
        self._hook_task = self._keepalive_task = self._run_task = None

    async def send(self, message: str | bytes) -> None:
        """Send one frame on the current connection (:class:`NetworkError` when disconnected)."""
        conn = self._conn
        if conn is None or not self.connected:
            raise NetworkError(f"{self.name}: WebSocket not connected")
        try:
            await conn.send(message)
        except Exception as exc:  # aiohttp.ClientError, ConnectionError, websockets.ConnectionClosed, ...
            raise NetworkError(f"{self.name}: send failed: {type(exc).__name__}") from None

    async def send_and_await(
        self, message: str | bytes, answer: asyncio.Future[T], timeout_s: float, what: str
    ) -> T | None:
        """Send a control request and wait for its ``answer`` (resolved by the owner's message handler).

        None when the connection dropped before or while waiting: what the request asked for is stored by
        the owner and goes out again with the replay after the reconnect. :class:`RequestTimeoutError` when
        a connection that stayed up gave no answer within ``timeout_s``.
        """
        epoch = self.reconnect_count
        try:
            await self.send(message)
        except NetworkError:
            return None
        try:
            return await asyncio.wait_for(answer, timeout_s)
        except TimeoutError:
            if not self.connected or self.reconnect_count != epoch:
                return None
            raise RequestTimeoutError(f"{self.name}: no answer to {what}") from None

    def request_reconnect(self) -> None:
        """Drop the connection once the current frame is handled (sync; the owner lost data it cannot
        recover from the stream, e.g. an undecodable frame)."""
        self._drop_requested = True

    async def reconnect(self) -> None:
        """Drop the current connection; the reader reconnects (e.g. on a venue ``upgrade`` notice)."""
        conn = self._conn
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()

    # -- internals --------------------------------------------------------------------------------
    async def _connect(self) -> WebSocketConnection:
        try:
            return await self._backend.connect(self.url, timeout_s=self._connect_timeout_s)
        except TimeoutError:
            raise RequestTimeoutError(f"{self.name}: WebSocket connect timed out") from None
        except (aiohttp.ClientError, OSError) as exc:
            raise NetworkError(f"{self.name}: WebSocket connect failed: {type(exc).__name__}") from None
        except Exception as exc:  # websockets.InvalidHandshake, InvalidURI, ...
            raise NetworkError(f"{self.name}: WebSocket connect failed: {type(exc).__name__}") from None

    def _attach(self, conn: WebSocketConnection) -> None:
        self._conn = conn
        self.connected = True
        now = time.monotonic()
        self.last_message_monotonic = now
        self._last_ping_monotonic = now

    async def _run(self, conn: WebSocketConnection) -> None:
        while True:
            await self._read(conn)
            self.connected = False
            self._conn = None
            with contextlib.suppress(Exception):
                await conn.close()
            if self._closing:
                return
            self.last_disconnect_monotonic = time.monotonic()
            self._emit(WS_DISCONNECTED)
            self._logger.info("%s: connection lost, reconnecting", self.name)
            conn = await self._reconnect_with_backoff()
            self._attach(conn)
            self.reconnect_count += 1
            self._emit(WS_RECONNECTED)
            if self._hook_task is not None and not self._hook_task.done():
                self._hook_task.cancel()
            self._hook_task = asyncio.create_task(self._run_hook(conn), name=f"{self.name}-on-connected")

    async def _read(self, conn: WebSocketConnection) -> None:
        on_message = self._on_message
        monotonic = time.monotonic
        perf_counter = time.perf_counter
        receiver = getattr(conn, "receiver", None)  # optional: a backend's cheaper per-frame receive
        receive, unwrap = receiver() if receiver is not None else (conn.receive, None)
        while True:
            try:
                data = await receive()
                if unwrap is not None:
                    data = unwrap(data)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._logger.info("%s: receive failed: %s", self.name, type(exc).__name__)
                return
            if data is None:
                return
            self.messages += 1
            self.last_message_monotonic = monotonic()
            try:
                if self.measure_handlers:
                    began = perf_counter()
                    on_message(data)
                    spent = perf_counter() - began
                    self.handler_time_s += spent
                    if spent > self.handler_time_max_s:
                        self.handler_time_max_s = spent
                else:
                    on_message(data)
            except Exception as exc:
                self.handler_errors += 1
                if isinstance(exc, msgspec.MsgspecError):
                    self.decode_errors += 1
                    self._logger.warning("%s: undecodable frame (%s)", self.name, exc)
                    if self.reconnect_on_decode_error:
                        self._drop_requested = True
                else:
                    self._logger.exception("%s: message handler failed", self.name)
            if self._drop_requested:
                self._drop_requested = False
                self._logger.info("%s: dropping the connection to resync", self.name)
                return

    async def _reconnect_with_backoff(self) -> WebSocketConnection:
        attempt = 0
        while True:
            delay = min(self._max_backoff_s, self._initial_backoff_s * (2**attempt)) * random.uniform(0.5, 1.0)
            attempt += 1
            await asyncio.sleep(delay)
            try:
                return await self._connect()
            except NetworkError as exc:
                self._logger.info("%s: reconnect attempt %d failed: %s", self.name, attempt, exc)

    async def _run_hook(self, conn: WebSocketConnection) -> None:
        try:
            await self._on_connected(True)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._logger.warning("%s: on_connected failed (%s); dropping the connection", self.name, exc)
            with contextlib.suppress(Exception):
                await conn.close()
            return
        self._emit(WS_RESUBSCRIBED)

    async def _keepalive(self) -> None:
        tick = max(0.01, min(self._ping_interval_s, self._idle_timeout_s) / 4.0)
        monotonic = time.monotonic
        while True:
            await asyncio.sleep(tick)
            conn = self._conn
            if conn is None or not self.connected:
                continue
            now = monotonic()
            if now - self.last_message_monotonic > self._idle_timeout_s:
                self.idle_timeouts += 1
                self._logger.info("%s: no message for %.1fs, reconnecting", self.name, self._idle_timeout_s)
                self.connected = False
                with contextlib.suppress(Exception):
                    await conn.close()
                continue
            if self._ping_message is not None and now - self._last_ping_monotonic >= self._ping_interval_s:
                self._last_ping_monotonic = now
                message = self._ping_message()
                if message is not None:
                    with contextlib.suppress(Exception):
                        await conn.send(message)

    def __repr__(self) -> str:
        return (
            f"ReconnectingWebSocket({self.name}, backend={self._backend.name}, connected={self.connected}, "
            f"reconnects={self.reconnect_count})"
        )
