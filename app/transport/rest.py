"""REST transport: one query string built once, signed and sent byte-identical; limits, retries, errors."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeAlias
from urllib.parse import urlsplit

import aiohttp
from yarl import URL

from app.config import ExchangeConfig
from app.errors import (
    ConfigurationError,
    ExchangeAPIError,
    ExchangeUnavailableError,
    NetworkError,
    RateLimitError,
    RequestTimeoutError,
    ValidationError,
)
from app.transport.clock import ServerClock
from app.transport.http_lean import HttpConnectionError, Origin
from app.transport.rate_limit import RateLimiter
from app.transport.session import HttpSessionManager

RequestSigner: TypeAlias = Callable[[str, str, str, bytes, ServerClock], dict[str, str]]
"""``(method, full_path_incl_prefix, query_string, body, clock) -> headers`` to add to the request."""

ErrorMapper: TypeAlias = Callable[[int, bytes, Mapping[str, str]], ExchangeAPIError]
"""``(status, body, headers) -> error`` for any non-2xx answer."""

ClockResync: TypeAlias = Callable[[], Awaitable[None]]
"""Measures the server-time offset again (a venue's ``sync_time``)."""

HeadersHook: TypeAlias = Callable[[Mapping[str, str]], None]
"""Called with every response's headers (venue rate-limit headers)."""

QuerySigner: TypeAlias = Callable[[str, str, str, bytes, ServerClock], tuple[str, dict[str, str]]]
"""``(method, full_path, query_string, body, clock) -> (query_to_send, headers)`` for venues that sign inside
the query string (MEXC: ``...&timestamp=..&signature=..``); called at send time, so each attempt is fresh."""

# Characters a query value may hold without percent-encoding (RFC 3986 unreserved, plus ``,`` ``:``
# ``!``, which venues accept literally). Anything else is refused, so the signed text is the sent text.
_SAFE_QUERY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~,:!")
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "PUT"})
_JSON_HEADERS = {"Accept": "application/json"}
_JSON_BODY_HEADERS = {"Accept": "application/json", "Content-Type": "application/json"}


@dataclass(frozen=True, slots=True)
class RestResponse:
    """A 2xx answer: status, raw body bytes (decode with a typed msgspec decoder) and headers."""

    status: int
    body: bytes
    headers: Mapping[str, str]


@dataclass(slots=True)
class RestCall:
    """One logical request (all its attempts) as observers see it: no query string, body or headers."""

    exchange: str
    method: str
    path: str  # relative to the REST base URL, without the query string
    signed: bool
    base_url: str
    started_ns: int  # wall clock (``time.time_ns``), for spans
    started_perf: float  # ``time.perf_counter``, for durations
    retries: int = 0
    status: int | None = None
    error: BaseException | None = None
    duration_s: float = 0.0
    signed_ns: int | None = None  # when the last attempt was signed (wall clock)


class RestObserver(Protocol):
    """Sees every request of a transport (metrics, traces, health); must not raise or block."""

    def request_started(self, call: RestCall) -> object:
        """Return a token handed back to :meth:`request_finished` (e.g. a span)."""
        ...

    def request_finished(self, call: RestCall, token: object) -> None: ...


def build_query(params: Sequence[tuple[str, str]] | None) -> str:
    """Return ``key=value&...`` in the given order; values that would need URL-encoding are refused."""
    if not params:
        return ""
    parts: list[str] = []
    for key, value in params:
        if not isinstance(value, str):
            raise ValidationError(f"query parameter {key!r} must be a str, got {type(value).__name__}")
        if not key or not _SAFE_QUERY_CHARS.issuperset(key) or not _SAFE_QUERY_CHARS.issuperset(value):
            raise ValidationError(
                f"query parameter {key!r} holds characters that need URL-encoding; only [A-Za-z0-9-._~,:!] "
                "are sent, so the signed query is the one on the wire"
            )
        parts.append(f"{key}={value}")
    return "&".join(parts)


class RestTransport:
    """Sends one venue's REST requests: rate limit, sign, send, map errors, retry idempotent ones.

    ``path`` is relative to ``config.rest_url`` (``"/spot/order_book"``); the signer receives the full
    path including the URL's own prefix (``"/api/v4/spot/order_book"``). Retries (exponential backoff
    with jitter, at most ``config.max_retries``) happen only for idempotent requests, on network errors,
    timeouts, 5xx and 429; a POST is never retried unless the caller says it is idempotent.
    The session belongs to the :class:`HttpSessionManager`; ``close()`` only stops this transport.
    ``config.rest_backend`` picks the HTTP client: the shared aiohttp session (default) or the manager's
    lean HTTP/1.1 client (``"lean"``); both send the same bytes and map failures to the same errors.
    """

    def __init__(
        self,
        config: ExchangeConfig,
        sessions: HttpSessionManager,
        *,
        signer: RequestSigner | None,
        error_mapper: ErrorMapper,
        rate_limiter: RateLimiter | None = None,
        clock: ServerClock | None = None,
        logger: logging.Logger | None = None,
        on_headers: HeadersHook | None = None,
        query_signer: QuerySigner | None = None,
        backoff_base_s: float = 0.1,
        backoff_max_s: float = 2.0,
        default_retry_after_s: float = 1.0,
    ) -> None:
        self._config = config
        self._sessions = sessions
        self._signer = signer
        self._error_mapper = error_mapper
        self.rate_limiter = rate_limiter
        self.clock = clock or ServerClock()
        self._logger = logger or logging.getLogger(f"app.transport.rest.{config.name.value}")
        self._on_headers = on_headers
        self._query_signer = query_signer
        self._backoff_base_s = backoff_base_s
        self._backoff_max_s = backoff_max_s
        self._default_retry_after_s = default_retry_after_s
        self._base_url = config.rest_url.rstrip("/")
        self._path_prefix = urlsplit(self._base_url).path.rstrip("/")
        self._timeout = aiohttp.ClientTimeout(total=config.request_timeout_s, sock_connect=config.connect_timeout_s)
        self._lean: Origin | None = Origin(self._base_url) if config.rest_backend == "lean" else None
        self._exchange = config.name.value
        self._observers: tuple[RestObserver, ...] = ()
        self._closed = False
        self._clock_resync: ClockResync | None = None
        self._is_clock_error: Callable[[ExchangeAPIError], bool] | None = None
        self.requests = 0
        self.retries = 0
        self.clock_resyncs = 0

    @property
    def closed(self) -> bool:
        return self._closed

    def set_clock_resync(self, resync: ClockResync, is_clock_error: Callable[[ExchangeAPIError], bool]) -> None:
        """On a signed request refused for its timestamp (``is_clock_error``), measure the server-time offset
        again with ``resync()`` and send the request once more, freshly signed. Safe for writes too: the
        venue checks the timestamp before anything else, so the refused request was not processed.

        ``resync`` becomes the clock's :attr:`ServerClock.resync` (a WebSocket sharing the clock uses it too)
        and runs through :meth:`ServerClock.resync_shared`: requests refused at the same time share one
        measurement."""
        self.clock.resync = resync
        self._clock_resync = self.clock.resync_shared
        self._is_clock_error = is_clock_error

    def add_observer(self, observer: RestObserver) -> None:
        """Tell ``observer`` about every request from now on (see :class:`RestObserver`)."""
        self._observers = (*self._observers, observer)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Sequence[tuple[str, str]] | None = None,
        body: bytes | None = None,
        signed: bool = False,
        idempotent: bool | None = None,
        bucket: str = "public",
    ) -> RestResponse:
        """Send one request and return its 2xx answer, or raise a typed error (see class doc)."""
        observers = self._observers
        if not observers:
            return await self._request(method, path, params, body, signed, idempotent, bucket, None)
        call = RestCall(
            self._exchange, method.upper(), path, signed, self._base_url, time.time_ns(), time.perf_counter()
        )
        tokens = [observer.request_started(call) for observer in observers]
        try:
            response = await self._request(method, path, params, body, signed, idempotent, bucket, call)
            call.status = response.status
            return response
        except BaseException as exc:
            call.error = exc
            call.status = getattr(exc, "status", None)
            raise
        finally:
            call.duration_s = time.perf_counter() - call.started_perf
            for observer, token in zip(observers, tokens, strict=True):
                try:
                    observer.request_finished(call, token)
                except Exception:  # pragma: no cover - an observer bug must not fail a request
                    self._logger.exception("REST observer %s failed", type(observer).__name__)

    async def _request(
        self,
        method: str,
        path: str,
        params: Sequence[tuple[str, str]] | None,
        body: bytes | None,
        signed: bool,
        idempotent: bool | None,
        bucket: str,
        call: RestCall | None,
    ) -> RestResponse:
        if self._closed:
            raise NetworkError(f"{self._exchange}: REST transport is closed")
        method = method.upper()
        if signed and self._signer is None and self._query_signer is None:
            raise ConfigurationError("a signed request needs a signer (API credentials)", key=self._exchange)
        query = build_query(params)
        url = (
            URL(f"{self._base_url}{path}?{query}" if query else f"{self._base_url}{path}", encoded=True)
            if self._lean is None
            else None  # the lean backend sends prefix + path + query as the target
        )
        payload = body or b""
        retryable = (method in _IDEMPOTENT_METHODS) if idempotent is None else idempotent
        max_attempts = 1 + (self._config.max_retries if retryable else 0)
        attempt = 0
        clock_resynced = False
        while True:
            attempt += 1
            try:
                return await self._send_once(method, path, url, query, payload, body, signed, bucket, call)
            except RateLimitError as exc:
                if self.rate_limiter is not None:
                    self.rate_limiter.penalize(exc.retry_after or self._default_retry_after_s)
                if attempt >= max_attempts:
                    raise
                delay = max(self._backoff(attempt), exc.retry_after or 0.0)
            except (ExchangeUnavailableError, NetworkError) as exc:
                if attempt >= max_attempts or not _retry_on(exc):
                    raise
                delay = self._backoff(attempt)
            except ExchangeAPIError as exc:
                if clock_resynced or not signed or not self._is_clock_refusal(exc):
                    raise
                clock_resynced = True  # once per call, and not counted as a retry: nothing was processed
                attempt -= 1
                await self._resync_clock(method, path)
                continue
            self.retries += 1
            if call is not None:
                call.retries += 1
            if self._logger.isEnabledFor(logging.DEBUG):
                self._logger.debug("%s %s: retry %d in %.3fs", method, path, attempt, delay)
            await asyncio.sleep(delay)

    async def _send_once(
        self,
        method: str,
        path: str,
        url: URL | None,
        query: str,
        payload: bytes,
        body: bytes | None,
        signed: bool,
        bucket: str,
        call: RestCall | None = None,
    ) -> RestResponse:
        if self.rate_limiter is not None:
            await self.rate_limiter.acquire(bucket)
        headers = dict(_JSON_BODY_HEADERS if body is not None else _JSON_HEADERS)
        if signed and self._query_signer is not None:
            query, extra = self._query_signer(method, f"{self._path_prefix}{path}", query, payload, self.clock)
            headers.update(extra)
            if self._lean is None:
                url = URL(f"{self._base_url}{path}?{query}", encoded=True)
        elif signed:
            assert self._signer is not None
            headers.update(self._signer(method, f"{self._path_prefix}{path}", query, payload, self.clock))
        if call is not None and signed:
            call.signed_ns = time.time_ns()
        self.requests += 1
        started = time.monotonic()
        response_headers: Mapping[str, str]
        try:
            if url is not None:  # aiohttp (the lean backend builds no URL)
                async with self._sessions.session.request(
                    method, url, data=body, headers=headers, timeout=self._timeout, allow_redirects=False
                ) as response:
                    raw = await response.read()
                    status = response.status
                    response_headers = response.headers
            else:
                assert self._lean is not None
                target = f"{self._path_prefix}{path}?{query}" if query else f"{self._path_prefix}{path}"
                status, response_headers, raw = await self._sessions.lean.request(
                    self._lean,
                    method,
                    target,
                    headers,
                    body,
                    timeout_s=self._config.request_timeout_s,
                    connect_timeout_s=self._config.connect_timeout_s,
                )
        except TimeoutError:
            raise RequestTimeoutError(
                f"{self._exchange}: {method} {path} got no answer within {self._config.request_timeout_s}s"
            ) from None
        except aiohttp.ClientError as exc:
            raise NetworkError(f"{self._exchange}: {method} {path} failed: {_describe(exc)}") from None
        except HttpConnectionError as exc:  # its text names host:port and the failure, never the target
            raise NetworkError(f"{self._exchange}: {method} {path} failed: {exc}") from None
        if self._logger.isEnabledFor(logging.DEBUG):
            self._logger.debug(
                "%s %s -> %d (%d bytes, %.1f ms)", method, path, status, len(raw), (time.monotonic() - started) * 1e3
            )
        if self._on_headers is not None:
            self._on_headers(response_headers)
        if 200 <= status < 300:
            return RestResponse(status, raw, response_headers)
        raise self._error_mapper(status, raw, response_headers)

    def _is_clock_refusal(self, exc: ExchangeAPIError) -> bool:
        return self._clock_resync is not None and self._is_clock_error is not None and self._is_clock_error(exc)

    async def _resync_clock(self, method: str, path: str) -> None:
        assert self._clock_resync is not None
        self.clock_resyncs += 1
        self._logger.warning("%s %s: timestamp refused; resyncing the server clock, sending once more", method, path)
        await self._clock_resync()

    def _backoff(self, attempt: int) -> float:
        delay: float = min(self._backoff_max_s, self._backoff_base_s * 2.0 ** (attempt - 1))
        return delay * random.uniform(0.5, 1.0)

    async def close(self) -> None:
        """Refuse further requests; the shared session is closed by its owner."""
        self._closed = True

    def __repr__(self) -> str:
        signed = self._signer is not None or self._query_signer is not None
        return f"RestTransport({self._exchange}, {self._base_url}, signed={signed})"


def _retry_on(exc: Exception) -> bool:
    if isinstance(exc, ExchangeUnavailableError):
        return exc.status is None or exc.status >= 500
    return isinstance(exc, NetworkError)


def _describe(exc: aiohttp.ClientError) -> str:
    """Name the failure without echoing URLs (a signed URL's query must never reach a message)."""
    if isinstance(exc, aiohttp.ClientConnectorError):
        return f"{type(exc).__name__} to {exc.host}:{exc.port} ({exc.os_error.strerror or exc.os_error})"
    if isinstance(exc, aiohttp.ClientResponseError):
        return f"{type(exc).__name__} status={exc.status}"
    return type(exc).__name__
