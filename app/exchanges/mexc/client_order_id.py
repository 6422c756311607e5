"""MEXC client order ids (``newClientOrderId``): 1..32 of ``[0-9A-Za-z_-]`` (hummingbot's limit; the docs give
none), generated as 24 random hex characters when the caller gives none."""

from __future__ import annotations

from app.composite.orders import ClientOrderIdRule

CLIENT_ID_MAX_LENGTH = 32
CLIENT_ID_CHARSET = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-")

MEXC_CLIENT_ORDER_IDS = ClientOrderIdRule(
    prefix="", max_body_length=CLIENT_ID_MAX_LENGTH, charset=CLIENT_ID_CHARSET, generated_length=24
)
"""Validates a given id (``InvalidClientOrderIdError``) or generates a fresh one."""


def validate_client_order_id(value: str) -> str:
    """Return ``value`` when MEXC accepts it as ``newClientOrderId``, else raise ``InvalidClientOrderIdError``."""
    return MEXC_CLIENT_ORDER_IDS.normalize(value)
