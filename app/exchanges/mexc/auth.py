"""MEXC spot v3 signing (reference mexc.md section 4), shared by the client signer and the simulator.

``signature = hex(HMAC_SHA256(secret, totalParams))``, lowercase, where totalParams is the query string
exactly as sent (no sorting) concatenated with the raw body (no separator). The client sends every
parameter in the query and an empty body, as ccxt and JKorf do in production. The official vector
(``fd3e4e85...``) is a unit test; the docs' ``323c96ab...`` example is wrong and is not.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import quote


def sign(secret: str, total_params: str | bytes) -> str:
    """Lowercase hex HMAC-SHA256 of ``total_params`` (query string + raw body)."""
    data = total_params.encode() if isinstance(total_params, str) else total_params
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def encode_value(value: str) -> str:
    """Percent-encode a parameter value with uppercase escapes (RFC 3986 unreserved kept, space -> %20)."""
    return quote(value, safe="-._~")


def strip_signature(query: str) -> tuple[str, str | None]:
    """Split a raw query into (the remaining pairs joined in received order, the ``signature`` value)."""
    kept: list[str] = []
    signature: str | None = None
    for pair in query.split("&") if query else ():
        key, sep, value = pair.partition("=")
        if key == "signature" and sep:
            signature = value
        elif pair:
            kept.append(pair)
    return "&".join(kept), signature


def verify(expected: str, given: str) -> bool:
    """Constant-time comparison of two hex signatures (case-sensitive: MEXC wants lowercase)."""
    return hmac.compare_digest(expected.encode(), given.encode())
