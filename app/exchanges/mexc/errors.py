"""MEXC REST error payloads -> the engine's typed errors (reference mexc.md section 7).

MEXC answers a failure (usually HTTP 400) with ``{"code": <int>, "msg": "..."}``::

    {"code":700003,"msg":"Timestamp for this request is outside of the recvWindow."}
    {"code":700002,"msg":"Signature for this request is not valid."}
    {"code":30004,"msg":"Insufficient position"}
    {"code":-2013,"msg":"Order does not exist."}
    {"msg":"api market order is disabled","code":30051}

HTTP 429 is the rate limit (``Retry-After`` when given), HTTP 403 the WAF limit; a 5xx means the outcome is
unknown (an order may still exist: the composite looks it up by client order id, never re-sends).
"""

from __future__ import annotations

from collections.abc import Mapping

import msgspec

from app.errors import (
    AuthenticationError,
    ExchangeAPIError,
    ExchangeUnavailableError,
    InsufficientBalanceError,
    InvalidOrderError,
    OrderNotFoundError,
    RateLimitError,
)
from app.exchanges.mexc import constants as c

MAX_RETRY_AFTER_S = 120.0
WAF_RETRY_AFTER_S = 10.0


class MexcTimestampError(AuthenticationError):
    """700003 / 10073: the request's ``timestamp`` is outside ``recvWindow`` (resync the clock, then retry reads)."""


class MexcErrorBody(msgspec.Struct):
    """``{"code": 700002, "msg": "Signature for this request is not valid."}`` (code sometimes a string)."""

    code: int | str | None = None
    msg: str | None = None


_decoder = msgspec.json.Decoder(MexcErrorBody)


def parse_error_body(body: bytes) -> tuple[int | None, str]:
    """Return ``(code, message)``; a non-JSON body (a WAF page, a proxy error) becomes a short message."""
    try:
        parsed = _decoder.decode(body)
    except (msgspec.DecodeError, msgspec.ValidationError):
        text = body[:200].decode("utf-8", "replace").strip()
        return None, text or "empty response body"
    code: int | None
    try:
        code = int(parsed.code) if parsed.code is not None and parsed.code != "" else None
    except ValueError:
        code = None
    return code, parsed.msg or "no message"


def retry_after_s(headers: Mapping[str, str]) -> float | None:
    raw = headers.get(c.HEADER_RETRY_AFTER)
    if not raw:
        return None
    try:
        return min(MAX_RETRY_AFTER_S, max(0.0, float(raw)))
    except ValueError:
        return None


def map_mexc_error(status: int, body: bytes, headers: Mapping[str, str]) -> ExchangeAPIError:
    """Map one non-2xx MEXC answer to the matching :class:`ExchangeAPIError` subclass."""
    code, message = parse_error_body(body)
    name = c.EXCHANGE_NAME
    if status in (429, 418) or code in c.RATE_LIMIT_CODES:
        return RateLimitError(name, message, code=code, status=status, retry_after=retry_after_s(headers))
    if status == 403 and code not in c.AUTH_CODES:  # WAF limit violated
        return RateLimitError(
            name, message, code=code, status=status, retry_after=retry_after_s(headers) or WAF_RETRY_AFTER_S
        )
    if code in c.TIMESTAMP_CODES:
        return MexcTimestampError(name, message, code=code, status=status)
    if (
        code in c.SIGNATURE_CODES
        or code in c.AUTH_CODES
        or (code == c.MANDATORY_PARAM_CODE and "signature" in message.lower())
    ):
        return AuthenticationError(name, message, code=code, status=status)
    if code in c.BALANCE_CODES:
        return InsufficientBalanceError(name, message, code=code, status=status)
    if code in c.NOT_FOUND_CODES:
        return OrderNotFoundError(name, message, code=code, status=status)
    if code in c.INVALID_ORDER_CODES or code == c.MANDATORY_PARAM_CODE:
        return InvalidOrderError(name, message, code=code, status=status)
    if status >= 500 or code in c.UNAVAILABLE_CODES:
        return ExchangeUnavailableError(name, message, code=code, status=status)
    if code is None and status in (401, 403):
        return AuthenticationError(name, message, code=code, status=status)
    return ExchangeAPIError(name, message, code=code, status=status)
