"""The venue-independent private composite: validated order entry with unknown-outcome resolution, and open
orders, balances and fills kept current from the private stream after REST snapshots.

A venue subclass names its ``exchange`` and its ``client_order_id_rule``; it may override the small hooks
(stream creation and subscriptions, the order rules, how an order is sent, settled or looked up by client
id, how an order is recorded) where the venue really differs. Never touches public streams. Symbol rules
come from an injected ``symbol_info_loader`` (the container passes the public REST client's
``get_exchange_info``: a REST read, not a stream).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any, ClassVar, Generic, TypeVar

from app.composite.callbacks import CallbackSet
from app.composite.coalesce import CoalescedRefresh
from app.composite.interfaces import CompositePrivateExchange, DecimalLike
from app.composite.orders import ClientOrderIdRule, OrderTracker, ValidatedOrder, place_order, validate_order
from app.composite.symbols import SymbolRules
from app.composite.transports import AccountStream, TradingRest
from app.config import ExchangeConfig
from app.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from app.domain.handlers import PrivateWebsocketHandlers, create_private_handlers
from app.domain.models import Balance, Execution, Order, SymbolInfo
from app.domain.symbol import Symbol, SymbolLike
from app.errors import OrderNotFoundError, UnknownSymbolError

RestT = TypeVar("RestT", bound=TradingRest)
StreamT = TypeVar("StreamT", bound=AccountStream)
SymbolInfoLoader = Callable[[], Awaitable[dict[Symbol, SymbolInfo]]]
OrderSender = Callable[[], Awaitable[Order]]


class TrackedPrivateExchange(SymbolRules, CompositePrivateExchange, Generic[RestT, StreamT]):
    """Trading on one venue through its REST client and private stream.

    ``create_order`` validates against the symbol's rules before any network call, generates a client
    order id (``client_order_id_rule``) when none is given, sends once, and when the request ends in a
    timeout / network error / 5xx looks the order up by client id (stream cache, then the venue); it never
    re-sends. Open orders, balances and fills come from the stream, after a REST snapshot taken once
    subscribed; after a reconnect the snapshot is taken again (coalesced) so nothing missed stays wrong.
    """

    client_order_id_rule: ClassVar[ClientOrderIdRule]
    """The venue's client-order-id format (generation and validation), used unless one is injected."""

    def __init__(
        self,
        config: ExchangeConfig,
        rest: RestT,
        ws_factory: Callable[..., StreamT],
        symbol_info_loader: SymbolInfoLoader,
        logger: logging.Logger | None = None,
        *,
        client_order_ids: Callable[[str | None], str] | None = None,
        lookup_attempts: int = 3,
        lookup_delay_s: float = 0.25,
        lookup_max_delay_s: float = 2.0,
    ) -> None:
        """``ws_factory`` is called as ``ws_factory(handlers=PrivateWebsocketHandlers)`` (a container Factory)."""
        self.config = config
        self._rest = rest
        self._ws_factory = ws_factory
        self._symbol_info_loader = symbol_info_loader
        self._log = logger or logging.getLogger(type(self).__module__)
        self._client_order_ids = client_order_ids or self.client_order_id_rule
        self._lookup_attempts = lookup_attempts
        self._lookup_delay_s = lookup_delay_s
        self._lookup_max_delay_s = lookup_max_delay_s
        self._set_symbol_info({})
        self._symbols: list[Symbol] | None = None
        self._tracker = OrderTracker()
        self._ws: StreamT | None = None
        self._repoll = CoalescedRefresh(
            self._poll_account,
            name=f"{self.exchange.value}-private-repoll",
            description=f"{self.exchange.value} re-poll of orders/balances after reconnect",
            logger=self._log,
        )
        self._order_callbacks: CallbackSet[Order] = CallbackSet("orders", logger=self._log)
        self._balance_callbacks: CallbackSet[Balance] = CallbackSet("balances", logger=self._log)
        self._execution_callbacks: CallbackSet[Execution] = CallbackSet("executions", logger=self._log)
        self._closed = False

    # --- venue hooks ---------------------------------------------------------------------------------
    def _stream_handlers(self) -> PrivateWebsocketHandlers:
        """The handlers the private stream delivers to (override to add or reroute channels)."""
        return create_private_handlers(
            order_handler=self._on_order,
            balance_handler=self._on_balance,
            execution_handler=self._on_execution,
        )

    def _create_stream(self, handlers: PrivateWebsocketHandlers) -> StreamT:
        """Build the stream client around ``handlers`` (override to configure it further)."""
        return self._ws_factory(handlers=handlers)

    async def _subscribe_streams(self, ws: StreamT) -> None:
        """Subscribe the private channels (``self._symbols`` or all) before the first snapshot."""
        await ws.subscribe_orders(self._symbols)
        await ws.subscribe_balances()
        await ws.subscribe_executions(self._symbols)

    def _order_rules(self, symbol: Symbol) -> SymbolInfo:
        """The rules an order for ``symbol`` is validated against."""
        info = self._infos.get(symbol)
        if info is None:
            raise UnknownSymbolError(f"{symbol}: symbol info not loaded")
        return info

    async def _send_order(self, symbol: Symbol, request: ValidatedOrder, client_order_id: str) -> Order:
        """Send one validated create request (never retried)."""
        return await self._rest.create_order(
            symbol,
            request.side,
            request.quantity,
            request.price,
            request.order_type,
            request.time_in_force,
            client_order_id,
        )

    async def _settle_placed(self, symbol: Symbol, request: ValidatedOrder, order: Order) -> Order:
        """Complete what the create answer left out (nothing by default)."""
        return order

    async def _lookup_by_client_id(self, symbol: Symbol, client_order_id: str) -> Order:
        """Find an order by client id: the venue's order query accepts it while the order is open (Gate's
        ``t-...``); a finished one is found through the recent fills that carry the client id."""
        try:
            return await self._rest.get_order(symbol, client_order_id)
        except OrderNotFoundError:
            for execution in await self._rest.get_my_trades(symbol, limit=100):
                if execution.client_order_id == client_order_id:
                    return await self._rest.get_order(symbol, execution.order_id)
            raise

    def _record(self, order: Order) -> Order:
        """Merge ``order`` into the tracker; returns the tracked state."""
        return self._tracker.on_order(order)

    # --- lifecycle ---------------------------------------------------------------------------------
    async def initialize(self, symbols: Sequence[SymbolLike] | None = None) -> None:
        """Load symbol rules, subscribe orders / balances / fills (``symbols`` or all), then REST snapshots."""
        if self._ws is not None:
            raise RuntimeError("initialize() was already called")
        await self.reload_symbol_info()
        if symbols is not None:
            self._symbols = list(dict.fromkeys(self.resolve(symbol) for symbol in symbols))
        ws = self._ws = self._create_stream(self._stream_handlers())
        ws.add_reconnect_listener(self._on_reconnect)
        await ws.start()
        await self._subscribe_streams(ws)
        await self._poll_account()  # after subscribing: nothing falls between snapshot and stream

    async def reload_symbol_info(self) -> None:
        """(Re)load the symbols' trading rules through the injected loader."""
        self._set_symbol_info(await self._symbol_info_loader())
        self._rest.set_symbol_info(self._infos)

    async def close(self) -> None:
        """Close the private WebSocket and stop background tasks; idempotent."""
        if self._closed:
            return
        self._closed = True
        await self._repoll.close()
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close()
        for callbacks in (self._order_callbacks, self._balance_callbacks, self._execution_callbacks):
            await callbacks.close()

    # --- state ---------------------------------------------------------------------------------------
    @property
    def tracker(self) -> OrderTracker:
        """The stream-maintained cache (open and recently finished orders, balances, fills)."""
        return self._tracker

    # --- trading -----------------------------------------------------------------------------------
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
        resolved, request, client_id = self._prepare_order(
            symbol, side, quantity, price, order_type, time_in_force, client_order_id
        )

        async def send() -> Order:
            return await self._send_order(resolved, request, client_id)

        placed = await self._place(resolved, client_id, send)
        return await self._settle_placed(resolved, request, placed)

    async def cancel_order(self, symbol: SymbolLike, order_id: str) -> Order:
        return self._record(await self._rest.cancel_order(self.resolve(symbol), order_id))

    async def cancel_all_orders(self, symbol: SymbolLike | None = None) -> list[Order]:
        """Cancel every open order (of one symbol, or all); returns the cancelled orders."""
        resolved = None if symbol is None else self.resolve(symbol)
        return [self._record(order) for order in await self._rest.cancel_all_orders(resolved)]

    async def get_order(self, symbol: SymbolLike, order_id: str) -> Order:
        return self._record(await self._rest.get_order(self.resolve(symbol), order_id))

    async def get_open_orders(self, symbol: SymbolLike | None = None) -> list[Order]:
        return self._tracker.open_orders(None if symbol is None else self.resolve(symbol))

    async def get_balances(self) -> dict[str, Balance]:
        return self._tracker.balances()

    async def get_executions(self, symbol: SymbolLike | None = None) -> list[Execution]:
        """Recent fills received from the private stream (oldest first)."""
        resolved = None if symbol is None else self.resolve(symbol)
        return [e for e in self._tracker.executions if resolved is None or e.symbol == resolved]

    # --- callbacks ---------------------------------------------------------------------------------
    def subscribe_orders(self, callback: Callable[[Order], Any]) -> None:
        self._order_callbacks.add(callback)

    def subscribe_balances(self, callback: Callable[[Balance], Any]) -> None:
        self._balance_callbacks.add(callback)

    def subscribe_executions(self, callback: Callable[[Execution], Any]) -> None:
        self._execution_callbacks.add(callback)

    # --- stream handlers ---------------------------------------------------------------------------
    def _on_order(self, order: Order) -> None:
        current = self._record(order)
        if self._order_callbacks:
            self._order_callbacks.emit(current)

    def _on_balance(self, balance: Balance) -> None:
        self._tracker.on_balance(balance)
        if self._balance_callbacks:
            self._balance_callbacks.emit(balance)

    def _on_execution(self, execution: Execution) -> None:
        self._tracker.on_execution(execution)
        if self._execution_callbacks:
            self._execution_callbacks.emit(execution)

    def _on_reconnect(self) -> None:
        """Events may have been missed while disconnected: re-poll open orders and balances."""
        if not self._closed:
            self._repoll.trigger()

    # --- internals ---------------------------------------------------------------------------------
    def _prepare_order(
        self,
        symbol: SymbolLike,
        side: Side | str,
        quantity: DecimalLike,
        price: DecimalLike | None,
        order_type: OrderType | str,
        time_in_force: TimeInForce | str,
        client_order_id: str | None,
    ) -> tuple[Symbol, ValidatedOrder, str]:
        """Resolve, validate and name an order (typed errors here, before any network call)."""
        resolved = self.resolve(symbol)
        request = validate_order(self._order_rules(resolved), side, quantity, price, order_type, time_in_force)
        return resolved, request, self._client_order_ids(client_order_id)

    async def _place(self, symbol: Symbol, client_order_id: str, send: OrderSender) -> Order:
        """Send once; on an unknown outcome resolve by client id lookup (never re-sent); track the result."""

        async def lookup() -> Order:
            return await self._lookup_by_client_id(symbol, client_order_id)

        placed = await place_order(
            send,
            lookup,
            client_order_id=client_order_id,
            symbol=symbol,
            tracker=self._tracker,
            attempts=self._lookup_attempts,
            base_delay_s=self._lookup_delay_s,
            max_delay_s=self._lookup_max_delay_s,
            logger=self._log,
        )
        return self._record(placed)

    async def _poll_account(self) -> None:
        """REST snapshot of balances and open orders, merged with what the stream reported meanwhile."""
        requested_at = time.monotonic()
        balances = await self._rest.get_balance()
        self._tracker.replace_balances(balances.values(), requested_at=requested_at)
        requested_at = time.monotonic()
        if self._symbols is None:
            orders = await self._rest.get_open_orders(None)
        else:
            orders = [order for symbol in self._symbols for order in await self._rest.get_open_orders(symbol)]
        vanished = self._tracker.replace_open_orders(orders, requested_at=requested_at, symbols=self._symbols)
        for order in vanished:  # finished while we were not listening: learn how
            try:
                final = await self._rest.get_order(order.symbol, order.order_id)
            except OrderNotFoundError:
                final = replace(order, status=OrderStatus.UNKNOWN)
            self._on_order(final)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(credentials=<hidden>)"
