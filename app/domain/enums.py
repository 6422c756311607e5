"""Enumerations shared by every venue."""

from __future__ import annotations

from enum import Enum


class ExchangeEnum(str, Enum):
    """Supported venues. The value is the settings key and the container key prefix."""

    MEXC = "mexc"
    GATEIO = "gateio"
    GATEIO_FUTURES = "gateio_futures"


class Domain(str, Enum):
    """Public (market data, no credentials) or private (trading, signed)."""

    PUBLIC = "public"
    PRIVATE = "private"


class Side(str, Enum):
    BUY = "buy"
    SELL = "sell"

    @property
    def opposite(self) -> Side:
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderType(str, Enum):
    LIMIT = "limit"
    MARKET = "market"


class TimeInForce(str, Enum):
    GTC = "gtc"
    IOC = "ioc"
    FOK = "fok"
    POST_ONLY = "post_only"


class OrderStatus(str, Enum):
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


class TradingStatus(str, Enum):
    TRADING = "trading"
    BUY_ONLY = "buy_only"
    SELL_ONLY = "sell_only"
    HALTED = "halted"


class PositionSide(str, Enum):
    LONG = "long"
    SHORT = "short"
    FLAT = "flat"


class PositionMode(str, Enum):
    SINGLE = "single"
    DUAL = "dual"
