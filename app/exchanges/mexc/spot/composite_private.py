"""MEXC spot private composite: validated order entry with unknown-outcome resolution by client order id, and
open orders, balances and fills kept current from the listenKey stream (orders / deals / account pushes).

Never touches public streams. Symbol rules come from an injected ``symbol_info_loader`` (the container passes
the public REST client's ``get_exchange_info``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from app.composite.callbacks import CallbackSet
from app.composite.interfaces import CompositePrivateExchange, DecimalLike
from app.composite.orders import OrderTracker, place_order, validate_order
from app.config import ExchangeConfig
from app.domain.enums import ExchangeEnum, OrderStatus, OrderType, Side, TimeInForce
from app.domain.handlers import create_private_handlers
from app.domain.models import Balance, Execution, Order, SymbolInfo
from app.domain.symbol import Symbol, SymbolLike, SymbolResolver
from app.errors import CexArbError, OrderNotFoundError, UnknownSymbolError
from app.exchanges.mexc.client_order_id import MEXC_CLIENT_ORDER_IDS
from app.exchanges.mexc.spot.rest_private import MexcPrivateSpotRest
from app.exchanges.mexc.spot.ws_private import MexcPrivateSpotWebsocket

PrivateWsFactory = Callable[..., MexcPrivateSpotWebsocket]
"""Called as ``ws_factory(handlers=PrivateWebsocketHandlers)`` (the container's Factory provider)."""
SymbolInfoLoader = Callable[[], Awaitable[dict[Symbol, SymbolInfo]]]
MAX_FEE_ORDERS = 5000  # orders whose fills' fees are remembered (oldest forgotten first)


class MexcCompositePrivateSpotExchange(CompositePrivateExchange):
    """Trading on MEXC spot (same interface as the Gate.io one).

    ``create_order`` validates against the symbol's rules before any network call, generates a client order
    id when none is given, sends once, and when the request ends in a timeout / network error / 5xx looks
    the order up by client order id (stream cache, then ``GET /api/v3/order?origClientOrderId=``); it never
    re-sends. MEXC's place-order answer has no status: a resting order is returned ``NEW`` (the stream
    updates it), an order that cannot rest (market, IOC, FOK) is looked up once so its fills are known.
    """

    exchange = ExchangeEnum.MEXC

    def __init__(
        self,
        config: ExchangeConfig,
        rest: MexcPrivateSpotRest,
        ws_factory: PrivateWsFactory,
        symbol_info_loader: SymbolInfoLoader,
        logger: logging.Logger | None = None,
        *,
        client_order_ids: Callable[[str | None], str] = MEXC_CLIENT_ORDER_IDS,
        lookup_attempts: int = 3,
        lookup_delay_s: float = 0.25,
        lookup_max_delay_s: float = 2.0,
    ) -> None:
        self.config = config
        self._rest = rest
        self._ws_factory = ws_factory
        self._symbol_info_loader = symbol_info_loader
        self._log = logger or logging.getLogger("app.exchanges.mexc.spot.composite_private")
        self._client_order_ids = client_order_ids
        self._lookup_attempts = lookup_attempts
        self._lookup_delay_s = lookup_delay_s
        self._lookup_max_delay_s = lookup_max_delay_s
        self._infos: dict[Symbol, SymbolInfo] = {}
        self._resolver = SymbolResolver(self.exchange.value)
        self._symbols: list[Symbol] | None = None
        self._tracker = OrderTracker()
        self._fees: dict[str, dict[str, tuple[Decimal, str | None]]] = {}  # order id -> trade id -> fee
        self._ws: MexcPrivateSpotWebsocket | None = None
        self._poll_task: asyncio.Task[None] | None = None
        self._poll_again = False
        self._order_callbacks: CallbackSet[Order] = CallbackSet("orders", logger=self._log)
        self._balance_callbacks: CallbackSet[Balance] = CallbackSet("balances", logger=self._log)
        self._execution_callbacks: CallbackSet[Execution] = CallbackSet("executions", logger=self._log)
        self._closed = False

    # --- lifecycle ---------------------------------------------------------------------------------
    async def initialize(self, symbols: Sequence[SymbolLike] | None = None) -> None:
        """Load symbol rules, open the listenKey stream (orders, deals, account), then REST snapshots."""
        if self._ws is not None:
            raise RuntimeError("initialize() was already called")
        await self.reload_symbol_info()
        if symbols is not None:
            self._symbols = list(dict.fromkeys(self.resolve(symbol) for symbol in symbols))
        handlers = create_private_handlers(
            order_handler=self._on_order,
            balance_handler=self._on_balance,
            execution_handler=self._on_execution,
        )
        self._ws = self._ws_factory(handlers=handlers)
        self._ws.set_symbol_info(self._infos)
        self._ws.add_reconnect_listener(self._on_reconnect)
        await self._ws.start()
        await self._ws.subscribe_orders(self._symbols)
        await self._ws.subscribe_balances()
        await self._ws.subscribe_executions(self._symbols)
        await self._poll_account()  # after subscribing: nothing falls between snapshot and stream

    async def reload_symbol_info(self) -> None:
        """(Re)load the symbols' trading rules through the injected loader."""
        self._infos = await self._symbol_info_loader()
        self._resolver = SymbolResolver(self.exchange.value, ((s, info.native) for s, info in self._infos.items()))
        self._rest.set_symbol_info(self._infos)

    async def close(self) -> None:
        """Close the private WebSocket (and its listenKey) and stop background tasks; idempotent."""
        if self._closed:
            return
        self._closed = True
        task, self._poll_task = self._poll_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close()
        for callbacks in (self._order_callbacks, self._balance_callbacks, self._execution_callbacks):
            await callbacks.close()

    # --- symbols -----------------------------------------------------------------------------------
    @property
    def symbol_info(self) -> dict[Symbol, SymbolInfo]:
        return self._infos

    def resolve(self, symbol: SymbolLike) -> Symbol:
        return self._resolver.resolve(symbol)

    @property
    def tracker(self) -> OrderTracker:
        """The stream-maintained cache (open and recently finished orders, balances, fills)."""
        return self._tracker

    @property
    def websocket(self) -> MexcPrivateSpotWebsocket | None:
        """The listenKey stream (``listen_key`` counters, ``client.shards``)."""
        return self._ws

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
        resolved = self.resolve(symbol)
        info = self._infos.get(resolved)
        if info is None:
            raise UnknownSymbolError(f"{resolved}: symbol info not loaded")
        request = validate_order(info, side, quantity, price, order_type, time_in_force)
        client_id = self._client_order_ids(client_order_id)
        limit_price = request.price if request.order_type is OrderType.LIMIT else None

        async def send() -> Order:
            return await self._rest.create_order(
                resolved,
                request.side,
                request.quantity,
                limit_price,
                request.order_type,
                request.time_in_force,
                client_id,
            )

        async def lookup() -> Order:
            return await self._rest.get_order_by_client_id(resolved, client_id)

        placed = await place_order(
            send,
            lookup,
            client_order_id=client_id,
            symbol=resolved,
            tracker=self._tracker,
            attempts=self._lookup_attempts,
            base_delay_s=self._lookup_delay_s,
            max_delay_s=self._lookup_max_delay_s,
            logger=self._log,
        )
        current = self._record(placed)
        if current.is_open and not _can_rest(request.order_type, request.time_in_force):
            with contextlib.suppress(CexArbError):  # the ack stands; the stream will finish the order
                current = self._record(await self._rest.get_order(resolved, current.order_id))
        return current

    async def cancel_order(self, symbol: SymbolLike, order_id: str) -> Order:
        """Cancel by MEXC order id, or by client order id (told apart through the tracker, else by lookup)."""
        resolved = self.resolve(symbol)
        if self._is_client_id(order_id):
            return self._record(await self._rest.cancel_order_by_client_id(resolved, order_id))
        return self._record(await self._rest.cancel_order(resolved, order_id))

    async def cancel_all_orders(self, symbol: SymbolLike | None = None) -> list[Order]:
        """Cancel every open order (of one symbol, or all); returns the cancelled orders."""
        resolved = None if symbol is None else self.resolve(symbol)
        return [self._record(order) for order in await self._rest.cancel_all_orders(resolved)]

    async def get_order(self, symbol: SymbolLike, order_id: str) -> Order:
        """One order by MEXC order id or by client order id (MEXC ids and client ids look alike: an id the
        tracker knows as a client id is queried as ``origClientOrderId``; an unknown id is tried as an order
        id, then as a client id)."""
        resolved = self.resolve(symbol)
        if self._is_client_id(order_id):
            return await self.get_order_by_client_id(resolved, order_id)
        try:
            return self._record(await self._rest.get_order(resolved, order_id))
        except OrderNotFoundError:
            if self._tracker.get(order_id) is not None:
                raise
            return await self.get_order_by_client_id(resolved, order_id)

    async def get_order_by_client_id(self, symbol: SymbolLike, client_order_id: str) -> Order:
        """One order by its client order id (``origClientOrderId``)."""
        return self._record(await self._rest.get_order_by_client_id(self.resolve(symbol), client_order_id))

    async def get_open_orders(self, symbol: SymbolLike | None = None) -> list[Order]:
        return self._tracker.open_orders(None if symbol is None else self.resolve(symbol))

    async def get_balances(self) -> dict[str, Balance]:
        return self._tracker.balances()

    async def get_executions(self, symbol: SymbolLike | None = None) -> list[Execution]:
        """Recent fills received from ``spot@private.deals`` (oldest first)."""
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
        self._fees.setdefault(execution.order_id, {})[execution.trade_id] = (execution.fee, execution.fee_asset)
        if len(self._fees) > MAX_FEE_ORDERS:
            del self._fees[next(iter(self._fees))]
        known = self._tracker.get(execution.order_id)
        if known is not None:  # MEXC orders carry no fee: the order's fee is the sum of its fills' fees
            self._on_order(known)
        if self._execution_callbacks:
            self._execution_callbacks.emit(execution)

    def _record(self, order: Order) -> Order:
        """Track ``order`` with its fee summed from the fills seen on the stream."""
        fees = self._fees.get(order.order_id)
        if fees:
            total = sum((fee for fee, _ in fees.values()), Decimal(0))
            asset = next((asset for _, asset in fees.values() if asset), order.fee_asset)
            order = replace(order, fee=total, fee_asset=asset)
        return self._tracker.on_order(order)

    def _is_client_id(self, value: str) -> bool:
        return self._tracker.get(value) is None and self._tracker.find_by_client_id(value) is not None

    def _on_reconnect(self) -> None:
        """Events may have been missed while disconnected: re-poll open orders and balances."""
        if self._closed:
            return
        if self._poll_task is not None and not self._poll_task.done():
            self._poll_again = True
            return
        self._poll_task = asyncio.get_running_loop().create_task(self._repoll(), name="mexc-private-repoll")

    # --- internals ---------------------------------------------------------------------------------
    async def _repoll(self) -> None:
        while True:
            self._poll_again = False
            try:
                await self._poll_account()
            except CexArbError as exc:
                self._log.warning("mexc re-poll of orders/balances after reconnect failed: %r", exc)
            if not self._poll_again:
                return

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
        return "MexcCompositePrivateSpotExchange(credentials=<hidden>)"


def _can_rest(order_type: OrderType, time_in_force: TimeInForce) -> bool:
    return order_type is OrderType.LIMIT and time_in_force in (TimeInForce.GTC, TimeInForce.POST_ONLY)
