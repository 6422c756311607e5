"""Server-side check of MEXC signed requests (reference mexc.md 4.3 "simulator verification algorithm" and 12).

The signed text is rebuilt from the request as received: the raw query string minus its ``signature`` pair
(remaining pairs kept in received order, joined by ``&``), followed directly by the raw body minus its own
``signature`` pair. HMAC-SHA256 with the key's secret, compared with the lowercase hex ``signature``; then
``recvWindow`` <= 60000 (700005) and the timing rule ``timestamp < server + 1000 and server - timestamp <=
recvWindow`` (700003). Missing key -> 400 "api key required"; unknown key -> 10072; missing signature ->
700004; bad signature -> 700002.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl

from app.exchanges.mexc.auth import sign, strip_signature, verify
from app.simulator.mexc.errors import MexcApiError
from app.simulator.mexc.venue import MexcUser

DEFAULT_RECV_WINDOW_MS = 5000
MAX_RECV_WINDOW_MS = 60_000
FUTURE_TOLERANCE_MS = 1000


def request_params(raw_query: str, body: bytes) -> dict[str, str]:
    """Decoded parameters of the query and a form body; on a name in both, the query wins."""
    params: dict[str, str] = {}
    text = body.decode("utf-8", "replace").strip()
    if text and not text.startswith("{"):
        params.update(parse_qsl(text, keep_blank_values=True))
    params.update(parse_qsl(raw_query, keep_blank_values=True))
    return params


def authenticate(
    users_by_key: Mapping[str, MexcUser],
    *,
    raw_query: str,
    body: bytes,
    headers: Mapping[str, str],
    params: Mapping[str, str],
    now_ms: int,
) -> MexcUser:
    """Return the signing user or raise the venue's :class:`MexcApiError`."""
    key = headers.get("X-MEXC-APIKEY")
    if not key:
        raise MexcApiError(400, 400, "api key required")
    user = users_by_key.get(key)
    if user is None:
        raise MexcApiError(400, 10072, "Api key info invalid")
    query_rest, query_signature = strip_signature(raw_query)
    body_text = body.decode("utf-8", "replace")
    body_rest, body_signature = (body_text, None) if body_text.lstrip().startswith("{") else strip_signature(body_text)
    signature = query_signature or body_signature
    if not signature:
        raise MexcApiError(400, 700004, "Mandatory parameter 'signature' was not sent, was empty/null, or malformed.")
    if not verify(sign(user.api_secret, f"{query_rest}{body_rest}"), signature):
        raise MexcApiError(400, 700002, "Signature for this request is not valid.")
    try:
        recv_window = int(params.get("recvWindow") or DEFAULT_RECV_WINDOW_MS)
        timestamp = int(params.get("timestamp") or "")
    except ValueError:
        raise MexcApiError(
            400, 700004, "Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed."
        ) from None
    if recv_window > MAX_RECV_WINDOW_MS:
        raise MexcApiError(400, 700005, "recvWindow must less than 60000")
    if not (timestamp < now_ms + FUTURE_TOLERANCE_MS and now_ms - timestamp <= recv_window):
        raise MexcApiError(400, 700003, "Timestamp for this request is outside of the recvWindow.")
    return user
