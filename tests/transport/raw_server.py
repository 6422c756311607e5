"""A tiny HTTP/1.1 server on raw asyncio streams for the lean client's tests: it records each request as
received and answers with scripted raw bytes (chunked, compressed, cut short, never), so the client's
parser meets exactly the bytes a test wants."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

Responder = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[bool]]
"""Writes one answer; returns True to keep the connection open for the next request."""


@dataclass
class RawRequest:
    connection: int  # 1-based number of the connection it came on
    method: str
    target: str
    headers: dict[str, str]  # lowercased names
    body: bytes


def reply(raw: bytes, *, keep: bool = True) -> Responder:
    """Send ``raw`` as is; close the connection afterwards unless ``keep``."""

    async def respond(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(raw)
        await writer.drain()
        return keep

    return respond


def ok(body: bytes = b"{}", *, headers: str = "", keep: bool = True) -> Responder:
    """A ``200`` with ``Content-Length`` and the extra ``headers`` lines (``"Name: value\\r\\n"...``)."""
    return reply(
        b"HTTP/1.1 200 OK\r\n" + headers.encode() + b"Content-Length: %d\r\n\r\n" % len(body) + body, keep=keep
    )


def in_pieces(*pieces: bytes) -> Responder:
    """Send the answer in separate writes (each drained, a loop turn apart), so it arrives in fragments."""

    async def respond(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        for piece in pieces:
            writer.write(piece)
            await writer.drain()
            await asyncio.sleep(0.005)
        return True

    return respond


def hang() -> Responder:
    """Never answer; wait for the client to close the connection (or the server to stop)."""

    async def respond(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        await reader.read()
        return False

    return respond


@dataclass
class RawServer:
    """Serves on 127.0.0.1 (TLS when given a context); ``script`` answers requests in order, then ``default``."""

    tls: ssl.SSLContext | None = None
    script: deque[Responder] = field(default_factory=deque)
    default: Responder = field(default_factory=ok)
    requests: list[RawRequest] = field(default_factory=list)
    connections: int = 0
    open_connections: int = 0
    port: int = 0
    _server: asyncio.Server | None = None
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self) -> RawServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=self.tls)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def answer(self, *responders: Responder) -> None:
        self.script.extend(responders)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        self.connections += 1
        self.open_connections += 1
        number = self.connections
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                lines = head[:-4].split("\r\n")
                method, target, _ = lines[0].split(" ")
                headers = {}
                for line in lines[1:]:
                    name, _, value = line.partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                self.requests.append(RawRequest(number, method, target, headers, body))
                responder = self.script.popleft() if self.script else self.default
                if not await responder(reader, writer):
                    break
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self.open_connections -= 1
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            self._tasks.discard(task)  # type: ignore[arg-type]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=2.0)
        if self._server is not None:
            await self._server.wait_closed()


async def eventually(predicate: Callable[[], bool], *, turns: int = 500) -> None:
    """Let the loop run until ``predicate()`` holds (bounded; no timing assertion)."""
    for _ in range(turns):
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not reached")
