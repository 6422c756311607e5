"""RestTransport against a tiny local aiohttp server: retry policy, timeouts, signing bytes, errors.

Every test runs over both REST backends (``rest_backend`` = aiohttp and lean)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from app.config import ExchangeConfig, RateLimitConfig
from app.domain import ExchangeEnum
from app.errors import (
    ExchangeAPIError,
    ExchangeUnavailableError,
    NetworkError,
    RateLimitError,
    RequestTimeoutError,
    ValidationError,
)
from app.transport.clock import ServerClock
from app.transport.rate_limit import RateLimiter
from app.transport.rest import RestTransport, build_query
from app.transport.session import HttpSessionManager
from tests.transport.loopback import serving

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class FaultServer:
    """Serves ``/api/v4/x`` with a scripted sequence of answers and records what it received."""

    script: list[Handler] = field(default_factory=list)
    seen: list[tuple[str, str, bytes, dict[str, str]]] = field(default_factory=list)
    port: int = 0

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.seen.append((request.method, request.raw_path, await request.read(), dict(request.headers)))
        handler = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        return await handler(request)


def answer(status: int, body: bytes = b"{}", headers: Mapping[str, str] | None = None) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(status=status, body=body, headers=dict(headers or {}))

    return handler


def hang(seconds: float) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        await asyncio.sleep(seconds)
        return web.Response(body=b"{}")

    return handler


@pytest.fixture
async def server() -> AsyncIterator[FaultServer]:
    fault = FaultServer(script=[answer(200)])
    app = web.Application()
    app.router.add_route("*", "/api/v4/{tail:.*}", fault.handle)
    async with serving(app) as port:
        fault.port = port
        yield fault


@pytest.fixture(params=["aiohttp", "lean"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def sessions() -> AsyncIterator[HttpSessionManager]:
    manager = HttpSessionManager(connect_timeout_s=1.0)
    yield manager
    await manager.close()


def simple_mapper(status: int, body: bytes, headers: Mapping[str, str]) -> ExchangeAPIError:
    if status == 429:
        retry = headers.get("Retry-After")
        return RateLimitError("test", "limited", status=status, retry_after=float(retry) if retry else None)
    if status >= 500:
        return ExchangeUnavailableError("test", "down", status=status)
    return ExchangeAPIError("test", body.decode(), status=status)


def make_transport(
    port: int,
    sessions: HttpSessionManager,
    *,
    backend: str,
    timeout_s: float = 1.0,
    retries: int = 2,
    **kwargs: object,
) -> RestTransport:
    config = ExchangeConfig(
        name=ExchangeEnum.GATEIO,
        rest_url=f"http://127.0.0.1:{port}/api/v4",
        ws_url="ws://127.0.0.1:1/ws",
        request_timeout_s=timeout_s,
        max_retries=retries,
        rest_backend=backend,  # type: ignore[arg-type]
    )
    return RestTransport(
        config,
        sessions,
        signer=kwargs.pop("signer", None),  # type: ignore[arg-type]
        error_mapper=simple_mapper,
        backoff_base_s=0.01,
        **kwargs,  # type: ignore[arg-type]
    )


async def test_get_is_retried_on_5xx_until_success(
    server: FaultServer, sessions: HttpSessionManager, backend: str
) -> None:
    server.script = [answer(503), answer(502), answer(200, b'{"ok":true}')]
    transport = make_transport(server.port, sessions, backend=backend)
    response = await transport.request("GET", "/x", params=[("a", "1")])
    assert response.status == 200 and response.body == b'{"ok":true}'
    assert len(server.seen) == 3
    assert transport.retries == 2


async def test_get_gives_up_after_max_retries(server: FaultServer, sessions: HttpSessionManager, backend: str) -> None:
    server.script = [answer(500)]
    transport = make_transport(server.port, sessions, backend=backend, retries=1)
    with pytest.raises(ExchangeUnavailableError):
        await transport.request("GET", "/x")
    assert len(server.seen) == 2


async def test_post_is_never_retried(server: FaultServer, sessions: HttpSessionManager, backend: str) -> None:
    server.script = [answer(500), answer(200)]
    transport = make_transport(server.port, sessions, backend=backend)
    with pytest.raises(ExchangeUnavailableError):
        await transport.request("POST", "/x", body=b'{"a":1}')
    assert len(server.seen) == 1


async def test_4xx_is_not_retried_even_for_get(server: FaultServer, sessions: HttpSessionManager, backend: str) -> None:
    server.script = [answer(400, b"bad"), answer(200)]
    transport = make_transport(server.port, sessions, backend=backend)
    with pytest.raises(ExchangeAPIError) as caught:
        await transport.request("GET", "/x")
    assert caught.value.status == 400 and len(server.seen) == 1


async def test_timeout_maps_to_request_timeout_and_post_is_not_retried(
    server: FaultServer, sessions: HttpSessionManager, backend: str
) -> None:
    server.script = [hang(1.0)]
    transport = make_transport(server.port, sessions, backend=backend, timeout_s=0.15)
    with pytest.raises(RequestTimeoutError):
        await transport.request("POST", "/x", body=b"{}")
    assert len(server.seen) == 1


async def test_timeout_on_get_is_retried(server: FaultServer, sessions: HttpSessionManager, backend: str) -> None:
    server.script = [hang(1.0), answer(200)]
    transport = make_transport(server.port, sessions, backend=backend, timeout_s=0.15)
    assert (await transport.request("GET", "/x")).status == 200
    assert len(server.seen) == 2


async def test_429_penalizes_the_limiter_and_get_is_retried(
    server: FaultServer, sessions: HttpSessionManager, backend: str
) -> None:
    server.script = [answer(429, headers={"Retry-After": "0.05"}), answer(200)]
    limiter = RateLimiter.from_config(RateLimitConfig())
    transport = make_transport(server.port, sessions, backend=backend, rate_limiter=limiter)
    assert (await transport.request("GET", "/x")).status == 200
    assert limiter.rate_limited == 1
    assert len(server.seen) == 2


async def test_429_on_post_raises_rate_limit_error(
    server: FaultServer, sessions: HttpSessionManager, backend: str
) -> None:
    server.script = [answer(429, headers={"Retry-After": "0"})]
    transport = make_transport(server.port, sessions, backend=backend)
    with pytest.raises(RateLimitError):
        await transport.request("POST", "/x", body=b"{}")
    assert len(server.seen) == 1


async def test_network_error_has_no_query_string(sessions: HttpSessionManager, backend: str) -> None:
    transport = make_transport(1, sessions, backend=backend, retries=0)  # nothing listens on port 1
    with pytest.raises(NetworkError) as caught:
        await transport.request("GET", "/x", params=[("signature", "SECRETSIG")], signed=False)
    assert "SECRETSIG" not in str(caught.value)
    assert not isinstance(caught.value, RequestTimeoutError)


async def test_signed_request_sends_exactly_what_was_signed(
    server: FaultServer, sessions: HttpSessionManager, backend: str
) -> None:
    calls: list[tuple[str, str, str, bytes]] = []

    def signer(method: str, path: str, query: str, body: bytes, clock: ServerClock) -> dict[str, str]:
        calls.append((method, path, query, body))
        return {"SIGN": "s1", "KEY": "k"}

    transport = make_transport(server.port, sessions, backend=backend, signer=signer)
    body = b'{"text":"t-1","amount":"0.001"}'
    await transport.request("POST", "/spot/orders", params=[("b", "2"), ("a", "x,y")], body=body, signed=True)
    method, raw_path, sent_body, headers = server.seen[0]
    assert method == "POST"
    assert calls == [("POST", "/api/v4/spot/orders", "b=2&a=x,y", body)]
    assert raw_path == "/api/v4/spot/orders?b=2&a=x,y"
    assert sent_body == body
    assert headers["SIGN"] == "s1" and headers["Content-Type"] == "application/json"


async def test_values_needing_encoding_are_refused_before_sending(
    server: FaultServer, sessions: HttpSessionManager, backend: str
) -> None:
    transport = make_transport(server.port, sessions, backend=backend)
    with pytest.raises(ValidationError):
        await transport.request("GET", "/x", params=[("q", "a b")])
    with pytest.raises(ValidationError):
        await transport.request("GET", "/x", params=[("q", "a&b=c")])
    assert server.seen == []
    assert build_query([("currency_pair", "BTC_USDT"), ("with_id", "true")]) == "currency_pair=BTC_USDT&with_id=true"


async def test_headers_hook_sees_every_answer(server: FaultServer, sessions: HttpSessionManager, backend: str) -> None:
    server.script = [answer(200, headers={"X-Gate-RateLimit-Requests-Remain": "7"})]
    seen: list[str | None] = []
    transport = make_transport(
        server.port,
        sessions,
        backend=backend,
        on_headers=lambda h: seen.append(h.get("X-Gate-RateLimit-Requests-Remain")),
    )
    await transport.request("GET", "/x")
    assert seen == ["7"]


async def test_closed_transport_refuses_requests(
    server: FaultServer, sessions: HttpSessionManager, backend: str
) -> None:
    transport = make_transport(server.port, sessions, backend=backend)
    await transport.close()
    with pytest.raises(NetworkError):
        await transport.request("GET", "/x")
