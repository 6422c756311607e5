"""Gate.io USDT perpetual private composite: the shared order entry (validation, client ids, unknown-outcome
lookup, never re-sent) and order / fill tracking, plus positions, leverage, position mode and the margin
account.

Positions are kept current from ``futures.positions`` after a REST snapshot; the margin account is
re-read (coalesced) after every ``futures.balances`` movement, since that stream only carries the total.
The position mode (single or dual) is read from the account, never assumed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from app.composite.callbacks import CallbackSet
from app.composite.coalesce import CoalescedRefresh
from app.composite.interfaces import DecimalLike
from app.composite.private_base import SymbolInfoLoader, TrackedPrivateExchange
from app.config import ExchangeConfig
from app.domain.enums import ExchangeEnum, OrderType, PositionMode, PositionSide, Side, TimeInForce
from app.domain.futures import MarginAccount, MarginBalanceChange
from app.domain.handlers import PrivateWebsocketHandlers, create_private_handlers
from app.domain.models import ZERO, Balance, Order, Position, SymbolInfo
from app.domain.symbol import Symbol, SymbolLike
from app.errors import InvalidOrderParamsError, UnknownSymbolError
from app.exchanges.gateio.futures.rest_private import GateioPrivateFuturesRest
from app.exchanges.gateio.futures.ws_private import GateioPrivateFuturesWebsocket
from app.exchanges.gateio.spot.composite_private import GATEIO_CLIENT_ORDER_IDS

FuturesPrivateWsFactory = Callable[..., GateioPrivateFuturesWebsocket]
"""Called as ``ws_factory(handlers=PrivateWebsocketHandlers)`` (the container's Factory provider)."""
PositionKey = tuple[Symbol, str]  # (symbol, venue mode: single / dual_long / dual_short)


class GateioFuturesCompositePrivateExchange(
    TrackedPrivateExchange[GateioPrivateFuturesRest, GateioPrivateFuturesWebsocket]
):
    """Trading USDT perpetuals. Quantities are base units; a quantity that is not a whole number of
    contracts is refused (``InvalidQuantityError``) before anything is sent.

    Extras over spot: ``create_order(..., reduce_only=)``, :meth:`close_position`, :meth:`set_leverage`,
    :meth:`set_position_mode` / :attr:`position_mode`, :meth:`get_positions`, :meth:`subscribe_positions`,
    :meth:`get_account`. ``get_balances`` reports the settle asset (free = available margin).
    """

    exchange = ExchangeEnum.GATEIO_FUTURES
    client_order_id_rule = GATEIO_CLIENT_ORDER_IDS

    def __init__(
        self,
        config: ExchangeConfig,
        rest: GateioPrivateFuturesRest,
        ws_factory: FuturesPrivateWsFactory,
        symbol_info_loader: SymbolInfoLoader,
        logger: logging.Logger | None = None,
        **options: Any,
    ) -> None:
        """``options``: the order-entry settings of :class:`~app.composite.private_base.TrackedPrivateExchange`."""
        super().__init__(config, rest, ws_factory, symbol_info_loader, logger, **options)
        self._positions: dict[PositionKey, Position] = {}
        self._account: MarginAccount | None = None
        self._account_refresh = CoalescedRefresh(
            self._refresh_account,
            name="gateio-futures-account",
            description="gateio futures account refresh",
            logger=self._log,
        )
        self._position_callbacks: CallbackSet[Position] = CallbackSet("positions", logger=self._log)
        self._account_callbacks: CallbackSet[MarginAccount] = CallbackSet("account", logger=self._log)
        self._contract_rules: dict[Symbol, SymbolInfo] = {}

    # --- venue hooks ---------------------------------------------------------------------------------
    def _stream_handlers(self) -> PrivateWebsocketHandlers:
        return create_private_handlers(
            order_handler=self._on_order,
            balance_handler=self._on_margin_change,
            execution_handler=self._on_execution,
            position_handler=self._on_position,
        )

    def _create_stream(self, handlers: PrivateWebsocketHandlers) -> GateioPrivateFuturesWebsocket:
        """The private stream, converting contracts to base units with the REST client's sizes."""
        ws = super()._create_stream(handlers)
        ws.use_contract_sizes(self._rest.contract_sizes)
        return ws

    async def _subscribe_streams(self, ws: GateioPrivateFuturesWebsocket) -> None:
        await ws.subscribe_orders(self._symbols)
        await ws.subscribe_executions(self._symbols)
        await ws.subscribe_positions(self._symbols)
        await ws.subscribe_balances()

    def _order_rules(self, symbol: Symbol) -> SymbolInfo:
        rules = self._contract_rules.get(symbol)
        if rules is None:
            raise UnknownSymbolError(f"{symbol}: contract rules not loaded")
        return rules

    # --- lifecycle ---------------------------------------------------------------------------------
    async def reload_symbol_info(self) -> None:
        """(Re)load contract rules; order validation leaves the whole-contract check to the size conversion."""
        await super().reload_symbol_info()
        self._contract_rules = {symbol: replace(info, lot_size=ZERO) for symbol, info in self._infos.items()}

    async def close(self) -> None:
        """Close the private WebSocket and stop background tasks; idempotent."""
        if self._closed:
            return
        await super().close()  # marks closed first: no new account refresh starts after this
        await self._account_refresh.close()
        for callbacks in (self._position_callbacks, self._account_callbacks):
            await callbacks.close()

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
        *,
        reduce_only: bool = False,
    ) -> Order:
        """Validate, convert to contracts, place once; an unknown outcome is resolved by client id lookup."""
        resolved, request, text = self._prepare_order(
            symbol, side, quantity, price, order_type, time_in_force, client_order_id
        )
        rest = self._rest
        body = await rest.build_order_request(  # whole contracts checked here, before any network call
            resolved,
            request.side,
            request.quantity,
            request.price,
            request.order_type,
            request.time_in_force,
            text,
            reduce_only=reduce_only,
        )

        async def send() -> Order:
            return await rest.submit_order_request(resolved, body)

        return await self._place(resolved, text, send)

    async def close_position(self, symbol: SymbolLike, side: PositionSide | str | None = None) -> Order:
        """Close a whole position at market (``side`` long/short is required in dual mode)."""
        resolved = self.resolve(symbol)
        text = self._client_order_ids(None)
        dual_side: PositionSide | None = None
        if self.position_mode is PositionMode.DUAL:
            if side is None:
                raise InvalidOrderParamsError("dual mode: close_position needs side='long' or 'short'")
            dual_side = PositionSide(side)

        async def send() -> Order:
            return await self._rest.close_position(resolved, text, dual_side=dual_side)

        return await self._place(resolved, text, send)

    async def set_leverage(
        self, symbol: SymbolLike, leverage: DecimalLike, *, cross_leverage_limit: DecimalLike | None = None
    ) -> list[Position]:
        """Set a contract's leverage (``0`` = cross margin); returns the updated position(s)."""
        positions = await self._rest.set_leverage(
            self.resolve(symbol),
            Decimal(leverage),
            cross_leverage_limit=None if cross_leverage_limit is None else Decimal(cross_leverage_limit),
        )
        for position in positions:
            self._on_position(position)
        return positions

    async def set_position_mode(self, mode: PositionMode | str) -> MarginAccount:
        """Switch single / dual (hedge) mode; the venue refuses while positions or orders are open."""
        account = await self._rest.set_position_mode(PositionMode(mode))
        self._set_account(account)
        await self._poll_positions()
        return account

    # --- reads -------------------------------------------------------------------------------------
    @property
    def position_mode(self) -> PositionMode | None:
        """As the venue reports it (None before :meth:`initialize`)."""
        return None if self._account is None else self._account.position_mode

    async def get_account(self) -> MarginAccount:
        """The margin account (kept current; read from the venue when not loaded yet)."""
        if self._account is None:
            self._set_account(await self._rest.get_account())
        assert self._account is not None
        return self._account

    async def get_positions(self, symbol: SymbolLike | None = None) -> list[Position]:
        """Open (non-flat) positions from the stream-maintained cache."""
        resolved = None if symbol is None else self.resolve(symbol)
        return [
            position
            for (sym, _), position in self._positions.items()
            if position.contracts != 0 and (resolved is None or sym == resolved)
        ]

    def get_position(self, symbol: SymbolLike, side: PositionSide | str | None = None) -> Position | None:
        """The cached position of one contract (``side`` picks long/short in dual mode)."""
        resolved = self.resolve(symbol)
        mode = "single" if side is None else f"dual_{PositionSide(side).value}"
        return self._positions.get((resolved, mode))

    def subscribe_positions(self, callback: Callable[[Position], Any]) -> None:
        self._position_callbacks.add(callback)

    def subscribe_account(self, callback: Callable[[MarginAccount], Any]) -> None:
        self._account_callbacks.add(callback)

    # --- stream handlers ---------------------------------------------------------------------------
    def _on_position(self, position: Position) -> None:
        key = (position.symbol, position.extra.get("mode", "single"))
        previous = self._positions.get(key)
        if previous is not None and _update_id(previous) > _update_id(position):
            return  # an older report arriving late
        if previous is not None and position.mark_price is None:  # the stream omits mark / unrealized PnL
            position = replace(position, mark_price=previous.mark_price, unrealized_pnl=previous.unrealized_pnl)
        self._positions[key] = position
        if previous is not None:  # position margin moved
            self._schedule_account_refresh()
        if self._position_callbacks:
            self._position_callbacks.emit(position)

    def _on_order(self, order: Order) -> None:
        """Order events move order margin (no ``futures.balances`` row for that): re-read the account."""
        super()._on_order(order)
        self._schedule_account_refresh()

    def _on_margin_change(self, change: MarginBalanceChange) -> None:
        """The stream only carries the new total: re-read available / margins (coalesced)."""
        self._schedule_account_refresh()

    def _schedule_account_refresh(self) -> None:
        if not self._closed:
            self._account_refresh.trigger()

    async def _refresh_account(self) -> None:
        self._set_account(await self._rest.get_account())

    def _set_account(self, account: MarginAccount) -> None:
        self._account = account
        self._on_balance(self._account_balance(account))
        if self._account_callbacks:
            self._account_callbacks.emit(account)

    @staticmethod
    def _account_balance(account: MarginAccount) -> Balance:
        return Balance(account.asset, account.available, account.position_margin + account.order_margin)

    # --- snapshots ---------------------------------------------------------------------------------
    async def _poll_account(self) -> None:
        """Open orders (shared logic), then the margin account and every position."""
        await super()._poll_account()
        self._set_account(await self._rest.get_account())
        await self._poll_positions()

    async def _poll_positions(self) -> None:
        positions = await self._rest.get_positions()
        for position in positions:
            self._on_position(position)


def _update_id(position: Position) -> int:
    try:
        return int(position.extra.get("update_id", "0"))
    except ValueError:
        return 0
