"""Enumerations shared by every venue."""

from __future__ import annotations

from enum import StrEnum


class ExchangeEnum(StrEnum):
    """Supported venues. The value is the settings key and the container key prefix."""

    MEXC = "mexc"
    GATEIO = "gateio"
    GATEIO_FUTURES = "gateio_futures"


class Domain(StrEnum):
    """Public (market data, no credentials) or private (trading, signed)."""

    PUBLIC = "public"
    PRIVATE = "private"


class Side(StrEnum):
    BUY = "buy"
    SELL = "sell"

    @property
    def opposite(self) -> Side:
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderType(StrEnum):
    LIMIT = "limit"
    MARKET = "market"


class TimeInForce(StrEnum):
    GTC = "gtc"
    IOC = "ioc"
    FOK = "fok"
    POST_ONLY = "post_only"


class OrderStatus(StrEnum):
    NEW = "new"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    EXPIRED = "expired"
    UNKNOWN = "unknown"

    @property
    def is_open(self) -> bool:
        return self in (OrderStatus.NEW, OrderStatus.PARTIALLY_FILLED)


class TradingStatus(StrEnum):
    TRADING = "trading"
    BUY_ONLY = "buy_only"
    SELL_ONLY = "sell_only"
    HALTED = "halted"


class PositionSide(StrEnum):
    LONG = "long"
    SHORT = "short"
    FLAT = "flat"


class PositionMode(StrEnum):
    SINGLE = "single"
    DUAL = "dual"
