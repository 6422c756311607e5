"""Gate.io USDT perpetual private WebSocket: orders, fills, positions, margin balance (reference 10.6).

Every private futures payload starts with the **user id** (``["<uid>", "BTC_USDT"]``, ``["<uid>", "!all"]``,
``futures.balances`` ``["<uid>"]``) and every request carries the WS auth block. The uid is the
credentials' ``uid`` or, when not configured, the ``user`` of ``GET /futures/usdt/accounts`` (read once).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import msgspec

from app.config import ExchangeConfig
from app.domain.handlers import PrivateWebsocketHandlers, require_private
from app.domain.symbol import Symbol
from app.exchanges.gateio import constants as c
from app.exchanges.gateio.futures.contract_sizes import ContractSizes
from app.exchanges.gateio.futures.rest_public import load_contract_sizes
from app.exchanges.gateio.futures.schemas import (
    account_decoder,
    native_symbol,
    symbol_from_native,
    ws_balances_decoder,
    ws_orders_decoder,
    ws_positions_decoder,
    ws_user_trades_decoder,
)
from app.exchanges.gateio.rest import make_gateio_transport
from app.exchanges.gateio.signer import GateioRequestSigner
from app.exchanges.gateio.ws_client import GateioWebsocketClient, ReconnectListener, Unit
from app.transport.clock import ServerClock
from app.transport.rate_limit import PRIVATE
from app.transport.session import HttpSessionManager
from app.transport.websocket import ReconnectingWebSocket

PER_CONTRACT_CHANNELS = frozenset({c.CH_FUTURES_ORDERS, c.CH_FUTURES_USERTRADES, c.CH_FUTURES_POSITIONS})


class GateioPrivateFuturesWebsocket:
    """Account stream of USDT perpetuals. Handlers receive ``Order``, ``Execution``, ``Position`` (base
    units) and :class:`~app.domain.futures.MarginBalanceChange` (balance handler).

    Construction without credentials raises ``CredentialsRequiredError``; public handlers raise
    ``HandlerTypeError``.
    """

    def __init__(
        self,
        config: ExchangeConfig,
        sessions: HttpSessionManager,
        handlers: PrivateWebsocketHandlers,
        logger: logging.Logger | None = None,
        *,
        clock: ServerClock | None = None,
        contract_sizes: ContractSizes | None = None,
    ) -> None:
        self.handlers = require_private(handlers)
        credentials = config.require_credentials()
        self.config = config
        self._sessions = sessions
        self._signer = GateioRequestSigner(credentials)
        self._uid: str | None = credentials.uid
        self.contract_sizes = contract_sizes if contract_sizes is not None else ContractSizes()
        self.client = GateioWebsocketClient(
            config,
            sessions,
            url=config.private_ws,
            name="gateio-futures-private",
            ping_channel=c.FUTURES_PING,
            signer=self._signer,
            clock=clock,
            logger=logger or logging.getLogger("app.exchanges.gateio.futures.ws_private"),
            per_unit_channels=PER_CONTRACT_CHANNELS,
            exchange_name=c.FUTURES_EXCHANGE_NAME,
        )
        self._register()

    def use_contract_sizes(self, sizes: ContractSizes) -> None:
        """Convert with ``sizes`` (e.g. the REST client's, already loaded)."""
        self.contract_sizes = sizes

    def _register(self) -> None:
        deliverer = self.client.deliverer
        self._route(c.CH_FUTURES_ORDERS, ws_orders_decoder, deliverer(self.handlers.order_handler, "orders"))
        self._route(
            c.CH_FUTURES_USERTRADES, ws_user_trades_decoder, deliverer(self.handlers.execution_handler, "executions")
        )
        self._route(
            c.CH_FUTURES_POSITIONS, ws_positions_decoder, deliverer(self.handlers.position_handler, "positions")
        )
        deliver_balance = deliverer(self.handlers.balance_handler, "balances")
        if deliver_balance is not None:
            decode_balances = ws_balances_decoder.decode

            def on_balances(raw: msgspec.Raw) -> None:
                for row in decode_balances(raw):
                    deliver_balance(row.to_domain())

            self.client.register_channel(c.CH_FUTURES_BALANCES, on_balances)

    def _route(self, channel: str, decoder: msgspec.json.Decoder[Any], deliver: Callable[[Any], Any] | None) -> None:
        if deliver is None:
            return
        decode = decoder.decode

        def on_result(raw: msgspec.Raw) -> None:
            for item in decode(raw):
                deliver(item.to_domain(self._multiplier(item.contract)))

        self.client.register_channel(channel, on_result)

    def _multiplier(self, contract: str) -> Decimal:
        return self.contract_sizes.multiplier(symbol_from_native(contract))

    @property
    def ws(self) -> ReconnectingWebSocket:
        """The underlying :class:`ReconnectingWebSocket` (counters: reconnect_count, messages, ...)."""
        return self.client.ws

    async def user_id(self) -> str:
        """The uid the payloads start with (configured, or read once from the futures account)."""
        if self._uid is None:
            transport = make_gateio_transport(
                self.config,
                self._sessions,
                signer=self._signer,
                clock=self.client.clock,
                exchange_name=c.FUTURES_EXCHANGE_NAME,
            )
            try:
                response = await transport.request("GET", c.FUTURES_ACCOUNTS, signed=True, bucket=PRIVATE)
            finally:
                await transport.close()
            self._uid = str(account_decoder.decode(response.body).user)
        return self._uid

    async def start(self) -> None:
        """Load contract sizes and the uid if needed, then connect."""
        if not self.contract_sizes.loaded:
            await load_contract_sizes(self.config, self._sessions, self.contract_sizes)
        await self.user_id()
        await self.client.start()

    async def close(self) -> None:
        await self.client.close()

    async def subscribe_orders(self, symbols: Sequence[Symbol] | None = None) -> None:
        """``futures.orders`` for these contracts, or all (``!all``) when ``symbols`` is None."""
        await self.client.subscribe(c.CH_FUTURES_ORDERS, await self._units(symbols))

    async def subscribe_executions(self, symbols: Sequence[Symbol] | None = None) -> None:
        """``futures.usertrades`` (our fills, maker and taker)."""
        await self.client.subscribe(c.CH_FUTURES_USERTRADES, await self._units(symbols))

    async def subscribe_positions(self, symbols: Sequence[Symbol] | None = None) -> None:
        """``futures.positions`` (every change of size, entry, margin, realized PnL)."""
        await self.client.subscribe(c.CH_FUTURES_POSITIONS, await self._units(symbols))

    async def subscribe_balances(self) -> None:
        """``futures.balances`` (every ledger movement: fee, pnl, fund, dnw)."""
        await self.client.subscribe(c.CH_FUTURES_BALANCES, [(await self.user_id(),)])

    async def unsubscribe(self, channel: str, symbols: Sequence[Symbol] | None = None) -> None:
        """Stop one channel (``futures.balances`` ignores ``symbols``)."""
        units = [(await self.user_id(),)] if channel == c.CH_FUTURES_BALANCES else await self._units(symbols)
        await self.client.unsubscribe(channel, units)

    def add_reconnect_listener(self, callback: ReconnectListener) -> None:
        self.client.add_reconnect_listener(callback)

    async def _units(self, symbols: Sequence[Symbol] | None) -> list[Unit]:
        uid = await self.user_id()
        if symbols is None:
            return [(uid, c.ALL_PAIRS)]
        return [(uid, native_symbol(s)) for s in symbols]

    def __repr__(self) -> str:
        return f"GateioPrivateFuturesWebsocket({self.client.ws.url}, credentials=<hidden>)"
