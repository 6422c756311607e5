"""The connection side of the simulated WebSocket servers, shared by the Gate.io and MEXC hubs.

A hub never awaits a client: it queues each outbound frame with :meth:`QueuedWsSession.send` (synchronously,
from engine events) and the session's writer task sends the frames in order, through the venue's
:class:`~app.simulator.faults.VenueFaults` (drops, garbage, delays) while a fault mix is active.
:class:`SessionHub` is the hub's lifecycle: the handshake, its open sessions, its periodic-feeds task,
start / stop and closing every connection (what a venue restart or a fault drop does).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from aiohttp import WSCloseCode, web

from app.composite.tasks import cancel_and_wait

if TYPE_CHECKING:
    from app.simulator.faults import VenueFaults
    from app.simulator.venue_base import ClockedVenue


class QueuedWsSession:
    """One client connection: an outbound queue drained by a writer task; a hub subclasses it with the
    connection's subscriptions and user. ``CLOSE_CODE`` / ``CLOSE_TIMEOUT_S``: how :meth:`close` closes a
    socket still open (``None``: no time limit)."""

    WRITER_TASK_NAME: ClassVar[str] = "simulator-ws-writer"
    CLOSE_CODE: ClassVar[int] = WSCloseCode.OK
    CLOSE_TIMEOUT_S: ClassVar[float | None] = None

    def __init__(self, ws: web.WebSocketResponse, request: web.Request, faults: VenueFaults | None = None) -> None:
        self.ws = ws
        self.request = request
        self.faults = faults
        self.last_activity = time.monotonic()
        self._queue: asyncio.Queue[str | bytes] = asyncio.Queue()
        self._writer = asyncio.get_running_loop().create_task(self._write(), name=self.WRITER_TASK_NAME)

    def send(self, message: str | bytes) -> None:
        """Queue a text (``str``) or binary (``bytes``) frame."""
        self.last_activity = time.monotonic()
        self._queue.put_nowait(message)

    async def _write(self) -> None:
        faults = self.faults
        with contextlib.suppress(ConnectionError, RuntimeError):
            while True:
                frame: str | bytes | None = await self._queue.get()
                if faults is not None and faults.active and frame is not None:
                    frame = await faults.outbound(self, frame)
                if isinstance(frame, bytes):
                    await self.ws.send_bytes(frame)
                elif frame is not None:
                    await self.ws.send_str(frame)

    async def close(self) -> None:
        """Stop the writer (frames still queued are dropped) and close the socket if it is still open."""
        if self.faults is not None:
            self.faults.forget(self)
        await cancel_and_wait(self._writer)
        if not self.ws.closed:
            with contextlib.suppress(ConnectionError, RuntimeError, asyncio.TimeoutError):
                await asyncio.wait_for(self.ws.close(code=self.CLOSE_CODE), self.CLOSE_TIMEOUT_S)


SessionT = TypeVar("SessionT", bound=QueuedWsSession)


class SessionHub(Generic[SessionT]):
    """The lifecycle of a venue's WS hub; a subclass implements the protocol (:meth:`_run` its periodic
    feeds, :meth:`_forget` what a session subscribed to, :meth:`_close_session` how a drop closes it)."""

    venue: ClockedVenue

    def __init__(self, feeds_task_name: str) -> None:
        self.sessions: set[SessionT] = set()
        self._feeds_task_name = feeds_task_name
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        """The periodic feeds, until cancelled."""
        raise NotImplementedError

    def _forget(self, session: SessionT) -> None:
        """``session`` is gone: drop it from ``sessions`` and from every subscription."""
        raise NotImplementedError

    async def _close_session(self, session: SessionT) -> None:
        """Close one connection of :meth:`close_all`."""
        raise NotImplementedError

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name=self._feeds_task_name)

    async def stop(self) -> None:
        await self.close_all()
        task, self._task = self._task, None
        await cancel_and_wait(task)

    async def close_all(self, *, abrupt: bool = False) -> int:
        """Close every connection (``abrupt``: abort its TCP connection first, no close frame); how many."""
        sessions = list(self.sessions)
        for session in sessions:
            self._forget(session)
            if abrupt and session.request.transport is not None:
                session.request.transport.abort()
            await self._close_session(session)
        return len(sessions)

    async def _accept(self, request: web.Request) -> web.WebSocketResponse:
        """The WebSocket handshake; refused with a 503 while the venue is restarting."""
        if not self.venue.faults.accepting_connections():
            raise web.HTTPServiceUnavailable(text="venue restarting")
        ws = web.WebSocketResponse(compress=False, max_msg_size=1 << 20)
        await ws.prepare(request)
        return ws
