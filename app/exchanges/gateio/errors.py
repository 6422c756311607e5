"""Gate.io REST error payloads -> the engine's typed errors (reference section 7).

Gate answers a failure with a non-2xx status and ``{"label": "...", "message": "..."}`` (some
endpoints use ``detail`` instead of ``message``; some send the label alone)::

    {"label":"INVALID_SIGNATURE","message":"Signature mismatch"}           # 401
    {"label":"ORDER_NOT_FOUND","message":"Order not found"}                # 404
    {"label":"INVALID_ARGUMENT","detail":"invalid size"}                   # 400
    {"label":"INSUFFICIENT_AVAILABLE"}                                     # 400
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

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
from app.exchanges.gateio.constants import (
    AUTH_LABELS,
    BALANCE_LABELS,
    EXCHANGE_NAME,
    FUTURES_INVALID_ORDER_LABELS,
    HEADER_RETRY_AFTER,
    HEADER_RL_RESET,
    INVALID_ORDER_LABELS,
    NOT_FOUND_LABELS,
    RATE_LIMIT_LABELS,
    UNAVAILABLE_LABELS,
)

MAX_RETRY_AFTER_S = 60.0


class GateioErrorBody(msgspec.Struct):
    """``{"label": ..., "message": ...}`` or ``{"label": ..., "detail": ...}``."""

    label: str | None = None
    message: str | None = None
    detail: str | None = None


_decoder = msgspec.json.Decoder(GateioErrorBody)


def parse_error_body(body: bytes) -> tuple[str | None, str]:
    """Return ``(label, message)`` from an error body; a non-JSON body becomes a short message."""
    try:
        parsed = _decoder.decode(body)
    except msgspec.DecodeError:
        text = body[:200].decode("utf-8", "replace").strip()
        return None, text or "empty response body"
    return parsed.label, parsed.message or parsed.detail or parsed.label or "no message"


def retry_after_s(headers: Mapping[str, str], *, now_s: float | None = None) -> float | None:
    """Seconds to wait after a 429: ``Retry-After``, else Gate's reset timestamp (s or ms), capped."""
    raw = headers.get(HEADER_RETRY_AFTER)
    if raw:
        try:
            return min(MAX_RETRY_AFTER_S, max(0.0, float(raw)))
        except ValueError:
            pass
    reset = headers.get(HEADER_RL_RESET)
    if reset:
        try:
            value = float(reset)
        except ValueError:
            return None
        if value > 1e12:  # milliseconds
            value /= 1000.0
        now = time.time() if now_s is None else now_s
        return min(MAX_RETRY_AFTER_S, max(0.0, value - now))
    return None


def map_gateio_error(
    status: int, body: bytes, headers: Mapping[str, str], *, exchange: str = EXCHANGE_NAME
) -> ExchangeAPIError:
    """Map one non-2xx Gate answer to the matching :class:`ExchangeAPIError` subclass.

    ``exchange`` names the venue in the error (``gateio`` for spot, ``gateio_futures`` for futures).
    """
    label, message = parse_error_body(body)
    if status == 429 or label in RATE_LIMIT_LABELS:
        return RateLimitError(exchange, message, code=label, status=status, retry_after=retry_after_s(headers))
    if label in AUTH_LABELS:
        return AuthenticationError(exchange, message, code=label, status=status)
    if label in BALANCE_LABELS:
        return InsufficientBalanceError(exchange, message, code=label, status=status)
    if label in NOT_FOUND_LABELS:
        return OrderNotFoundError(exchange, message, code=label, status=status)
    if label in INVALID_ORDER_LABELS or label in FUTURES_INVALID_ORDER_LABELS:
        return InvalidOrderError(exchange, message, code=label, status=status)
    if status >= 500 or label in UNAVAILABLE_LABELS:
        return ExchangeUnavailableError(exchange, message, code=label, status=status)
    if label is None and status in (401, 403):
        return AuthenticationError(exchange, message, code=label, status=status)
    return ExchangeAPIError(exchange, message, code=label, status=status)


def is_timestamp_refusal(exc: ExchangeAPIError) -> bool:
    """``REQUEST_EXPIRED``: the signed ``Timestamp`` is more than 60 s from the server's time."""
    return exc.code == "REQUEST_EXPIRED"


def error_mapper_for(exchange: str) -> Callable[[int, bytes, Mapping[str, str]], ExchangeAPIError]:
    """The :data:`~app.transport.rest.ErrorMapper` of one Gate venue (errors carry its name)."""

    def mapper(status: int, body: bytes, headers: Mapping[str, str]) -> ExchangeAPIError:
        return map_gateio_error(status, body, headers, exchange=exchange)

    return mapper
