"""The lean HTTP/1.1 client (rest_backend = "lean") against a raw asyncio server on loopback: bodies
(chunked, gzip, deflate, read-until-close), keep-alive and its ends, failures mid-answer, timeouts, TLS,
the pool limit and close()."""

from __future__ import annotations

import asyncio
import gzip
import ssl
import zlib
from collections.abc import AsyncIterator, Mapping

import pytest
import trustme

from app.config import ExchangeConfig
from app.domain import ExchangeEnum
from app.errors import ExchangeAPIError, NetworkError, RequestTimeoutError, ValidationError
from app.transport.http1 import encode_request
from app.transport.http_lean import HttpConnectionError, LeanHttpClient, Origin
from app.transport.rest import RestTransport
from app.transport.session import HttpSessionManager
from tests.transport.raw_server import RawServer, eventually, hang, in_pieces, ok, reply

JSON = {"Accept": "application/json"}


@pytest.fixture
async def server() -> AsyncIterator[RawServer]:
    raw = await RawServer().start()
    yield raw
    await raw.stop()


@pytest.fixture
async def client() -> AsyncIterator[LeanHttpClient]:
    lean = LeanHttpClient(connect_timeout_s=2.0)
    yield lean
    await lean.close()
    assert lean.open_connections == 0


def origin(server: RawServer, scheme: str = "http") -> Origin:
    return Origin(f"{scheme}://127.0.0.1:{server.port}/api/v4")


async def get(
    client: LeanHttpClient, server: RawServer, target: str = "/x", timeout_s: float = 5.0, scheme: str = "http"
) -> bytes:
    response = await client.request(origin(server, scheme), "GET", target, JSON, timeout_s=timeout_s)
    assert response.status == 200
    return response.body


def mapper(status: int, body: bytes, headers: Mapping[str, str]) -> ExchangeAPIError:
    return ExchangeAPIError("test", body.decode(), status=status)


def rest(server: RawServer, sessions: HttpSessionManager, *, timeout_s: float = 2.0) -> RestTransport:
    config = ExchangeConfig(
        name=ExchangeEnum.GATEIO,
        rest_url=f"http://127.0.0.1:{server.port}/api/v4",
        ws_url="ws://127.0.0.1:1/ws",
        request_timeout_s=timeout_s,
        max_retries=2,
        rest_backend="lean",
    )
    return RestTransport(config, sessions, signer=None, error_mapper=mapper, backoff_base_s=0.01)


# --- requests and keep-alive ----------------------------------------------------------------------
async def test_sequential_requests_share_one_connection_and_send_the_target_byte_identical(
    server: RawServer, client: LeanHttpClient
) -> None:
    target = "/api/v4/spot/orders?currency_pair=BTC_USDT&signature=a,b:c!~"
    for _ in range(3):
        await get(client, server, target)
    response = await client.request(origin(server), "POST", "/api/v4/spot/orders", JSON, b'{"a":1}', timeout_s=5)
    assert response.status == 200 and response.body == b"{}"
    assert server.connections == 1 and client.connections_opened == 1
    first, post = server.requests[0], server.requests[-1]
    assert first.method == "GET" and first.target == target and first.body == b""
    assert first.headers["host"] == f"127.0.0.1:{server.port}" and first.headers["accept"] == "application/json"
    assert "content-length" not in first.headers
    assert post.method == "POST" and post.body == b'{"a":1}' and post.headers["content-length"] == "7"


async def test_response_headers_are_case_insensitive_and_repeated_fields_joined(
    server: RawServer, client: LeanHttpClient
) -> None:
    server.answer(ok(headers="Retry-After: 2\r\nX-A: 1\r\nx-a: 2\r\nX-Folded: one\r\n two\r\n"))
    response = await client.request(origin(server), "GET", "/x", JSON, timeout_s=5)
    headers = response.headers
    assert headers.get("retry-after") == "2" and headers["RETRY-AFTER"] == "2" and "Retry-After" in headers
    assert headers.get("X-A") == "1, 2" and headers.get("x-folded") == "one two"
    assert headers.get("missing") is None and headers.get("missing", "d") == "d"
    assert set(headers) >= {"retry-after", "x-a", "content-length"}


async def test_chunked_body_arriving_in_fragments(server: RawServer, client: LeanHttpClient) -> None:
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    server.answer(
        in_pieces(
            head[:10], head[10:] + b"5;ext=1\r\nhel", b"lo\r\n", b"7\r\n, world\r\n0\r\nX-Trailer: t\r\n", b"\r\n"
        ),
        in_pieces(head, b"3\r\nabc\r\n0\r\n\r\n"),
    )
    assert await get(client, server) == b"hello, world"
    assert await get(client, server) == b"abc"
    assert server.connections == 1  # a chunked answer read to its end leaves the connection reusable


@pytest.mark.parametrize(
    ("coding", "encode"),
    [
        ("gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data)[2:-4]),  # raw deflate, as some servers send it
    ],
)
async def test_compressed_bodies_are_decoded(
    server: RawServer, client: LeanHttpClient, coding: str, encode: object
) -> None:
    payload = b'{"currency_pair":"BTC_USDT","price":"65000.1"}' * 20
    server.answer(ok(encode(payload), headers=f"Content-Encoding: {coding}\r\n"))  # type: ignore[operator]
    assert await get(client, server) == payload


async def test_undecodable_body_is_a_connection_error(server: RawServer, client: LeanHttpClient) -> None:
    server.answer(ok(b"not gzip at all", headers="Content-Encoding: gzip\r\n"))
    with pytest.raises(HttpConnectionError, match="undecodable"):
        await get(client, server)
    assert await get(client, server) == b"{}"
    assert server.connections == 2


async def test_bytes_beyond_the_answer_retire_the_connection(server: RawServer, client: LeanHttpClient) -> None:
    server.answer(reply(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}HTTP/1.1 200 OK\r\n"))
    assert await get(client, server) == b"{}"
    assert await get(client, server) == b"{}"
    assert server.connections == 2  # out of step: never reused


async def test_connection_close_from_the_server_retires_the_connection(
    server: RawServer, client: LeanHttpClient
) -> None:
    server.answer(ok(b"first", headers="Connection: close\r\n", keep=False))
    assert await get(client, server) == b"first"
    assert await get(client, server) == b"{}"
    assert server.connections == 2 and [r.connection for r in server.requests] == [1, 2]


async def test_body_read_until_the_server_closes(server: RawServer, client: LeanHttpClient) -> None:
    server.answer(reply(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it", keep=False))
    assert await get(client, server) == b"all of it"
    assert await get(client, server) == b"{}"
    assert server.connections == 2


async def test_idle_connection_closed_by_the_peer_is_replaced(server: RawServer, client: LeanHttpClient) -> None:
    server.answer(ok(b"kept alive?", keep=False))  # no Connection: close, but the server drops it once idle
    assert await get(client, server) == b"kept alive?"
    await eventually(lambda: client.open_connections == 0)  # the client saw the peer close the idle connection
    assert await get(client, server) == b"{}"
    assert server.connections == 2 and client.connections_opened == 2


async def test_cancelled_request_drops_its_connection(server: RawServer, client: LeanHttpClient) -> None:
    server.answer(hang())
    task = asyncio.create_task(get(client, server))
    await eventually(lambda: len(server.requests) == 1)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await get(client, server) == b"{}"  # never written onto the connection whose answer is pending
    assert server.connections == 2


# --- failures, through the REST transport -----------------------------------------------------------
async def test_server_closing_mid_answer_is_a_network_error_without_the_query(server: RawServer) -> None:
    sessions = HttpSessionManager(connect_timeout_s=1.0)
    server.answer(reply(b'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"partial":', keep=False))
    transport = rest(server, sessions)
    try:
        with pytest.raises(NetworkError) as caught:
            await transport.request("POST", "/spot/orders", params=[("signature", "SECRETSIG")], body=b"{}")
    finally:
        await sessions.close()
    assert not isinstance(caught.value, RequestTimeoutError)
    assert "SECRETSIG" not in str(caught.value) and "lost before the answer was complete" in str(caught.value)
    assert len(server.requests) == 1  # a POST whose answer was lost is not sent again


async def test_no_answer_is_a_request_timeout_and_the_connection_is_dropped(server: RawServer) -> None:
    sessions = HttpSessionManager(connect_timeout_s=1.0)
    server.answer(hang())
    transport = rest(server, sessions, timeout_s=0.2)
    try:
        with pytest.raises(RequestTimeoutError) as caught:
            await transport.request("POST", "/spot/orders", params=[("signature", "SECRETSIG")], body=b"{}")
        assert "SECRETSIG" not in str(caught.value)
        assert len(server.requests) == 1
        assert (await transport.request("GET", "/spot/time")).status == 200
        assert server.connections == 2  # the timed-out connection was not reused
    finally:
        await sessions.close()


async def test_malformed_answer_is_a_network_error(server: RawServer) -> None:
    sessions = HttpSessionManager(connect_timeout_s=1.0)
    server.answer(reply(b"SPDY/9 200 OK\r\n\r\n", keep=False))
    transport = rest(server, sessions)
    try:
        with pytest.raises(NetworkError, match="malformed HTTP answer"):
            await transport.request("POST", "/x", body=b"{}")
    finally:
        await sessions.close()


def test_header_or_target_injection_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValidationError) as caught:
        encode_request("GET", "/x", "h", {"KEY": "k\r\nEvil: SECRET"}, None)
    assert "SECRET" not in str(caught.value)
    with pytest.raises(ValidationError):
        encode_request("GET", "/x?a=1 HTTP/1.1\r\nX: y", "h", {}, None)
    with pytest.raises(ValidationError):
        encode_request("GET", "/x?a=b c", "h", {}, None)
    assert encode_request("POST", "/x", "h:1", {"A": "b"}, None).endswith(b"A: b\r\nContent-Length: 0\r\n\r\n")


# --- TLS ------------------------------------------------------------------------------------------
async def test_tls_with_a_self_signed_certificate() -> None:
    ca = trustme.CA()
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_tls)
    client_tls = ssl.create_default_context()
    ca.configure_trust(client_tls)
    server = await RawServer(tls=server_tls).start()
    trusting = LeanHttpClient(ssl_context=client_tls)
    default = LeanHttpClient()  # the system trust store: the test CA is unknown to it
    try:
        for _ in range(2):
            assert await get(trusting, server, "/x?signature=s", scheme="https") == b"{}"
        assert server.connections == 1 and server.requests[0].target == "/x?signature=s"
        with pytest.raises(HttpConnectionError, match="TLS handshake"):
            await get(default, server, scheme="https")
    finally:
        await trusting.close()
        await default.close()
        await server.stop()
    assert trusting.open_connections == 0 and default.open_connections == 0


# --- pool and ownership ---------------------------------------------------------------------------
async def test_pool_limit_bounds_connections_and_queues_the_rest(server: RawServer) -> None:
    client = LeanHttpClient(limit_per_host=2)
    server.default = in_pieces(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", b"{}")
    try:
        bodies = await asyncio.gather(*(get(client, server) for _ in range(6)))
    finally:
        await client.close()
    assert bodies == [b"{}"] * 6
    assert server.connections == 2 and len(server.requests) == 6


async def test_waiting_for_a_full_pool_counts_against_the_timeout(server: RawServer) -> None:
    client = LeanHttpClient(limit_per_host=1)
    server.answer(hang())
    try:
        blocker = asyncio.create_task(get(client, server, timeout_s=30))
        await eventually(lambda: len(server.requests) == 1)
        with pytest.raises(TimeoutError):
            await get(client, server, timeout_s=0.1)
        blocker.cancel()
        with pytest.raises(asyncio.CancelledError):
            await blocker
        assert await get(client, server) == b"{}"
    finally:
        await client.close()


async def test_close_closes_every_connection_and_fails_requests_in_flight(server: RawServer) -> None:
    client = LeanHttpClient()
    server.answer(hang())
    in_flight = asyncio.create_task(get(client, server, timeout_s=30))
    await eventually(lambda: len(server.requests) == 1)
    await asyncio.gather(*(get(client, server) for _ in range(3)))
    assert client.open_connections >= 2
    await client.close()
    assert client.open_connections == 0 and client.closed
    with pytest.raises(HttpConnectionError):
        await in_flight
    with pytest.raises(HttpConnectionError, match="closed"):
        await get(client, server)
    await eventually(lambda: server.open_connections == 0)  # the server saw every socket end


async def test_session_manager_owns_the_lean_client(server: RawServer) -> None:
    sessions = HttpSessionManager(connect_timeout_s=1.0, limit=4)
    assert sessions.closed
    lean = sessions.lean
    assert sessions.lean is lean and not sessions.closed
    await get(lean, server)
    await sessions.close()
    await sessions.close()
    assert sessions.closed and lean.closed and lean.open_connections == 0
    assert sessions.lean is not lean  # a fresh one after close, like the aiohttp session
    await sessions.close()
