"""Gate.io spot private WebSocket: orders, balances, fills (reference 9.7-9.9), WS-authenticated."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import msgspec

from app.config import ExchangeConfig
from app.domain.handlers import PrivateWebsocketHandlers, require_private
from app.domain.symbol import Symbol
from app.exchanges.gateio import constants as c
from app.exchanges.gateio.signer import GateioRequestSigner
from app.exchanges.gateio.spot.schemas import (
    native_symbol,
    ws_balances_decoder,
    ws_orders_decoder,
    ws_user_trades_decoder,
)
from app.exchanges.gateio.ws_client import GateioWebsocketClient, ReconnectListener, Unit
from app.transport.clock import ServerClock
from app.transport.session import HttpSessionManager
from app.transport.websocket import ReconnectingWebSocket


class GateioPrivateSpotWebsocket:
    """Account stream. Handlers receive ``Order``, ``Balance`` (one call per asset) and ``Execution``.

    Every request carries the WS auth block (``SIGN`` over ``channel=..&event=..&time=..``). Construction
    without credentials raises ``CredentialsRequiredError``; public handlers raise ``HandlerTypeError``.
    """

    def __init__(
        self,
        config: ExchangeConfig,
        sessions: HttpSessionManager,
        handlers: PrivateWebsocketHandlers,
        logger: logging.Logger | None = None,
        *,
        clock: ServerClock | None = None,
    ) -> None:
        self.handlers = require_private(handlers)
        credentials = config.require_credentials()
        self.client = GateioWebsocketClient(
            config,
            sessions,
            url=config.private_ws,
            name="gateio-spot-private",
            ping_channel=c.SPOT_PING,
            signer=GateioRequestSigner(credentials),
            clock=clock,
            logger=logger or logging.getLogger("app.exchanges.gateio.spot.ws_private"),
        )
        self._register()

    def _register(self) -> None:
        client = self.client
        self._route(c.CH_ORDERS, ws_orders_decoder, client.deliverer(self.handlers.order_handler, "orders"))
        self._route(c.CH_BALANCES, ws_balances_decoder, client.deliverer(self.handlers.balance_handler, "balances"))
        self._route(
            c.CH_USERTRADES,
            ws_user_trades_decoder,
            client.deliverer(self.handlers.execution_handler, "executions"),
        )

    def _route(self, channel: str, decoder: msgspec.json.Decoder[Any], deliver: Callable[[Any], Any] | None) -> None:
        if deliver is None:
            return
        decode = decoder.decode

        def on_result(raw: msgspec.Raw) -> None:
            for item in decode(raw):
                deliver(item.to_domain())

        self.client.register_channel(channel, on_result)

    @property
    def ws(self) -> ReconnectingWebSocket:
        """The underlying :class:`ReconnectingWebSocket` (counters: reconnect_count, messages, ...)."""
        return self.client.ws

    async def start(self) -> None:
        await self.client.start()

    async def close(self) -> None:
        await self.client.close()

    async def subscribe_orders(self, symbols: Sequence[Symbol] | None = None) -> None:
        """``spot.orders`` for these pairs, or all pairs (``!all``) when ``symbols`` is None."""
        await self.client.subscribe(c.CH_ORDERS, _pair_units(symbols))

    async def subscribe_balances(self) -> None:
        """``spot.balances`` (no payload)."""
        await self.client.subscribe(c.CH_BALANCES, [()])

    async def subscribe_executions(self, symbols: Sequence[Symbol] | None = None) -> None:
        """``spot.usertrades`` (our fills, maker and taker) for these pairs or all (``!all``)."""
        await self.client.subscribe(c.CH_USERTRADES, _pair_units(symbols))

    async def unsubscribe(self, channel: str, symbols: Sequence[Symbol] | None = None) -> None:
        """Stop one channel (``spot.balances`` ignores ``symbols``)."""
        units = [()] if channel == c.CH_BALANCES else _pair_units(symbols)
        await self.client.unsubscribe(channel, units)

    def add_reconnect_listener(self, callback: ReconnectListener) -> None:
        self.client.add_reconnect_listener(callback)

    def __repr__(self) -> str:
        return f"GateioPrivateSpotWebsocket({self.client.ws.url}, credentials=<hidden>)"


def _pair_units(symbols: Sequence[Symbol] | None) -> list[Unit]:
    if symbols is None:
        return [(c.ALL_PAIRS,)]
    return [(native_symbol(s),) for s in symbols]
