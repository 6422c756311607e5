"""Checks every venue's REST client makes on order parameters before it builds a request."""

from __future__ import annotations

from decimal import Decimal

from app.errors import InvalidPriceError, InvalidQuantityError


def check_quantity_and_price(quantity: object, price: object | None) -> None:
    """Raise before any network call unless ``quantity`` (and ``price`` when given) is a positive finite Decimal."""
    if not isinstance(quantity, Decimal) or not quantity.is_finite() or quantity <= 0:
        raise InvalidQuantityError(f"quantity must be a positive Decimal, got {quantity!r}")
    if price is not None and (not isinstance(price, Decimal) or not price.is_finite() or price <= 0):
        raise InvalidPriceError(f"price must be a positive Decimal, got {price!r}")
