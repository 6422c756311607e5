"""Server-side check of Gate APIv4 REST signatures (reference 3.5), using the client's own signer.

The signature string is rebuilt from the request as received: method, the raw path (``/api/v4/...``),
the literal query string after ``?`` (not decoded, not re-ordered), SHA-512 of the raw body bytes and the
``Timestamp`` header text verbatim (integer or fractional seconds, within 60 s of server time).
"""

from __future__ import annotations

from collections.abc import Mapping

from app.exchanges.gateio.auth import sign_rest, verify
from app.simulator.gateio_spot.venue import GateApiError, GateioUser

TIMESTAMP_WINDOW_S = 60.0


def authenticate_rest(
    users_by_key: Mapping[str, GateioUser],
    *,
    method: str,
    raw_target: str,
    body: bytes,
    headers: Mapping[str, str],
    now_s: float,
) -> GateioUser:
    """Return the signing user or raise the venue's :class:`GateApiError` (401 / 403)."""
    key, sign, timestamp = headers.get("KEY"), headers.get("SIGN"), headers.get("Timestamp")
    for name, value in (("KEY", key), ("Timestamp", timestamp), ("SIGN", sign)):
        if not value:
            raise GateApiError(401, "MISSING_REQUIRED_HEADER", f"Missing required header: {name}")
    assert key is not None and sign is not None and timestamp is not None
    user = users_by_key.get(key)
    if user is None:
        raise GateApiError(401, "INVALID_KEY", "Invalid key provided")
    try:
        sent_at = float(timestamp)
    except ValueError:
        sent_at = float("nan")
    if not abs(now_s - sent_at) <= TIMESTAMP_WINDOW_S:
        raise GateApiError(403, "REQUEST_EXPIRED", "gap between request Timestamp and server time exceeds 60")
    path, _, query = raw_target.partition("?")
    expected = sign_rest(user.api_secret, method, path, query, body, timestamp)
    if not verify(expected, sign):
        raise GateApiError(401, "INVALID_SIGNATURE", "Signature mismatch")
    return user
