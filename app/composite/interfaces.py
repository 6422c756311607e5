"""The venue-independent faces of an exchange: a public (market data) and a private (trading) composite.

A composite owns its streams and local state (books, open orders, balances) and is what strategies use;
the REST and WebSocket transports underneath are venue-specific. Public composites hold no credentials;
private composites never touch public streams.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from app.domain.enums import ExchangeEnum, OrderType, Side, TimeInForce
from app.domain.models import Balance, BookTicker, Order, OrderBook, SymbolInfo, Trade
from app.domain.symbol import Symbol, SymbolLike

DecimalLike = Decimal | int | str
"""Accepted for prices and quantities; ``float`` is rejected (see :mod:`app.composite.orders`)."""


class CompositePublicExchange(ABC):
    """Market data for a set of symbols: locally maintained books and tickers, trades, callbacks."""

    exchange: ExchangeEnum

    @abstractmethod
    async def initialize(self, symbols: Sequence[SymbolLike]) -> None:
        """Load symbol info, start the streams and the book synchronization for ``symbols``."""

    @property
    @abstractmethod
    def symbol_info(self) -> dict[Symbol, SymbolInfo]:
        """Trading rules of every listed symbol (loaded by :meth:`initialize`)."""

    @abstractmethod
    def resolve(self, symbol: SymbolLike) -> Symbol:
        """Return the unified symbol; raise ``UnknownSymbolError`` for one the venue does not list."""

    @abstractmethod
    def get_orderbook(self, symbol: SymbolLike, depth: int | None = None) -> OrderBook:
        """The local book (top ``depth`` levels); ``is_valid`` is False while it is stale."""

    @abstractmethod
    async def get_trades(self, symbol: SymbolLike, limit: int = 100) -> list[Trade]:
        """Recent public trades (REST)."""

    @abstractmethod
    def get_book_ticker(self, symbol: SymbolLike) -> BookTicker | None:
        """The last best bid/ask received from the stream, or None before the first one."""

    @abstractmethod
    def subscribe_orderbook(
        self, callback: Callable[[OrderBook], Any], depth: int | None = None, *, conflate: bool = False
    ) -> None:
        """Call ``callback`` (sync or async) with the book view after each applied update.

        ``depth``: levels per side the subscriber needs (None: the configured book depth); one view per
        (depth, sequence) is shared by its subscribers. ``conflate=True``: at most one call per symbol per
        event-loop turn, with the latest view (intermediate views of a burst are skipped, never stale ones
        delivered).
        """

    @abstractmethod
    def subscribe_trades(self, callback: Callable[[Trade], Any]) -> None:
        """Call ``callback`` (sync or async) with each public trade."""

    @abstractmethod
    def subscribe_book_ticker(self, callback: Callable[[BookTicker], Any]) -> None:
        """Call ``callback`` (sync or async) with each book ticker."""

    @abstractmethod
    async def close(self) -> None:
        """Close the streams and cancel the background tasks (not the shared HTTP session); idempotent."""


class CompositePrivateExchange(ABC):
    """Trading: validated order entry, and open orders / balances kept current from the private stream."""

    exchange: ExchangeEnum

    @abstractmethod
    async def initialize(self, symbols: Sequence[SymbolLike] | None = None) -> None:
        """Load symbol info, snapshot balances and open orders, start the private streams."""

    @abstractmethod
    async def create_order(
        self,
        symbol: SymbolLike,
        side: Side | str,
        quantity: DecimalLike,
        price: DecimalLike | None = None,
        order_type: OrderType | str = OrderType.LIMIT,
        time_in_force: TimeInForce | str = TimeInForce.GTC,
        client_order_id: str | None = None,
    ) -> Order:
        """Validate (before any network call) and place an order; an unknown outcome is resolved by lookup.

        Raises a ``ValidationError`` subclass for bad input, ``OrderStateUnknownError`` when the outcome
        of the request could not be established.
        """

    @abstractmethod
    async def cancel_order(self, symbol: SymbolLike, order_id: str) -> Order:
        """Cancel by venue order id (or client order id where the venue accepts it)."""

    @abstractmethod
    async def get_order(self, symbol: SymbolLike, order_id: str) -> Order:
        """Query one order from the venue."""

    @abstractmethod
    async def get_open_orders(self, symbol: SymbolLike | None = None) -> list[Order]:
        """Open orders from the stream-maintained cache."""

    @abstractmethod
    async def get_balances(self) -> dict[str, Balance]:
        """Balances from the stream-maintained cache."""

    @abstractmethod
    def subscribe_orders(self, callback: Callable[[Order], Any]) -> None:
        """Call ``callback`` (sync or async) with each order update."""

    @abstractmethod
    def subscribe_balances(self, callback: Callable[[Balance], Any]) -> None:
        """Call ``callback`` (sync or async) with each balance update."""

    @abstractmethod
    async def close(self) -> None:
        """Close the private stream and cancel the background tasks; idempotent."""
