"""MEXC spot public WebSocket: versioned depth diffs, partial depth, deals, book tickers (protobuf pushes)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from app.config import ExchangeConfig
from app.domain.handlers import PublicWebsocketHandlers, require_public
from app.domain.symbol import Symbol
from app.errors import ValidationError
from app.exchanges.mexc import constants as c
from app.exchanges.mexc import ws_protocol as proto
from app.exchanges.mexc.proto.mexc_push_pb2 import PushDataV3ApiWrapper
from app.exchanges.mexc.spot import push
from app.exchanges.mexc.symbols import MexcSymbolTable
from app.exchanges.mexc.ws_client import MexcWebsocketClient, ReconnectListener, Shard
from app.transport.clock import ServerClock
from app.transport.session import HttpSessionManager
from app.transport.websocket import ReconnectingWebSocket


class MexcPublicSpotWebsocket:
    """Market-data stream. Handlers receive ``OrderBookDiff`` / ``Trade`` / ``BookTicker``.

    ``aggre.depth`` diffs carry ``fromVersion``/``toVersion`` as ``first_update_id``/``last_update_id`` (the
    composite checks continuity against REST ``lastUpdateId``); ``limit.depth`` pushes arrive as
    ``is_snapshot=True`` diffs. Channels are spread over connections, 30 per connection; they are replayed
    after a reconnect, then the reconnect listeners run.
    """

    def __init__(
        self,
        config: ExchangeConfig,
        sessions: HttpSessionManager,
        handlers: PublicWebsocketHandlers,
        logger: logging.Logger | None = None,
        *,
        clock: ServerClock | None = None,
        interval: str = "100ms",
        max_subscriptions: int = c.WS_MAX_SUBSCRIPTIONS,
        max_connection_age_s: float = c.WS_RECONNECT_BEFORE_S,
    ) -> None:
        if interval not in c.STREAM_INTERVALS:
            raise ValidationError(f"MEXC stream interval must be one of {c.STREAM_INTERVALS}, got {interval!r}")
        self.handlers = require_public(handlers)
        self.interval = interval
        self.clock = clock
        self.symbols = MexcSymbolTable()
        self.unknown_symbols = 0
        self.client = MexcWebsocketClient(
            config,
            sessions,
            url=config.ws_url,
            name="mexc-spot-public",
            logger=logger or logging.getLogger("app.exchanges.mexc.spot.ws_public"),
            max_subscriptions=max_subscriptions,
            max_connection_age_s=max_connection_age_s,
        )
        self._register()

    def _register(self) -> None:
        client = self.client
        deliver_diff = client.deliverer(self.handlers.orderbook_handler, "orderbook")
        deliver_trade = client.deliverer(self.handlers.trades_handler, "trades")
        deliver_ticker = client.deliverer(self.handlers.book_ticker_handler, "book_ticker")
        if deliver_diff is not None:
            self._route("publicAggreDepths", push.aggre_depth, deliver_diff)
            self._route("publicLimitDepths", push.limit_depth, deliver_diff)
        if deliver_trade is not None:
            deliver = deliver_trade

            def deliver_trades(trades: list[Any]) -> None:
                for trade in trades:
                    deliver(trade)

            self._route("publicAggreDeals", push.aggre_deals, deliver_trades)
        if deliver_ticker is not None:
            self._route("publicAggreBookTicker", push.aggre_book_ticker, deliver_ticker)

    def _route(
        self,
        body_field: str,
        convert: Callable[[PushDataV3ApiWrapper, Symbol], Any],
        deliver: Callable[[Any], Any],
    ) -> None:
        lookup = self.symbols.get

        def on_push(wrapper: PushDataV3ApiWrapper) -> None:
            symbol = lookup(wrapper.symbol) or lookup(push.push_symbol(wrapper))
            if symbol is None:
                self.unknown_symbols += 1
                return
            deliver(convert(wrapper, symbol))

        self.client.register(body_field, on_push)

    @property
    def shards(self) -> list[Shard]:
        """The connections (``shard.ws`` is a :class:`ReconnectingWebSocket` with its counters) and their
        channels; there is no single ``ws`` since channels are spread over several connections."""
        return self.client.shards

    @property
    def connected(self) -> bool:
        return self.client.connected

    async def start(self) -> None:
        await self.client.start()

    async def close(self) -> None:
        await self.client.close()

    def _natives(self, symbols: Sequence[Symbol]) -> list[str]:
        return [self.symbols.add(symbol) for symbol in symbols]

    async def subscribe_orderbook(self, symbols: Sequence[Symbol]) -> None:
        """``spot@public.aggre.depth.v3.api.pb@<interval>@<SYMBOL>`` (versioned diffs)."""
        await self.client.subscribe([proto.aggre_depth_channel(n, self.interval) for n in self._natives(symbols)])

    async def subscribe_partial_depth(self, symbols: Sequence[Symbol], levels: int = 20) -> None:
        """``spot@public.limit.depth.v3.api.pb@<SYMBOL>@<5|10|20>`` (top-N snapshots with ``version``)."""
        if levels not in c.LIMIT_DEPTH_LEVELS:
            raise ValidationError(f"limit depth levels must be one of {c.LIMIT_DEPTH_LEVELS}, got {levels}")
        await self.client.subscribe([proto.limit_depth_channel(n, levels) for n in self._natives(symbols)])

    async def subscribe_trades(self, symbols: Sequence[Symbol]) -> None:
        """``spot@public.aggre.deals.v3.api.pb@<interval>@<SYMBOL>`` (taker side)."""
        await self.client.subscribe([proto.deals_channel(n, self.interval) for n in self._natives(symbols)])

    async def subscribe_book_ticker(self, symbols: Sequence[Symbol]) -> None:
        """``spot@public.aggre.bookTicker.v3.api.pb@<interval>@<SYMBOL>`` (best bid/ask)."""
        await self.client.subscribe([proto.book_ticker_channel(n, self.interval) for n in self._natives(symbols)])

    async def unsubscribe(self, channel: str, symbols: Sequence[Symbol]) -> None:
        """Stop one channel template (a ``constants.CH_*`` value) for these symbols."""
        names = [
            channel.format(interval=self.interval, symbol=native, levels=levels)
            for native in self._natives(symbols)
            for levels in (c.LIMIT_DEPTH_LEVELS if "{levels}" in channel else (0,))
        ]
        await self.client.unsubscribe(names)

    def add_reconnect_listener(self, callback: ReconnectListener) -> None:
        self.client.add_reconnect_listener(callback)

    def add_socket_listener(self, callback: Callable[[ReconnectingWebSocket], None]) -> None:
        """Called with each connection's socket when it opens (shards open as subscriptions grow)."""
        self.client.add_socket_listener(callback)

    def __repr__(self) -> str:
        return f"MexcPublicSpotWebsocket({self.client.url})"
