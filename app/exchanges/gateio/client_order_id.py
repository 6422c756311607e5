"""Gate.io client order ids (the ``text`` field): ``t-`` prefix, <= 28 bytes after it, [0-9A-Za-z_.-]."""

from __future__ import annotations

import secrets

from app.errors import InvalidClientOrderIdError
from app.exchanges.gateio.constants import CLIENT_ID_CHARSET, CLIENT_ID_MAX_BYTES, CLIENT_ID_PREFIX


def validate_client_order_id(text: str) -> str:
    """Return ``text`` if Gate accepts it as a client order id, else raise ``InvalidClientOrderIdError``."""
    if not isinstance(text, str) or not text.startswith(CLIENT_ID_PREFIX):
        raise InvalidClientOrderIdError(f"Gate client order id must start with {CLIENT_ID_PREFIX!r}: {text!r}")
    body = text[len(CLIENT_ID_PREFIX) :]
    if not body:
        raise InvalidClientOrderIdError("Gate client order id is empty after the 't-' prefix")
    if len(body.encode()) > CLIENT_ID_MAX_BYTES:
        raise InvalidClientOrderIdError(
            f"Gate client order id allows at most {CLIENT_ID_MAX_BYTES} bytes after 't-': {text!r}"
        )
    if not CLIENT_ID_CHARSET.issuperset(body):
        raise InvalidClientOrderIdError(f"Gate client order id allows only [0-9A-Za-z_.-] after 't-': {text!r}")
    return text


def new_client_order_id(tag: str = "") -> str:
    """A fresh valid id: ``t-`` + optional tag + random hex, 28 bytes at most after the prefix."""
    if tag and not CLIENT_ID_CHARSET.issuperset(tag):
        raise InvalidClientOrderIdError(f"client order id tag allows only [0-9A-Za-z_.-]: {tag!r}")
    room = CLIENT_ID_MAX_BYTES - len(tag)
    if room < 8:
        raise InvalidClientOrderIdError(f"client order id tag too long: {tag!r}")
    return f"{CLIENT_ID_PREFIX}{tag}{secrets.token_hex(min(room, 20) // 2)}"


def is_client_order_id(value: str) -> bool:
    """True for a ``t-...`` id (as opposed to Gate's numeric order id)."""
    return value.startswith(CLIENT_ID_PREFIX)
