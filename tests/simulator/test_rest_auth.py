"""REST signature checks of the simulated Gate.io venue (reference 3.2-3.5, statuses of 7.3)."""

from __future__ import annotations

import time

from app.simulator import ExchangeSimulator
from tests.simulator.conftest import RawGate, doc_sign


async def test_signed_request_with_integer_timestamp_is_accepted(gate: RawGate) -> None:
    reply = await gate.signed("GET", "/spot/accounts")
    assert reply.status == 200
    assert {row["currency"] for row in reply.body} >= {"USDT", "BTC", "ETH"}


async def test_float_timestamp_is_signed_verbatim(gate: RawGate) -> None:
    reply = await gate.signed("GET", "/spot/accounts", query="currency=BTC", timestamp=f"{time.time():.6f}")
    assert reply.status == 200
    assert [row["currency"] for row in reply.body] == ["BTC"]


async def test_expired_timestamp_is_403_request_expired(gate: RawGate) -> None:
    reply = await gate.signed("GET", "/spot/accounts", timestamp=str(int(time.time()) - 61))
    assert reply.status == 403
    assert reply.body["label"] == "REQUEST_EXPIRED"


async def test_bad_signature_unknown_key_and_missing_header(gate: RawGate) -> None:
    ts = str(int(time.time()))
    wrong = doc_sign("not-the-secret", "GET", "/api/v4/spot/accounts", "", b"", ts)
    reply = await gate.send("GET", "/spot/accounts", headers={"KEY": gate.key, "Timestamp": ts, "SIGN": wrong})
    assert (reply.status, reply.body) == (401, {"label": "INVALID_SIGNATURE", "message": "Signature mismatch"})
    reply = await gate.send("GET", "/spot/accounts", headers={"KEY": "nope", "Timestamp": ts, "SIGN": wrong})
    assert (reply.status, reply.body["label"]) == (401, "INVALID_KEY")
    reply = await gate.send("GET", "/spot/accounts", headers={"KEY": gate.key, "Timestamp": ts})
    assert (reply.status, reply.body["label"]) == (401, "MISSING_REQUIRED_HEADER")


async def test_query_is_verified_literally_in_the_order_sent(gate: RawGate) -> None:
    ts = str(int(time.time()))
    path = "/api/v4/spot/orders"
    sent = "currency_pair=BTC_USDT&status=open"
    good = doc_sign(gate.secret, "GET", path, sent, b"", ts)
    reordered = doc_sign(gate.secret, "GET", path, "status=open&currency_pair=BTC_USDT", b"", ts)
    headers = {"KEY": gate.key, "Timestamp": ts}
    assert (await gate.send("GET", "/spot/orders", query=sent, headers={**headers, "SIGN": good})).status == 200
    bad = await gate.send("GET", "/spot/orders", query=sent, headers={**headers, "SIGN": reordered})
    assert bad.body["label"] == "INVALID_SIGNATURE"
    encoded = await gate.send(  # signed decoded, sent encoded: the literal query differs (ccxt#25570)
        "GET",
        "/spot/accounts",
        query="currency=BT%43",
        headers={**headers, "SIGN": doc_sign(gate.secret, "GET", "/api/v4/spot/accounts", "currency=BTC", b"", ts)},
    )
    assert encoded.body["label"] == "INVALID_SIGNATURE"


async def test_body_hash_covers_the_exact_bytes(gate: RawGate) -> None:
    ts = str(int(time.time()))
    signed_body = b'{"currency_pair":"BTC_USDT","side":"buy","amount":"0.001","price":"1000"}'
    sent_body = b'{"currency_pair": "BTC_USDT", "side": "buy", "amount": "0.001", "price": "1000"}'
    sign = doc_sign(gate.secret, "POST", "/api/v4/spot/orders", "", signed_body, ts)
    reply = await gate.send(
        "POST", "/spot/orders", body=sent_body, headers={"KEY": gate.key, "Timestamp": ts, "SIGN": sign}
    )
    assert reply.body["label"] == "INVALID_SIGNATURE"


async def test_official_example_secret_is_accepted(gate: RawGate, simulator: ExchangeSimulator) -> None:
    user = simulator.gateio.add_user("10000002", api_key="key", api_secret="secret")
    reply = await gate.as_user(user).signed(
        "GET", "/spot/orders", query="currency_pair=BTC_USDT&status=finished&limit=50"
    )
    assert reply.status == 200
    assert reply.body == []


async def test_rate_limit_headers_and_429(gate: RawGate, simulator: ExchangeSimulator) -> None:
    simulator.gateio.rate_limits.set_limit("GET /spot/time", 2, 10.0)
    first = await gate.get("/spot/time")
    assert first.headers["X-Gate-RateLimit-Limit"] == "2"
    assert first.headers["X-Gate-RateLimit-Requests-Remain"] == "1"
    assert int(first.headers["X-Out-Time"]) >= int(first.headers["X-In-Time"]) > 10**15
    await gate.get("/spot/time")
    third = await gate.get("/spot/time")
    assert (third.status, third.body["label"]) == (429, "TOO_MANY_REQUESTS")
    assert third.headers["X-Gate-RateLimit-Requests-Remain"] == "0"
    assert int(third.headers["X-Gate-RateLimit-Reset-Timestamp"]) >= int(time.time())
    assert (await gate.get("/spot/currency_pairs")).status == 200  # other endpoints keep their own budget


async def test_server_clock_skew_expires_local_timestamps(gate: RawGate, simulator: ExchangeSimulator) -> None:
    simulator.gateio.clock.offset_s = 120.0
    server_ms = (await gate.get("/spot/time")).body["server_time"]
    assert server_ms - time.time() * 1000 > 110_000
    assert (await gate.signed("GET", "/spot/accounts")).status == 403
    synced = await gate.signed("GET", "/spot/accounts", timestamp=str(server_ms // 1000))
    assert synced.status == 200
