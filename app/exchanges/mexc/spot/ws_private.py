"""MEXC spot private WebSocket: orders, deals (fills) and account pushes over a listenKey connection."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from app.config import ExchangeConfig
from app.domain.handlers import PrivateWebsocketHandlers, require_private
from app.domain.models import SymbolInfo
from app.domain.symbol import Symbol
from app.exchanges.mexc import constants as c
from app.exchanges.mexc.proto.mexc_push_pb2 import PushDataV3ApiWrapper
from app.exchanges.mexc.spot import push
from app.exchanges.mexc.spot.listen_key import ListenKeyManager
from app.exchanges.mexc.spot.rest_private import MexcPrivateSpotRest
from app.exchanges.mexc.ws_client import MexcWebsocketClient, ReconnectListener
from app.transport.clock import ServerClock
from app.transport.session import HttpSessionManager
from app.transport.websocket import ReconnectingWebSocket


def listen_key_url(ws_url: str, listen_key: str) -> str:
    """``wss://wbs-api.mexc.com/ws?listenKey=<key>``."""
    return f"{ws_url}{'&' if '?' in ws_url else '?'}listenKey={listen_key}"


class MexcPrivateSpotWebsocket:
    """Account stream. Handlers receive ``Order``, ``Execution`` and ``Balance`` (one per account push).

    ``start()`` creates a listenKey (``POST /api/v3/userDataStream``) through the private REST client (the
    container's shared one, else its own), connects to ``ws_url?listenKey=<key>`` and keeps the key alive;
    an expired or rejected key is recreated and the connection reopened with it, then the subscriptions
    are replayed and the reconnect listeners run (the composite re-polls orders and balances).
    Pushes name symbols natively (``BTCUSDT``): they are resolved through the REST client's symbol table
    (filled by ``set_symbol_info``), never by slicing. Without credentials: ``CredentialsRequiredError``.
    """

    def __init__(
        self,
        config: ExchangeConfig,
        sessions: HttpSessionManager,
        handlers: PrivateWebsocketHandlers,
        logger: logging.Logger | None = None,
        *,
        clock: ServerClock | None = None,
        rest: MexcPrivateSpotRest | None = None,
        listen_key_keepalive_s: float = c.LISTEN_KEY_KEEPALIVE_S,
        max_connection_age_s: float = c.WS_RECONNECT_BEFORE_S,
    ) -> None:
        self.handlers = require_private(handlers)
        config.require_credentials()
        self.config = config
        self.logger = logger or logging.getLogger("app.exchanges.mexc.spot.ws_private")
        self._owns_rest = rest is None
        self.rest = rest if rest is not None else MexcPrivateSpotRest(config, sessions, clock=clock)
        self.symbols = self.rest.symbols
        self.unknown_symbols: dict[str, int] = {}
        self.client = MexcWebsocketClient(
            config,
            sessions,
            url=config.private_ws,
            name="mexc-spot-private",
            logger=self.logger,
            max_connection_age_s=max_connection_age_s,
        )
        self.listen_key = ListenKeyManager(
            self.rest, on_new_key=self._use_key, keepalive_interval_s=listen_key_keepalive_s, logger=self.logger
        )
        self.client.add_text_listener(self._on_text)
        self._register()

    def _register(self) -> None:
        client = self.client
        deliver_order = client.deliverer(self.handlers.order_handler, "orders")
        deliver_execution = client.deliverer(self.handlers.execution_handler, "executions")
        deliver_balance = client.deliverer(self.handlers.balance_handler, "balances")
        if deliver_order is not None:
            self._route("privateOrders", push.private_order, deliver_order)
        if deliver_execution is not None:
            self._route("privateDeals", push.private_deal, deliver_execution)
        if deliver_balance is not None:
            convert = push.private_account
            client.register("privateAccount", lambda wrapper: deliver_balance(convert(wrapper)))

    def _route(
        self,
        body_field: str,
        convert: Callable[[PushDataV3ApiWrapper, Symbol], Any],
        deliver: Callable[[Any], Any],
    ) -> None:
        lookup = self.symbols.get

        def on_push(wrapper: PushDataV3ApiWrapper) -> None:
            native = wrapper.symbol
            symbol = lookup(native)
            if symbol is None:
                seen = self.unknown_symbols.get(native, 0)
                self.unknown_symbols[native] = seen + 1
                if not seen:
                    self.logger.warning("mexc private push for unknown symbol %r dropped (load exchangeInfo)", native)
                return
            deliver(convert(wrapper, symbol))

        self.client.register(body_field, on_push)

    def set_symbol_info(self, infos: Mapping[Symbol, SymbolInfo]) -> None:
        """Learn native ids for the pushes (shared with the REST client's table)."""
        self.rest.set_symbol_info(infos)

    @property
    def ws(self) -> ReconnectingWebSocket:
        """The user-data connection (counters: reconnect_count, messages, ...); AttributeError before start."""
        shards = self.client.shards
        if not shards:
            raise AttributeError("the user-data connection is opened by start()")
        return shards[0].ws

    @property
    def connected(self) -> bool:
        return self.client.connected

    async def start(self) -> None:
        """Create the listenKey, connect with it, start its keep-alive."""
        key = await self.listen_key.start()
        self.client.set_url(listen_key_url(self.config.private_ws, key))
        await self.client.start()

    async def close(self) -> None:
        await self.client.close()
        await self.listen_key.close()
        if self._owns_rest:
            await self.rest.close()

    async def subscribe_orders(self, symbols: Sequence[Symbol] | None = None) -> None:
        """``spot@private.orders.v3.api.pb`` (every symbol: MEXC has no per-symbol private channels)."""
        await self.client.subscribe([c.CH_PRIVATE_ORDERS])

    async def subscribe_balances(self) -> None:
        """``spot@private.account.v3.api.pb``."""
        await self.client.subscribe([c.CH_PRIVATE_ACCOUNT])

    async def subscribe_executions(self, symbols: Sequence[Symbol] | None = None) -> None:
        """``spot@private.deals.v3.api.pb`` (our fills)."""
        await self.client.subscribe([c.CH_PRIVATE_DEALS])

    async def unsubscribe(self, channel: str, symbols: Sequence[Symbol] | None = None) -> None:
        await self.client.unsubscribe([channel])

    def add_reconnect_listener(self, callback: ReconnectListener) -> None:
        self.client.add_reconnect_listener(callback)

    def add_socket_listener(self, callback: Callable[[ReconnectingWebSocket], None]) -> None:
        """Called with each connection's socket when it opens (shards open as subscriptions grow)."""
        self.client.add_socket_listener(callback)

    # -- listenKey --------------------------------------------------------------------------------
    def _on_text(self, text: str) -> None:
        if c.INVALID_LISTEN_KEY.lower() in text.lower():
            self.listen_key.invalidate(text.strip()[:80])

    async def _use_key(self, key: str) -> None:
        self.client.set_url(listen_key_url(self.config.private_ws, key))
        await self.client.reconnect_all()

    def __repr__(self) -> str:
        return "MexcPrivateSpotWebsocket(credentials=<hidden>)"
