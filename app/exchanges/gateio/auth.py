"""Gate.io APIv4 signing (REST and WebSocket), reference section 3 and 8.3.

REST: ``SIGN = hex(HMAC_SHA512(secret, METHOD \\n /api/v4/path \\n query \\n hex(SHA512(body)) \\n ts))``
with the query string exactly as sent (unencoded, same order) and the body bytes exactly as sent.
WS: ``SIGN = hex(HMAC_SHA512(secret, "channel=<c>&event=<e>&time=<t>"))``.
Used by the client transports and by the simulator's verifier, so both agree by construction; the
official worked examples are unit tests.
"""

from __future__ import annotations

import hashlib
import hmac

EMPTY_BODY_SHA512 = hashlib.sha512(b"").hexdigest()


def body_hash(body: bytes | str) -> str:
    data = body.encode() if isinstance(body, str) else body
    return EMPTY_BODY_SHA512 if not data else hashlib.sha512(data).hexdigest()


def sign_rest(secret: str, method: str, path: str, query: str, body: bytes | str, timestamp: str) -> str:
    """Return the REST ``SIGN`` header. ``path`` includes the ``/api/v4`` prefix; ``timestamp`` is the
    ``Timestamp`` header text verbatim (integer or fractional seconds)."""
    payload = f"{method.upper()}\n{path}\n{query}\n{body_hash(body)}\n{timestamp}"
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha512).hexdigest()


def sign_ws(secret: str, channel: str, event: str, time_s: int) -> str:
    """Return the WS ``auth.SIGN`` for a private channel request."""
    payload = f"channel={channel}&event={event}&time={time_s}"
    return hmac.new(secret.encode(), payload.encode(), hashlib.sha512).hexdigest()


def verify(expected: str, given: str) -> bool:
    """Constant-time comparison of two hex signatures."""
    return hmac.compare_digest(expected.encode(), given.encode())
