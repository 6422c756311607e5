"""What the shared composites need from a venue's transports, as structural types.

A venue's REST and WebSocket clients satisfy these protocols by shape (no inheritance): the shared
composites (:mod:`app.composite.public_base`, :mod:`app.composite.private_base`) are generic in them, so
a venue subclass keeps its concrete client types (``self._rest`` is the venue's client, with all its
extras) and mypy checks every call the shared code makes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from typing import Protocol

from app.domain.enums import OrderType, Side, TimeInForce
from app.domain.models import Balance, Execution, Order, OrderBook, SymbolInfo, Trade
from app.domain.symbol import Symbol


class ReconnectingStream(Protocol):
    """A stream client with an owner-controlled lifetime that tells when it has reconnected."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    def add_reconnect_listener(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` after every reconnect (once the subscriptions have been replayed)."""


class MarketDataRest(Protocol):
    """Public REST reads a public composite uses: symbol rules, book snapshots, recent trades."""

    async def get_exchange_info(self) -> dict[Symbol, SymbolInfo]: ...

    async def get_orderbook(self, symbol: Symbol, limit: int = ...) -> OrderBook: ...

    async def get_trades(self, symbol: Symbol, limit: int = ...) -> list[Trade]: ...


class MarketDataStream(ReconnectingStream, Protocol):
    """Public stream: diffs, trades and book tickers per symbol, delivered to the handlers it was built with."""

    async def subscribe_orderbook(self, symbols: Sequence[Symbol]) -> None: ...

    async def subscribe_trades(self, symbols: Sequence[Symbol]) -> None: ...

    async def subscribe_book_ticker(self, symbols: Sequence[Symbol]) -> None: ...


class TradingRest(Protocol):
    """Signed REST calls a private composite uses: order entry, queries, balances, recent fills."""

    def set_symbol_info(self, infos: Mapping[Symbol, SymbolInfo]) -> None: ...

    async def create_order(
        self,
        symbol: Symbol,
        side: Side,
        quantity: Decimal,
        price: Decimal | None,
        order_type: OrderType,
        time_in_force: TimeInForce,
        client_order_id: str,
    ) -> Order: ...

    async def cancel_order(self, symbol: Symbol, order_id: str) -> Order: ...

    async def cancel_all_orders(self, symbol: Symbol | None = None) -> list[Order]: ...

    async def get_order(self, symbol: Symbol, order_id: str) -> Order: ...

    async def get_open_orders(self, symbol: Symbol | None = None) -> list[Order]: ...

    async def get_balance(self) -> dict[str, Balance]: ...

    async def get_my_trades(self, symbol: Symbol, limit: int = ...) -> list[Execution]: ...


class AccountStream(ReconnectingStream, Protocol):
    """Private stream: order updates, balance movements and own fills."""

    async def subscribe_orders(self, symbols: Sequence[Symbol] | None = None) -> None: ...

    async def subscribe_balances(self) -> None: ...

    async def subscribe_executions(self, symbols: Sequence[Symbol] | None = None) -> None: ...
