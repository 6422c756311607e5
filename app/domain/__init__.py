"""Venue-independent domain: enums, symbols, market and account types, handlers."""

from app.domain.enums import (
    Domain,
    ExchangeEnum,
    OrderStatus,
    OrderType,
    PositionMode,
    PositionSide,
    Side,
    TimeInForce,
    TradingStatus,
)
from app.domain.models import (
    Balance,
    BookTicker,
    Execution,
    Order,
    OrderBook,
    Position,
    PriceLevel,
    SymbolInfo,
    Trade,
)
from app.domain.symbol import Symbol, SymbolLike, SymbolResolver

__all__ = [
    "Balance",
    "BookTicker",
    "Domain",
    "ExchangeEnum",
    "Execution",
    "Order",
    "OrderBook",
    "OrderStatus",
    "OrderType",
    "Position",
    "PositionMode",
    "PositionSide",
    "PriceLevel",
    "Side",
    "Symbol",
    "SymbolInfo",
    "SymbolLike",
    "SymbolResolver",
    "TimeInForce",
    "Trade",
    "TradingStatus",
]
