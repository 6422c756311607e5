"""Venue-independent domain types.

Prices and quantities are :class:`decimal.Decimal`, parsed from the venues' decimal strings: no float
ever reaches anything sent to a venue, and tick / lot checks are exact (``price % tick == 0``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple, Protocol

import msgspec

from app.domain.enums import (
    ExchangeEnum,
    OrderStatus,
    OrderType,
    PositionMode,
    PositionSide,
    Side,
    TimeInForce,
    TradingStatus,
)
from app.domain.symbol import Symbol

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class SymbolInfo:
    """Trading rules of one market. ``contract_size`` is 1 for spot (base units per contract on futures)."""

    exchange: ExchangeEnum
    symbol: Symbol
    native: str
    tick_size: Decimal
    lot_size: Decimal
    min_quantity: Decimal
    min_notional: Decimal
    status: TradingStatus = TradingStatus.TRADING
    max_quantity: Decimal | None = None
    maker_fee: Decimal = ZERO
    taker_fee: Decimal = ZERO
    contract_size: Decimal = Decimal(1)

    @property
    def is_tradable(self) -> bool:
        return self.status is TradingStatus.TRADING


class VenueLevel(Protocol):
    """A book level as a venue decoder made it (``OrderBookDiff.quantity_scale``): price and quantity."""

    @property
    def price(self) -> Decimal: ...

    @property
    def quantity(self) -> Decimal: ...


class PriceLevel(NamedTuple):
    """One book level. A named tuple: stream decoders build it directly (msgspec decodes ``["1.5","2"]``
    into it) and the local book stores that same object, so applying a level allocates nothing."""

    price: Decimal
    quantity: Decimal


@dataclass(frozen=True, slots=True)
class OrderBook:
    """An immutable view of a book. ``is_valid`` is False whenever continuity is not proven."""

    exchange: ExchangeEnum
    symbol: Symbol
    bids: tuple[PriceLevel, ...]  # best (highest) first
    asks: tuple[PriceLevel, ...]  # best (lowest) first
    sequence: int
    timestamp_ms: int
    is_valid: bool = True

    @property
    def best_bid(self) -> PriceLevel | None:
        return self.bids[0] if self.bids else None

    @property
    def best_ask(self) -> PriceLevel | None:
        return self.asks[0] if self.asks else None


@dataclass(frozen=True, slots=True)
class BookTicker:
    exchange: ExchangeEnum
    symbol: Symbol
    bid_price: Decimal
    bid_quantity: Decimal
    ask_price: Decimal
    ask_quantity: Decimal
    timestamp_ms: int
    sequence: int | None = None


@dataclass(frozen=True, slots=True)
class Trade:
    """A public trade; ``side`` is the taker's side."""

    exchange: ExchangeEnum
    symbol: Symbol
    trade_id: str
    price: Decimal
    quantity: Decimal
    side: Side
    timestamp_ms: int


@dataclass(frozen=True, slots=True)
class Order:
    """An order as the venue reports it. Quantities are in base units (contracts converted on futures)."""

    exchange: ExchangeEnum
    symbol: Symbol
    order_id: str
    client_order_id: str | None
    side: Side
    order_type: OrderType
    price: Decimal | None
    quantity: Decimal
    filled_quantity: Decimal
    status: OrderStatus
    time_in_force: TimeInForce = TimeInForce.GTC
    average_price: Decimal | None = None
    fee: Decimal = ZERO
    fee_asset: str | None = None
    timestamp_ms: int = 0
    update_ms: int = 0
    reduce_only: bool = False

    @property
    def remaining_quantity(self) -> Decimal:
        return self.quantity - self.filled_quantity

    @property
    def is_open(self) -> bool:
        return self.status.is_open


@dataclass(frozen=True, slots=True)
class Execution:
    """One fill of one of our orders (maker or taker)."""

    exchange: ExchangeEnum
    symbol: Symbol
    trade_id: str
    order_id: str
    client_order_id: str | None
    side: Side
    price: Decimal
    quantity: Decimal
    fee: Decimal
    fee_asset: str | None
    is_maker: bool
    timestamp_ms: int


@dataclass(frozen=True, slots=True)
class Balance:
    asset: str
    free: Decimal
    locked: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.free + self.locked


@dataclass(frozen=True, slots=True)
class Position:
    """A futures position. ``quantity`` is signed base units (contracts x contract size)."""

    exchange: ExchangeEnum
    symbol: Symbol
    side: PositionSide
    quantity: Decimal
    contracts: int
    entry_price: Decimal
    mark_price: Decimal | None = None
    liquidation_price: Decimal | None = None
    unrealized_pnl: Decimal = ZERO
    realized_pnl: Decimal = ZERO
    margin: Decimal = ZERO
    leverage: Decimal = ZERO
    mode: PositionMode = PositionMode.SINGLE
    timestamp_ms: int = 0
    extra: dict[str, str] = field(default_factory=dict, compare=False)


class OrderBookDiff(msgspec.Struct, gc=False):
    """One book message from a stream: levels are absolute quantities (0 deletes the level).

    A ``msgspec.Struct`` (not a dataclass like the other models): one is built per stream message, and a
    Struct is built in C (~110 ns against ~270 ns for the slotted dataclass's ``__init__``). Never part of
    a reference cycle, so not tracked by the garbage collector.

    ``first_update_id``/``last_update_id`` are the venue's continuity ids (Gate ``U``/``u``, MEXC
    ``fromVersion``/``toVersion``); ``is_snapshot`` marks a message that replaces the whole book.

    ``quantity_scale`` is None for quantities in base units (every diff a stream handler receives).
    Otherwise the levels are the venue's own (any objects with ``price`` / ``quantity``) with quantities in
    venue units, base = quantity x ``quantity_scale``: a Gate futures stream sends contracts this way to its
    composite's local book only, which converts on read (``app/composite/book.py``).
    """

    exchange: ExchangeEnum
    symbol: Symbol
    first_update_id: int
    last_update_id: int
    bids: Sequence[tuple[Decimal, Decimal] | VenueLevel]  # PriceLevel items from decoders that build them
    asks: Sequence[tuple[Decimal, Decimal] | VenueLevel]
    timestamp_ms: int
    is_snapshot: bool = False
    quantity_scale: Decimal | None = None

    def in_base_units(self) -> OrderBookDiff:
        """This diff with base-unit :class:`PriceLevel` levels: itself when ``quantity_scale`` is None, else
        a copy whose quantities are multiplied by the scale (each level read by ``price`` / ``quantity``)."""
        scale = self.quantity_scale
        if scale is None:
            return self
        new, level_type = tuple.__new__, PriceLevel  # ~2x cheaper than the named tuple's Python __new__

        def convert(levels: Sequence[Any]) -> list[PriceLevel]:
            return [new(level_type, (level.price, level.quantity * scale)) for level in levels]

        return OrderBookDiff(
            self.exchange,
            self.symbol,
            self.first_update_id,
            self.last_update_id,
            convert(self.bids),
            convert(self.asks),
            self.timestamp_ms,
            self.is_snapshot,
        )
