"""MEXC HMAC-SHA256 signing: the official vectors, the signer's query, the simulator's verification."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from app.config import ExchangeCredentials
from app.exchanges.mexc.auth import encode_value, sign, strip_signature
from app.exchanges.mexc.signer import MexcRequestSigner
from app.simulator.mexc.auth import authenticate, request_params
from app.simulator.mexc.errors import MexcApiError
from app.simulator.mexc.venue import MexcUser

API_KEY = "mx0aBYs33eIilxBWC5"
SECRET = "45d0b3c26f2644f19bfb98b07741b2f5"
TIMESTAMP = 1644489390087
ORDER_PARAMS = "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=11"
OFFICIAL = "fd3e4e8543c5188531eb7279d68ae7d26a573d0fc5ab0d18eb692451654d837a"
DOCS_WRONG_EXAMPLE = "323c96ab85a745712e95e63cad28903dd8292e4a905e99c4ee3932023843a117"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"{ORDER_PARAMS}&recvWindow=5000&timestamp={TIMESTAMP}", OFFICIAL),
        (
            f"symbol=BTCUSDT&side=BUY&type=LIMITquantity=1&price=11&recvWindow=5000&timestamp={TIMESTAMP}",
            "d1a676610ceb39174c8039b3f548357994b2a34139a8addd33baadba65684592",
        ),
        (f"timestamp={TIMESTAMP}", "09b4b5a40aeec864d2caa60f2e6a740b61dc423d76c5615c00fd72681f52a094"),
        (f"recvWindow=5000&timestamp={TIMESTAMP}", "1103ce19f47c037fc03b8b9d674e10ee76e53272851eb2a3b10321cd353fb9bf"),
        (
            f"symbol=BTCUSDT&orderId=123&timestamp={TIMESTAMP}",
            "7bb606ea326df8454fe3ad7311b984702489a42ad4abdccef517b906ea60480d",
        ),
        (
            f"symbol=BTCUSDT&side=BUY&type=MARKET&quoteOrderQty=10&timestamp={TIMESTAMP}",
            "1472decbb51fdbb7ed24cf65521851fd58a4de8aa75fc1ab4c6c8aee2f0e3491",
        ),
    ],
)
def test_reference_vectors(text: str, expected: str) -> None:
    assert sign(SECRET, text) == expected


def test_the_docs_wrong_example_is_not_what_the_venue_checks() -> None:
    """The docs' "Example 1" prints 323c96ab... for the same string; openssl (and the venue) give fd3e4e85..."""
    assert sign(SECRET, f"{ORDER_PARAMS}&recvWindow=5000&timestamp={TIMESTAMP}") != DOCS_WRONG_EXAMPLE


def test_batch_orders_vector_signs_the_uppercase_percent_encoded_text() -> None:
    batch = '[{"type":"LIMIT","price":"40000","quantity":"0.0002","symbol":"BTCUSDT","side":"BUY"}]'
    text = f"batchOrders={encode_value(batch)}&timestamp={TIMESTAMP}"
    assert "%5B%7B%22type%22%3A" in text
    assert sign(SECRET, text) == "d2103deef144259d8065be1fba69472a76735f6c1938633f1ba14f5c7e2768c5"


def _signer(recv_window_ms: int = 5000) -> MexcRequestSigner:
    credentials = ExchangeCredentials(api_key=SecretStr(API_KEY), api_secret=SecretStr(SECRET))
    return MexcRequestSigner(credentials, recv_window_ms=recv_window_ms)


def test_signer_appends_recv_window_timestamp_and_the_official_signature_last() -> None:
    query = _signer().signed_query(ORDER_PARAMS, b"", TIMESTAMP)
    assert query == f"{ORDER_PARAMS}&recvWindow=5000&timestamp={TIMESTAMP}&signature={OFFICIAL}"


def test_signer_without_other_params_has_no_stray_separator() -> None:
    """mexc-api-demo#42: the string for GET /account must not start with '&'."""
    query = _signer().signed_query("", b"", TIMESTAMP)
    signature = "1103ce19f47c037fc03b8b9d674e10ee76e53272851eb2a3b10321cd353fb9bf"
    assert query == f"recvWindow=5000&timestamp={TIMESTAMP}&signature={signature}"


def test_signer_repr_hides_credentials() -> None:
    signer = _signer()
    assert SECRET not in repr(signer) and API_KEY not in repr(signer) and SECRET not in str(signer)


USER = MexcUser(uid="1", api_key=API_KEY, api_secret=SECRET)


def _verify(raw_query: str, body: bytes = b"", *, now_ms: int = TIMESTAMP, key: str | None = API_KEY) -> MexcUser:
    headers = {"X-MEXC-APIKEY": key} if key else {}
    return authenticate(
        {API_KEY: USER},
        raw_query=raw_query,
        body=body,
        headers=headers,
        params=request_params(raw_query, body),
        now_ms=now_ms,
    )


def test_simulator_accepts_the_official_query_and_mixed_forms() -> None:
    assert _verify(f"{ORDER_PARAMS}&recvWindow=5000&timestamp={TIMESTAMP}&signature={OFFICIAL}") is USER
    mixed_body = f"quantity=1&price=11&recvWindow=5000&timestamp={TIMESTAMP}".encode()
    signature = "d1a676610ceb39174c8039b3f548357994b2a34139a8addd33baadba65684592"
    assert _verify("symbol=BTCUSDT&side=BUY&type=LIMIT", mixed_body + f"&signature={signature}".encode()) is USER


def test_simulator_accepts_a_signature_that_is_not_last() -> None:
    """The official python demo sends ``...&signature=..&timestamp=..`` (signed with timestamp last)."""
    assert _verify(f"{ORDER_PARAMS}&recvWindow=5000&signature={OFFICIAL}&timestamp={TIMESTAMP}") is USER


@pytest.mark.parametrize(
    ("query", "now_ms", "key", "code"),
    [
        (f"timestamp={TIMESTAMP}&signature={OFFICIAL}", TIMESTAMP, API_KEY, 700002),
        (f"{ORDER_PARAMS}&recvWindow=5000&timestamp={TIMESTAMP}", TIMESTAMP, API_KEY, 700004),
        (
            f"{ORDER_PARAMS}&recvWindow=5000&timestamp={TIMESTAMP}&signature={OFFICIAL}",
            TIMESTAMP + 5001,
            API_KEY,
            700003,
        ),
        (
            f"{ORDER_PARAMS}&recvWindow=5000&timestamp={TIMESTAMP}&signature={OFFICIAL}",
            TIMESTAMP - 1000,
            API_KEY,
            700003,
        ),
        (f"{ORDER_PARAMS}&recvWindow=5000&timestamp={TIMESTAMP}&signature={OFFICIAL}", TIMESTAMP, "mx0unknown", 10072),
        (f"{ORDER_PARAMS}&recvWindow=5000&timestamp={TIMESTAMP}&signature={OFFICIAL}", TIMESTAMP, None, 400),
    ],
    ids=["bad-signature", "no-signature", "too-old", "1s-ahead", "unknown-key", "no-key"],
)
def test_simulator_refusals(query: str, now_ms: int, key: str | None, code: int) -> None:
    with pytest.raises(MexcApiError) as info:
        _verify(query, now_ms=now_ms, key=key)
    assert info.value.code == code and info.value.status == 400


def test_timestamp_up_to_one_second_ahead_and_recv_window_edges() -> None:
    signed = f"{ORDER_PARAMS}&recvWindow=5000&timestamp={TIMESTAMP}&signature={OFFICIAL}"
    assert _verify(signed, now_ms=TIMESTAMP - 999) is USER  # timestamp < server + 1000
    assert _verify(signed, now_ms=TIMESTAMP + 5000) is USER  # server - timestamp <= recvWindow
    text = f"recvWindow=60001&timestamp={TIMESTAMP}"
    with pytest.raises(MexcApiError) as info:
        _verify(f"{text}&signature={sign(SECRET, text)}")
    assert info.value.code == 700005


def test_strip_signature_keeps_the_received_order() -> None:
    assert strip_signature("b=2&signature=ab&a=1") == ("b=2&a=1", "ab")
    assert strip_signature("") == ("", None)
