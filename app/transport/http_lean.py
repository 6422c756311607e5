"""A lean HTTP/1.1 client on ``asyncio.Protocol``: the ``rest_backend = "lean"`` REST backend.

What a venue REST call needs and nothing more: keep-alive connections pooled per origin (scheme, host,
port) with a size limit, TLS through the default SSL context, the request target sent byte-identical (the
query is already encoded and signed), ``Content-Length`` / chunked / read-until-close bodies, gzip or
deflate bodies decoded, one total timeout per request. No proxies, redirects, cookies or pipelining.
The wire (request bytes, the connection protocol and its response parser) is :mod:`app.transport.http1`.

A request is never retried here: once written, a lost answer surfaces as :class:`HttpConnectionError`
or ``TimeoutError`` and the connection is dropped (the REST layer decides what may be retried). Error
texts name the host and port, never the request target (a signed query must not reach a message).
"""

from __future__ import annotations

import asyncio
import ssl
from collections import deque
from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import urlsplit

from app.transport.http1 import Headers, Http1Connection, HttpConnectionError, encode_request

__all__ = ["Headers", "HttpConnectionError", "HttpResponse", "LeanHttpClient", "Origin"]


class HttpResponse(NamedTuple):
    status: int
    headers: Headers
    body: bytes


class Origin:
    """Where requests go: scheme, host, port, the ``Host`` header value and the pool key, parsed once."""

    __slots__ = ("host", "host_header", "key", "port", "tls")

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"the lean HTTP client needs an http(s)://host[:port] URL, got scheme {scheme!r}")
        if parts.username is not None or parts.password is not None:
            raise ValueError("the lean HTTP client does not send credentials in the URL")
        self.tls = scheme == "https"
        self.host = parts.hostname
        self.port = parts.port or (443 if self.tls else 80)
        name = f"[{self.host}]" if ":" in self.host else self.host
        self.host_header = name if self.port == (443 if self.tls else 80) else f"{name}:{self.port}"
        self.key = f"{scheme}://{name}:{self.port}"

    def __repr__(self) -> str:
        return f"Origin({self.key})"


class _Pool:
    """Connections to one origin: idle ones (most recently used last) and how many are in use."""

    __slots__ = ("active", "idle", "waiters")

    def __init__(self) -> None:
        self.active = 0  # in use or being opened; active + len(idle) <= the limit
        self.idle: list[Http1Connection] = []
        self.waiters: deque[asyncio.Future[None]] = deque()


class LeanHttpClient:
    """Pooled keep-alive HTTP/1.1 requests; owned (and closed) by ``HttpSessionManager``.

    At most ``limit_per_host`` connections per origin are in use at once (more requests wait, inside their
    timeout). An idle connection is reused newest first; one the peer closed, or idle for longer than
    ``keepalive_s``, is discarded, never written to. ``close()`` closes every connection and fails the
    requests still waiting; the client refuses requests afterwards.
    """

    def __init__(
        self,
        *,
        limit_per_host: int = 100,
        connect_timeout_s: float = 5.0,
        keepalive_s: float = 15.0,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        if limit_per_host < 1:
            raise ValueError("limit_per_host must be at least 1")
        self._limit = limit_per_host
        self._connect_timeout_s = connect_timeout_s
        self._keepalive_s = keepalive_s
        self._ssl_context = ssl_context
        self._pools: dict[str, _Pool] = {}
        self._connections: set[Http1Connection] = set()
        self._closed = False
        self.connections_opened = 0

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def open_connections(self) -> int:
        """Connections whose transport is not gone yet (idle, in use or closing)."""
        return len(self._connections)

    async def request(
        self,
        origin: Origin,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: bytes | None = None,
        *,
        timeout_s: float,
        connect_timeout_s: float | None = None,
    ) -> HttpResponse:
        """Send one request to ``origin`` and return the whole answer (any status).

        ``timeout_s`` bounds everything (waiting for a pool slot, connecting, sending, receiving): past
        it, ``TimeoutError``. A failed connect or a connection lost before the answer was complete raises
        :class:`HttpConnectionError`; nothing is retried.
        """
        if self._closed:
            raise HttpConnectionError("the HTTP client is closed")
        request = encode_request(method, target, origin.host_header, headers, body)
        loop = asyncio.get_running_loop()
        now = loop.time()
        deadline = now + timeout_s
        pool = self._pools.get(origin.key)
        if pool is None:
            pool = self._pools[origin.key] = _Pool()
        conn = self._take_idle(pool, now)
        if conn is None:
            conn = await self._acquire_new(pool, origin, loop, deadline, connect_timeout_s or self._connect_timeout_s)
        reusable = False
        try:
            status, response_headers, payload, reusable = await conn.send(
                request, head_only=method == "HEAD", deadline=deadline
            )
        finally:
            self._release(pool, conn, reusable, loop)
        return HttpResponse(status, response_headers, payload)

    def _take_idle(self, pool: _Pool, now: float) -> Http1Connection | None:
        idle = pool.idle
        while idle:
            conn = idle.pop()
            transport = conn.transport
            if conn.closed or transport is None or transport.is_closing() or now - conn.idle_since > self._keepalive_s:
                conn.close()
                continue
            pool.active += 1
            return conn
        return None

    def _release(self, pool: _Pool, conn: Http1Connection, reusable: bool, loop: asyncio.AbstractEventLoop) -> None:
        pool.active -= 1
        if reusable and not conn.closed and not self._closed:
            conn.idle_since = loop.time()
            pool.idle.append(conn)
        else:
            conn.close()  # the answer was not read to its end (error, timeout, cancel) or the peer said close
        if pool.waiters:
            _wake_one(pool)

    async def _acquire_new(
        self, pool: _Pool, origin: Origin, loop: asyncio.AbstractEventLoop, deadline: float, connect_timeout_s: float
    ) -> Http1Connection:
        while pool.active >= self._limit:  # full: wait for a release, then take its connection or a free slot
            waiter: asyncio.Future[None] = loop.create_future()
            pool.waiters.append(waiter)
            try:
                async with asyncio.timeout_at(deadline):
                    await waiter
            except BaseException:
                if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
                    _wake_one(pool)  # woken but leaving: pass the turn on
                waiter.cancel()
                raise
            conn = self._take_idle(pool, loop.time())
            if conn is not None:
                return conn
        if self._closed:
            raise HttpConnectionError("the HTTP client is closed")
        pool.active += 1
        try:
            return await self._connect(origin, loop, min(deadline, loop.time() + connect_timeout_s))
        except BaseException:
            pool.active -= 1
            if pool.waiters:
                _wake_one(pool)
            raise

    async def _connect(self, origin: Origin, loop: asyncio.AbstractEventLoop, deadline: float) -> Http1Connection:
        label = f"{origin.host}:{origin.port}"
        tls = self._tls_context() if origin.tls else None
        registry = self._connections
        try:
            async with asyncio.timeout_at(deadline):
                _, conn = await loop.create_connection(
                    lambda: Http1Connection(loop, registry, label),
                    origin.host,
                    origin.port,
                    ssl=tls,
                    server_hostname=origin.host if tls is not None else None,
                )
        except TimeoutError:
            raise TimeoutError(f"connecting to {label} timed out") from None
        except ssl.SSLError as exc:
            reason = getattr(exc, "verify_message", None) or exc.reason or type(exc).__name__
            raise HttpConnectionError(f"TLS handshake with {label} failed ({reason})") from None
        except OSError as exc:
            raise HttpConnectionError(f"{type(exc).__name__} to {label} ({exc.strerror or exc})") from None
        if self._closed:
            conn.abort()
            raise HttpConnectionError("the HTTP client is closed")
        self.connections_opened += 1
        return conn

    def _tls_context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            self._ssl_context = ssl.create_default_context()
        return self._ssl_context

    async def close(self) -> None:
        """Close every connection (requests in flight fail) and wait until the transports are gone."""
        self._closed = True
        for pool in self._pools.values():
            for waiter in pool.waiters:
                if not waiter.done():
                    waiter.set_exception(HttpConnectionError("the HTTP client is closed"))
            pool.waiters.clear()
            pool.idle.clear()
        self._pools.clear()
        connections = list(self._connections)
        for conn in connections:
            conn.close()
        pending = [conn.lost for conn in connections if not conn.lost.done()]
        if pending:
            _, still = await asyncio.wait(pending, timeout=1.0)
            if still:  # a peer slow to end a TLS session: cut it
                for conn in connections:
                    if not conn.lost.done():
                        conn.abort()
                await asyncio.wait(still, timeout=1.0)

    def __repr__(self) -> str:
        return f"LeanHttpClient(closed={self._closed}, connections={len(self._connections)}, limit={self._limit})"


def _wake_one(pool: _Pool) -> None:
    waiters = pool.waiters
    while waiters:
        waiter = waiters.popleft()
        if not waiter.done():
            waiter.set_result(None)
            return
