"""Gate.io spot private composite: validated order entry with unknown-outcome resolution, and open orders,
balances and fills kept current from ``spot.orders`` / ``spot.balances`` / ``spot.usertrades``.

Never touches public streams. Symbol rules come from an injected ``symbol_info_loader`` (the container
passes the public REST client's ``get_exchange_info``: a REST read, not a stream).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

from app.composite.callbacks import CallbackSet
from app.composite.interfaces import CompositePrivateExchange, DecimalLike
from app.composite.orders import ClientOrderIdRule, OrderTracker, place_order, validate_order
from app.config import ExchangeConfig
from app.domain.enums import ExchangeEnum, OrderStatus, OrderType, Side, TimeInForce
from app.domain.handlers import create_private_handlers
from app.domain.models import Balance, Execution, Order, SymbolInfo
from app.domain.symbol import Symbol, SymbolLike, SymbolResolver
from app.errors import CexArbError, OrderNotFoundError, UnknownSymbolError
from app.exchanges.gateio import constants as c
from app.exchanges.gateio.spot.rest_private import GateioPrivateSpotRest
from app.exchanges.gateio.spot.ws_private import GateioPrivateSpotWebsocket

PrivateWsFactory = Callable[..., GateioPrivateSpotWebsocket]
"""Called as ``ws_factory(handlers=PrivateWebsocketHandlers)`` (the container's Factory provider)."""
SymbolInfoLoader = Callable[[], Awaitable[dict[Symbol, SymbolInfo]]]

GATEIO_CLIENT_ORDER_IDS = ClientOrderIdRule(
    prefix=c.CLIENT_ID_PREFIX, max_body_length=c.CLIENT_ID_MAX_BYTES, charset=c.CLIENT_ID_CHARSET
)
"""Gate ``text``: ``t-`` + 1..28 of ``[0-9A-Za-z_.-]``; the prefix is added when missing."""


class GateioCompositePrivateSpotExchange(CompositePrivateExchange):
    """Trading on Gate.io spot.

    ``create_order`` validates against the pair's rules before any network call, generates a ``t-...``
    client order id when none is given, sends once, and when the request ends in a timeout / network
    error / 5xx looks the order up by client id (stream cache, ``GET /spot/orders/t-...``, then recent
    fills, since Gate finds a client id only while the order is open). It never re-sends.
    """

    exchange = ExchangeEnum.GATEIO

    def __init__(
        self,
        config: ExchangeConfig,
        rest: GateioPrivateSpotRest,
        ws_factory: PrivateWsFactory,
        symbol_info_loader: SymbolInfoLoader,
        logger: logging.Logger | None = None,
        *,
        client_order_ids: Callable[[str | None], str] = GATEIO_CLIENT_ORDER_IDS,
        lookup_attempts: int = 3,
        lookup_delay_s: float = 0.25,
        lookup_max_delay_s: float = 2.0,
    ) -> None:
        self.config = config
        self._rest = rest
        self._ws_factory = ws_factory
        self._symbol_info_loader = symbol_info_loader
        self._log = logger or logging.getLogger("app.exchanges.gateio.spot.composite_private")
        self._client_order_ids = client_order_ids
        self._lookup_attempts = lookup_attempts
        self._lookup_delay_s = lookup_delay_s
        self._lookup_max_delay_s = lookup_max_delay_s
        self._infos: dict[Symbol, SymbolInfo] = {}
        self._resolver = SymbolResolver(self.exchange.value)
        self._symbols: list[Symbol] | None = None
        self._tracker = OrderTracker()
        self._ws: GateioPrivateSpotWebsocket | None = None
        self._poll_task: asyncio.Task[None] | None = None
        self._poll_again = False
        self._order_callbacks: CallbackSet[Order] = CallbackSet("orders", logger=self._log)
        self._balance_callbacks: CallbackSet[Balance] = CallbackSet("balances", logger=self._log)
        self._execution_callbacks: CallbackSet[Execution] = CallbackSet("executions", logger=self._log)
        self._closed = False

    # --- lifecycle ---------------------------------------------------------------------------------
    async def initialize(self, symbols: Sequence[SymbolLike] | None = None) -> None:
        """Load pair rules, subscribe orders / balances / fills (``symbols`` or all), then REST snapshots."""
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
        self._ws.add_reconnect_listener(self._on_reconnect)
        await self._ws.start()
        await self._ws.subscribe_orders(self._symbols)
        await self._ws.subscribe_balances()
        await self._ws.subscribe_executions(self._symbols)
        await self._poll_account()  # after subscribing: nothing falls between snapshot and stream

    async def reload_symbol_info(self) -> None:
        """(Re)load the pairs' trading rules through the injected loader."""
        self._infos = await self._symbol_info_loader()
        self._resolver = SymbolResolver(self.exchange.value, ((s, info.native) for s, info in self._infos.items()))
        self._rest.set_symbol_info(self._infos)

    async def close(self) -> None:
        """Close the private WebSocket and stop background tasks; idempotent."""
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
        text = self._client_order_ids(client_order_id)

        async def send() -> Order:
            return await self._rest.create_order(
                resolved,
                request.side,
                request.quantity,
                request.price,
                request.order_type,
                request.time_in_force,
                text,
            )

        async def lookup() -> Order:
            return await self._lookup_by_client_id(resolved, text)

        placed = await place_order(
            send,
            lookup,
            client_order_id=text,
            symbol=resolved,
            tracker=self._tracker,
            attempts=self._lookup_attempts,
            base_delay_s=self._lookup_delay_s,
            max_delay_s=self._lookup_max_delay_s,
            logger=self._log,
        )
        return self._tracker.on_order(placed)

    async def cancel_order(self, symbol: SymbolLike, order_id: str) -> Order:
        cancelled = await self._rest.cancel_order(self.resolve(symbol), order_id)
        return self._tracker.on_order(cancelled)

    async def cancel_all_orders(self, symbol: SymbolLike | None = None) -> list[Order]:
        """Cancel every open order (of one symbol, or all); returns the cancelled orders."""
        resolved = None if symbol is None else self.resolve(symbol)
        return [self._tracker.on_order(order) for order in await self._rest.cancel_all_orders(resolved)]

    async def get_order(self, symbol: SymbolLike, order_id: str) -> Order:
        order = await self._rest.get_order(self.resolve(symbol), order_id)
        return self._tracker.on_order(order)

    async def get_open_orders(self, symbol: SymbolLike | None = None) -> list[Order]:
        return self._tracker.open_orders(None if symbol is None else self.resolve(symbol))

    async def get_balances(self) -> dict[str, Balance]:
        return self._tracker.balances()

    async def get_executions(self, symbol: SymbolLike | None = None) -> list[Execution]:
        """Recent fills received from ``spot.usertrades`` (oldest first)."""
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
        current = self._tracker.on_order(order)
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
        if self._closed:
            return
        if self._poll_task is not None and not self._poll_task.done():
            self._poll_again = True
            return
        self._poll_task = asyncio.get_running_loop().create_task(self._repoll(), name="gateio-private-repoll")

    # --- internals ---------------------------------------------------------------------------------
    async def _repoll(self) -> None:
        while True:
            self._poll_again = False
            try:
                await self._poll_account()
            except CexArbError as exc:
                self._log.warning("gateio re-poll of orders/balances after reconnect failed: %r", exc)
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

    async def _lookup_by_client_id(self, symbol: Symbol, text: str) -> Order:
        """Find an order by its ``t-...`` id: open orders directly, finished ones through recent fills."""
        try:
            return await self._rest.get_order(symbol, text)
        except OrderNotFoundError:
            for execution in await self._rest.get_my_trades(symbol, limit=100):
                if execution.client_order_id == text:
                    return await self._rest.get_order(symbol, execution.order_id)
            raise

    def __repr__(self) -> str:
        return "GateioCompositePrivateSpotExchange(credentials=<hidden>)"
