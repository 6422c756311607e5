"""MEXC spot private composite: validated order entry with unknown-outcome resolution by client order id, and
open orders, balances and fills kept current from the listenKey stream (orders / deals / account pushes).

The machinery is the shared :class:`~app.composite.private_base.TrackedPrivateExchange`; MEXC's own parts
are the client-id lookup (``origClientOrderId``), order ids and client ids that look alike, the fee of an
order summed from its fills, and the follow-up query of an order that cannot rest. Never touches public
streams. Symbol rules come from an injected ``symbol_info_loader`` (the container passes the public REST
client's ``get_exchange_info``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from app.composite.orders import ValidatedOrder
from app.composite.private_base import SymbolInfoLoader, TrackedPrivateExchange
from app.config import ExchangeConfig
from app.domain.enums import ExchangeEnum, OrderType, TimeInForce
from app.domain.handlers import PrivateWebsocketHandlers
from app.domain.models import Execution, Order
from app.domain.symbol import Symbol, SymbolLike
from app.errors import CexArbError, OrderNotFoundError
from app.exchanges.mexc.client_order_id import MEXC_CLIENT_ORDER_IDS
from app.exchanges.mexc.spot.rest_private import MexcPrivateSpotRest
from app.exchanges.mexc.spot.ws_private import MexcPrivateSpotWebsocket

__all__ = ["MAX_FEE_ORDERS", "MexcCompositePrivateSpotExchange", "PrivateWsFactory", "SymbolInfoLoader"]

PrivateWsFactory = Callable[..., MexcPrivateSpotWebsocket]
"""Called as ``ws_factory(handlers=PrivateWebsocketHandlers)`` (the container's Factory provider)."""
MAX_FEE_ORDERS = 5000  # orders whose fills' fees are remembered (oldest forgotten first)


class MexcCompositePrivateSpotExchange(TrackedPrivateExchange[MexcPrivateSpotRest, MexcPrivateSpotWebsocket]):
    """Trading on MEXC spot (same interface as the Gate.io one).

    ``create_order`` validates against the symbol's rules before any network call, generates a client order
    id when none is given, sends once, and when the request ends in a timeout / network error / 5xx looks
    the order up by client order id (stream cache, then ``GET /api/v3/order?origClientOrderId=``); it never
    re-sends. MEXC's place-order answer has no status: a resting order is returned ``NEW`` (the stream
    updates it), an order that cannot rest (market, IOC, FOK) is looked up once so its fills are known.
    """

    exchange = ExchangeEnum.MEXC
    client_order_id_rule = MEXC_CLIENT_ORDER_IDS

    def __init__(
        self,
        config: ExchangeConfig,
        rest: MexcPrivateSpotRest,
        ws_factory: PrivateWsFactory,
        symbol_info_loader: SymbolInfoLoader,
        logger: logging.Logger | None = None,
        **options: Any,
    ) -> None:
        """``options``: the order-entry settings of :class:`~app.composite.private_base.TrackedPrivateExchange`."""
        super().__init__(config, rest, ws_factory, symbol_info_loader, logger, **options)
        self._fees: dict[str, dict[str, tuple[Decimal, str | None]]] = {}  # order id -> trade id -> fee

    @property
    def websocket(self) -> MexcPrivateSpotWebsocket | None:
        """The listenKey stream (``listen_key`` counters, ``client.shards``)."""
        return self._ws

    # --- venue hooks ---------------------------------------------------------------------------------
    def _create_stream(self, handlers: PrivateWebsocketHandlers) -> MexcPrivateSpotWebsocket:
        """The listenKey stream, given the symbol rules its pushes are parsed with."""
        ws = super()._create_stream(handlers)
        ws.set_symbol_info(self._infos)
        return ws

    async def _send_order(self, symbol: Symbol, request: ValidatedOrder, client_order_id: str) -> Order:
        """A market order is sent without the reference price (MEXC would take it as a limit)."""
        if request.order_type is not OrderType.LIMIT:
            request = replace(request, price=None)
        return await super()._send_order(symbol, request, client_order_id)

    async def _settle_placed(self, symbol: Symbol, request: ValidatedOrder, order: Order) -> Order:
        """An ack without status for an order that cannot rest: query it once so its fills are known."""
        if order.is_open and not _can_rest(request.order_type, request.time_in_force):
            with contextlib.suppress(CexArbError):  # the ack stands; the stream will finish the order
                order = self._record(await self._rest.get_order(symbol, order.order_id))
        return order

    async def _lookup_by_client_id(self, symbol: Symbol, client_order_id: str) -> Order:
        return await self._rest.get_order_by_client_id(symbol, client_order_id)

    def _record(self, order: Order) -> Order:
        """Track ``order`` with its fee summed from the fills seen on the stream."""
        fees = self._fees.get(order.order_id)
        if fees:
            total = sum((fee for fee, _ in fees.values()), Decimal(0))
            asset = next((asset for _, asset in fees.values() if asset), order.fee_asset)
            order = replace(order, fee=total, fee_asset=asset)
        return self._tracker.on_order(order)

    # --- trading -----------------------------------------------------------------------------------
    async def cancel_order(self, symbol: SymbolLike, order_id: str) -> Order:
        """Cancel by MEXC order id, or by client order id (told apart through the tracker, else by lookup)."""
        resolved = self.resolve(symbol)
        if self._is_client_id(order_id):
            return self._record(await self._rest.cancel_order_by_client_id(resolved, order_id))
        return self._record(await self._rest.cancel_order(resolved, order_id))

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

    # --- stream handlers ---------------------------------------------------------------------------
    def _on_execution(self, execution: Execution) -> None:
        """MEXC orders carry no fee: remember the fill's fee and re-emit its order with the summed fee."""
        self._tracker.on_execution(execution)
        fees = self._fees
        fees.setdefault(execution.order_id, {})[execution.trade_id] = (execution.fee, execution.fee_asset)
        if len(fees) > MAX_FEE_ORDERS:
            del fees[next(iter(fees))]
        known = self._tracker.get(execution.order_id)
        if known is not None:
            self._on_order(known)
        if self._execution_callbacks:
            self._execution_callbacks.emit(execution)

    # --- internals ---------------------------------------------------------------------------------
    def _is_client_id(self, value: str) -> bool:
        return self._tracker.get(value) is None and self._tracker.find_by_client_id(value) is not None


def _can_rest(order_type: OrderType, time_in_force: TimeInForce) -> bool:
    return order_type is OrderType.LIMIT and time_in_force in (TimeInForce.GTC, TimeInForce.POST_ONLY)
