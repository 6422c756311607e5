"""Gate.io error labels (reference section 7) -> typed errors."""

from __future__ import annotations

import pytest

from app.errors import (
    AuthenticationError,
    ExchangeAPIError,
    ExchangeUnavailableError,
    InsufficientBalanceError,
    InvalidOrderError,
    OrderNotFoundError,
    RateLimitError,
)
from app.exchanges.gateio.errors import map_gateio_error, retry_after_s


@pytest.mark.parametrize(
    ("status", "body", "expected", "label"),
    [
        (401, b'{"label":"INVALID_KEY","message":"Invalid key provided"}', AuthenticationError, "INVALID_KEY"),
        (401, b'{"label":"INVALID_SIGNATURE","message":"Signature mismatch"}', AuthenticationError, None),
        (
            403,
            b'{"message":"gap between request Timestamp and server time exceeds 60","label":"REQUEST_EXPIRED"}',
            AuthenticationError,
            "REQUEST_EXPIRED",
        ),
        (401, b'{"label":"MISSING_REQUIRED_HEADER","message":"x"}', AuthenticationError, None),
        (403, b'{"label":"FORBIDDEN","message":"x"}', AuthenticationError, None),
        (429, b'{"label":"TOO_MANY_REQUESTS","message":"Request Rate limit Exceeded (211)"}', RateLimitError, None),
        (429, b"slow down", RateLimitError, None),
        (400, b'{"label":"BALANCE_NOT_ENOUGH","message":"Not enough balance"}', InsufficientBalanceError, None),
        (400, b'{"label":"INSUFFICIENT_AVAILABLE"}', InsufficientBalanceError, "INSUFFICIENT_AVAILABLE"),
        (404, b'{"label":"ORDER_NOT_FOUND","message":"Order not found"}', OrderNotFoundError, None),
        (404, b'{"label":"CLIENT_ID_NOT_FOUND","message":"x"}', OrderNotFoundError, None),
        (400, b'{"label":"POC_FILL_IMMEDIATELY","message":"would take"}', InvalidOrderError, None),
        (400, b'{"label":"INVALID_PARAM_VALUE","message":"too small"}', InvalidOrderError, None),
        (400, b'{"label":"INVALID_PRECISION","message":"x"}', InvalidOrderError, None),
        (400, b'{"label":"INVALID_ARGUMENT","detail":"invalid size"}', InvalidOrderError, None),
        (500, b'{"label":"INTERNAL","message":"x"}', ExchangeUnavailableError, None),
        (503, b'{"label":"TOO_BUSY","message":"x"}', ExchangeUnavailableError, None),
        (502, b"<html>bad gateway</html>", ExchangeUnavailableError, None),
        (400, b'{"label":"SOMETHING_NEW","message":"x"}', ExchangeAPIError, "SOMETHING_NEW"),
    ],
)
def test_label_maps_to_error_type(status: int, body: bytes, expected: type[Exception], label: str | None) -> None:
    error = map_gateio_error(status, body, {})
    assert type(error) is expected
    assert error.status == status
    assert error.exchange == "gateio"
    if label is not None:
        assert error.code == label


def test_message_or_detail_becomes_the_venue_message() -> None:
    assert map_gateio_error(400, b'{"label":"INVALID_ARGUMENT","detail":"invalid size"}', {}).venue_message == (
        "invalid size"
    )
    assert map_gateio_error(400, b'{"label":"X","message":"hello"}', {}).venue_message == "hello"
    assert map_gateio_error(400, b'{"label":"INSUFFICIENT_AVAILABLE"}', {}).venue_message == "INSUFFICIENT_AVAILABLE"


def test_rate_limit_error_carries_retry_after() -> None:
    error = map_gateio_error(429, b'{"label":"TOO_MANY_REQUESTS"}', {"Retry-After": "2"})
    assert isinstance(error, RateLimitError) and error.retry_after == 2.0


def test_retry_after_from_reset_timestamp_seconds_and_ms() -> None:
    headers = {"X-Gate-RateLimit-Reset-Timestamp": "1000003"}
    assert retry_after_s(headers, now_s=1_000_000.0) == 3.0
    headers = {"X-Gate-RateLimit-Reset-Timestamp": "1000000500000"}
    assert retry_after_s(headers, now_s=1_000_000_000.0) == 60.0  # capped
    assert retry_after_s({}, now_s=0.0) is None
