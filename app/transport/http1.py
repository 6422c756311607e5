"""HTTP/1.1 on the wire for the lean REST backend (:mod:`app.transport.http_lean`): request encoding, one
keep-alive connection as an ``asyncio.Protocol`` with an incremental response parser, response headers.

Responses: ``Content-Length``, ``Transfer-Encoding: chunked`` and read-until-close bodies, 1xx skipped,
``Content-Encoding: gzip / deflate`` decoded. A connection carries one request at a time (no pipelining);
anything that leaves it out of step (a timeout, bytes nobody asked for, ``Connection: close``) retires it.
Error texts name the peer's host and port, never the request target (a signed query must not reach one).
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import Iterator, Mapping
from typing import TypeVar, overload

from app.errors import NetworkError, ValidationError

_T = TypeVar("_T")

MAX_HEAD_BYTES = 64 * 1024
USER_AGENT = "cex-arb"
_IDLE, _HEAD, _BODY_LENGTH, _CHUNK_SIZE, _CHUNK_DATA, _CHUNK_END, _TRAILER, _BODY_UNTIL_CLOSE = range(8)
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class HttpConnectionError(NetworkError):
    """Connecting failed, or the connection broke or answered malformed before the response was complete."""


class Headers(Mapping[str, str]):
    """Response headers with case-insensitive lookups (names kept lowercased)."""

    __slots__ = ("_items",)

    def __init__(self, items: dict[str, str]) -> None:
        self._items = items  # lowercased name -> value

    def __getitem__(self, key: str) -> str:
        return self._items[key.lower()]

    @overload
    def get(self, key: str, /) -> str | None: ...
    @overload
    def get(self, key: str, /, default: str | _T) -> str | _T: ...
    def get(self, key: str, /, default: object = None) -> object:
        return self._items.get(key.lower(), default)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key.lower() in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


def parse_fields(lines: list[str], *, folded: bool = False) -> dict[str, str]:
    """Header lines -> ``{lowercased name: value}``; repeated fields joined by ``, ``, obsolete folded lines
    (``folded``: some line starts with a space or tab) appended to the field they continue, a line without
    a colon ignored."""
    items: dict[str, str] = {}
    if not folded:
        for line in lines:
            name, sep, value = line.partition(":")
            if sep:
                items[name.lower()] = value.strip()
        if len(items) == len(lines):  # the common case: one line per distinct field
            return items
        items.clear()
    name = ""
    for line in lines:
        if line[:1] in (" ", "\t"):
            if name:
                items[name] = f"{items[name]} {line.strip()}"
            continue
        raw_name, sep, value = line.partition(":")
        if not sep:
            continue
        name = raw_name.lower()
        value = value.strip()
        items[name] = f"{items[name]}, {value}" if name in items else value
    return items


class Http1Connection(asyncio.Protocol):
    """One HTTP/1.1 connection: one request at a time, the response parsed incrementally as bytes arrive."""

    __slots__ = (
        "_body",
        "_buf",
        "_chunk_left",
        "_deadline",
        "_head_only",
        "_items",
        "_keep_alive",
        "_length",
        "_loop",
        "_registry",
        "_state",
        "_status",
        "_timer",
        "_timer_at",
        "_waiter",
        "closed",
        "idle_since",
        "label",
        "lost",
        "transport",
    )

    def __init__(self, loop: asyncio.AbstractEventLoop, registry: set[Http1Connection], label: str) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False  # peer closed, connection lost or retired: never written to again
        self.idle_since = 0.0
        self.label = label  # host:port, for error texts
        self.lost: asyncio.Future[None] = loop.create_future()
        self._loop = loop
        self._registry = registry
        self._buf = bytearray()
        self._waiter: asyncio.Future[tuple[int, Headers, bytes, bool]] | None = None
        self._state = _IDLE
        self._head_only = False
        self._status = 0
        self._items: dict[str, str] = {}
        self._keep_alive = False
        self._length = 0
        self._chunk_left = 0
        self._body = bytearray()
        self._deadline = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = 0.0

    # --- asyncio.Protocol ---------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self._registry.add(self)

    def data_received(self, data: bytes) -> None:
        if self._state == _IDLE:  # an answer nobody asked for: the connection is out of step
            self.close()
            return
        self._buf += data
        try:
            self._parse()
        except (ValueError, zlib.error) as exc:
            self._fail(HttpConnectionError(f"malformed HTTP answer from {self.label} ({exc})"))
            self.close()

    def eof_received(self) -> bool:
        self.closed = True
        if self._state == _BODY_UNTIL_CLOSE:
            self._finish(bytes(self._buf), keep_alive=False)
        return False  # close the transport

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self._registry.discard(self)
        self._cancel_timer()
        if self._state == _BODY_UNTIL_CLOSE and exc is None:  # a clean close ends a body without framing
            self._finish(bytes(self._buf), keep_alive=False)
        elif self._state != _IDLE:
            reason = f"{type(exc).__name__}: {exc.strerror}" if isinstance(exc, OSError) and exc.strerror else None
            reason = reason or (type(exc).__name__ if exc is not None else "closed by the peer")
            self._fail(
                HttpConnectionError(f"connection to {self.label} lost before the answer was complete ({reason})")
            )
        if not self.lost.done():
            self.lost.set_result(None)

    # --- requests -------------------------------------------------------------------------------------
    def send(
        self, request: bytes, *, head_only: bool, deadline: float
    ) -> asyncio.Future[tuple[int, Headers, bytes, bool]]:
        """Write one request; the future gets ``(status, headers, body, reusable)``, or ``TimeoutError`` at
        ``deadline`` (loop time)."""
        assert self.transport is not None
        waiter: asyncio.Future[tuple[int, Headers, bytes, bool]] = self._loop.create_future()
        self._waiter = waiter
        self._state = _HEAD
        self._head_only = head_only
        self._deadline = deadline
        # One timer per connection, not per request: it stays armed across requests and, when it fires
        # early for the current request, re-arms at its deadline (sequential requests add no timer work).
        if self._timer is None or self._timer_at > deadline:
            self._arm(deadline)
        self.transport.write(request)
        return waiter

    def _arm(self, when: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self._loop.call_at(when, self._on_timer)
        self._timer_at = when

    def _on_timer(self) -> None:
        self._timer = None
        if self._state == _IDLE or self._waiter is None:
            return  # idle: the next request arms it again
        if self._loop.time() < self._deadline:
            self._arm(self._deadline)
            return
        waiter, self._waiter = self._waiter, None
        self._state = _IDLE
        self.closed = True  # the answer may still come: this connection is out of step now
        if not waiter.done():
            waiter.set_exception(TimeoutError())

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def close(self) -> None:
        """Retire the connection (idempotent); ``lost`` completes once the transport is gone."""
        self.closed = True
        self._cancel_timer()
        transport = self.transport
        if transport is not None and not transport.is_closing():
            transport.close()

    def abort(self) -> None:
        self.closed = True
        self._cancel_timer()
        if self.transport is not None:
            self.transport.abort()

    # --- parsing --------------------------------------------------------------------------------------
    def _parse(self) -> None:
        buf = self._buf
        while True:
            state = self._state
            if state == _HEAD:
                end = buf.find(b"\r\n\r\n")
                if end < 0:
                    if len(buf) > MAX_HEAD_BYTES:
                        raise ValueError("header section too large")
                    return
                head = buf[:end].decode("latin-1")
                del buf[: end + 4]
                self._start_body(head)
            elif state == _BODY_LENGTH:
                length = self._length
                if len(buf) < length:
                    return
                body = bytes(buf[:length])
                del buf[:length]
                self._finish(body, keep_alive=self._keep_alive)
                return
            elif state == _CHUNK_SIZE:
                end = buf.find(b"\r\n")
                if end < 0:
                    if len(buf) > MAX_HEAD_BYTES:
                        raise ValueError("chunk size line too long")
                    return
                size = int(bytes(buf[:end]).split(b";", 1)[0].strip(), 16)
                del buf[: end + 2]
                if size < 0:
                    raise ValueError("negative chunk size")
                self._chunk_left = size
                self._state = _CHUNK_DATA if size else _TRAILER
            elif state == _CHUNK_DATA:
                take = min(self._chunk_left, len(buf))
                if not take:
                    return
                self._body += buf[:take]
                del buf[:take]
                self._chunk_left -= take
                if self._chunk_left:
                    return
                self._state = _CHUNK_END
            elif state == _CHUNK_END:
                if len(buf) < 2:
                    return
                if buf[:2] != b"\r\n":
                    raise ValueError("chunk not followed by CRLF")
                del buf[:2]
                self._state = _CHUNK_SIZE
            elif state == _TRAILER:
                if buf[:2] == b"\r\n":
                    del buf[:2]
                else:
                    end = buf.find(b"\r\n\r\n")
                    if end < 0:
                        if len(buf) > MAX_HEAD_BYTES:
                            raise ValueError("trailer section too large")
                        return
                    del buf[: end + 4]
                body = bytes(self._body)
                self._body = bytearray()
                self._finish(body, keep_alive=self._keep_alive)
                return
            else:  # _BODY_UNTIL_CLOSE (completed on EOF) or _IDLE
                return

    def _start_body(self, head: str) -> None:
        lines = head.split("\r\n")
        status_line = lines[0]
        if not status_line.startswith("HTTP/1.") or status_line[12:13] not in ("", " "):
            raise ValueError("bad status line")
        status = int(status_line[9:12])
        if 100 <= status < 200:  # informational (e.g. 100 Continue): the real answer follows
            if status == 101:
                raise ValueError("unexpected protocol switch")
            return
        del lines[0]
        items = self._items = parse_fields(lines, folded="\r\n " in head or "\r\n\t" in head)
        self._status = status
        connection = items.get("connection")
        if status_line[7] == "1":
            self._keep_alive = connection is None or "close" not in connection.lower()
        else:  # HTTP/1.0
            self._keep_alive = connection is not None and "keep-alive" in connection.lower()
        if self._head_only or status in (204, 304):
            self._length = 0
            self._state = _BODY_LENGTH
        elif (encoding := items.get("transfer-encoding")) is not None:
            if encoding.lower().rsplit(",", 1)[-1].strip() == "chunked":
                self._body = bytearray()
                self._state = _CHUNK_SIZE
            else:
                self._keep_alive = False
                self._state = _BODY_UNTIL_CLOSE
        elif (length_text := items.get("content-length")) is not None:
            length = int(length_text)
            if length < 0:
                raise ValueError("negative Content-Length")
            self._length = length
            self._state = _BODY_LENGTH
        else:
            self._keep_alive = False
            self._state = _BODY_UNTIL_CLOSE

    def _finish(self, body: bytes, *, keep_alive: bool) -> None:
        self._state = _IDLE
        items = self._items
        coding = items.get("content-encoding")
        if coding is not None and body:
            try:
                body = _decode(body, coding.strip().lower())
            except (ValueError, zlib.error) as exc:
                self._fail(HttpConnectionError(f"undecodable answer body from {self.label} ({exc})"))
                return
        if self._buf:  # bytes beyond the answer: out of step, never reuse
            keep_alive = False
        if not keep_alive:
            self.closed = True
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_result((self._status, Headers(items), body, keep_alive))

    def _fail(self, exc: BaseException) -> None:
        self._state = _IDLE
        self.closed = True
        waiter, self._waiter = self._waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)


def _decode(body: bytes, coding: str) -> bytes:
    if coding in ("gzip", "x-gzip"):
        return zlib.decompress(body, 16 + zlib.MAX_WBITS)
    if coding == "deflate":
        try:
            return zlib.decompress(body)
        except zlib.error:  # raw deflate without the zlib wrapper, as some servers send it
            return zlib.decompress(body, -zlib.MAX_WBITS)
    if coding == "identity":
        return body
    raise ValueError(f"unsupported Content-Encoding {coding!r}")


def encode_request(method: str, target: str, host_header: str, headers: Mapping[str, str], body: bytes | None) -> bytes:
    """The request bytes: request line, ``Host``, ``User-Agent``, the caller's headers, ``Content-Length``.

    A CR or LF anywhere in the head, or a space in the target, is refused (no header injection, no
    ambiguous request line); the text never echoes the target.
    """
    parts = [f"{method} {target} HTTP/1.1\r\nHost: {host_header}\r\nUser-Agent: {USER_AGENT}\r\n"]
    parts += [f"{name}: {value}\r\n" for name, value in headers.items()]
    if body is not None or method in _BODY_METHODS:
        parts.append(f"Content-Length: {len(body) if body else 0}\r\n")
    parts.append("\r\n")
    head = "".join(parts)
    lines = len(parts) + 2  # the first part holds three lines
    if head.count("\n") != lines or head.count("\r") != lines or " " in target:
        raise ValidationError(f"{method} request: the target or a header holds CR, LF or a space; refused")
    return head.encode() + body if body else head.encode()
