"""The HTTP resources every transport shares, owned by :class:`HttpSessionManager`: one lazily created
``aiohttp.ClientSession`` and, for ``rest_backend = "lean"``, one lazily created :class:`LeanHttpClient`."""

from __future__ import annotations

from collections.abc import Sequence

import aiohttp

from app.transport.http_lean import LeanHttpClient


class HttpSessionManager:
    """Owns one ``aiohttp.ClientSession`` shared by every REST transport and aiohttp WebSocket.

    The session is created on first use, inside the running event loop, with an explicit timeout (the
    aiohttp default of five minutes is far too long for trading) and a pooled connector that keeps
    connections alive and caches DNS. Per-request total timeouts are set by the callers;
    the session itself bounds only connecting, so WebSocket connections are never cut by it.
    ``.lean`` is the lean HTTP/1.1 client's connection pool (same connect timeout, ``limit`` connections
    per origin), created on first use by a transport with ``rest_backend = "lean"``.
    ``close()`` closes both and is idempotent; using ``.session`` / ``.lean`` afterwards creates fresh ones.
    """

    def __init__(
        self,
        *,
        connect_timeout_s: float = 5.0,
        limit: int = 100,
        dns_cache_ttl_s: int = 300,
        trace_configs: Sequence[aiohttp.TraceConfig] | None = None,
    ) -> None:
        self._connect_timeout_s = connect_timeout_s
        self._limit = limit
        self._dns_cache_ttl_s = dns_cache_ttl_s
        self._trace_configs = list(trace_configs or ())
        self._session: aiohttp.ClientSession | None = None
        self._lean: LeanHttpClient | None = None

    @property
    def session(self) -> aiohttp.ClientSession:
        """The shared session, created on first access (must be called inside the running loop)."""
        session = self._session
        if session is None or session.closed:
            session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(
                    total=None, connect=self._connect_timeout_s, sock_connect=self._connect_timeout_s
                ),
                connector=aiohttp.TCPConnector(
                    limit=self._limit,
                    ttl_dns_cache=self._dns_cache_ttl_s,
                    enable_cleanup_closed=False,
                ),
                trace_configs=self._trace_configs or None,
                raise_for_status=False,
            )
            self._session = session
        return session

    @property
    def lean(self) -> LeanHttpClient:
        """The lean HTTP/1.1 client (``rest_backend = "lean"``), created on first access."""
        client = self._lean
        if client is None or client.closed:
            client = self._lean = LeanHttpClient(limit_per_host=self._limit, connect_timeout_s=self._connect_timeout_s)
        return client

    @property
    def connect_timeout_s(self) -> float:
        return self._connect_timeout_s

    @property
    def closed(self) -> bool:
        """True when neither an open session nor an open lean client exists (never created, or closed)."""
        return (self._session is None or self._session.closed) and (self._lean is None or self._lean.closed)

    async def close(self) -> None:
        """Close the session, its connector and the lean client's connections; safe to call repeatedly."""
        session, self._session = self._session, None
        lean, self._lean = self._lean, None
        if session is not None and not session.closed:
            await session.close()
        if lean is not None:
            await lean.close()

    def __repr__(self) -> str:
        return f"HttpSessionManager(closed={self.closed}, limit={self._limit})"
