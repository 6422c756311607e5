"""Gate.io spot public WebSocket: order book diffs, trades, book tickers (reference 9.2-9.4)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from app.config import ExchangeConfig
from app.domain.handlers import PublicWebsocketHandlers, require_public
from app.domain.symbol import Symbol
from app.exchanges.gateio import constants as c
from app.exchanges.gateio.spot.schemas import WsBookTicker, WsOrderBookUpdate, WsTrade, native_symbol
from app.exchanges.gateio.ws_client import GateioWebsocketClient, ReconnectListener, Unit
from app.transport.clock import ServerClock
from app.transport.session import HttpSessionManager
from app.transport.websocket import ReconnectingWebSocket


class GateioPublicSpotWebsocket:
    """Market-data stream. Handlers receive ``OrderBookDiff`` / ``Trade`` / ``BookTicker``.

    Subscriptions are stored and replayed after a reconnect; then the reconnect listeners run (so a
    composite marks its books stale and resyncs from a REST snapshot).
    """

    def __init__(
        self,
        config: ExchangeConfig,
        sessions: HttpSessionManager,
        handlers: PublicWebsocketHandlers,
        logger: logging.Logger | None = None,
        *,
        clock: ServerClock | None = None,
    ) -> None:
        self.handlers = require_public(handlers)
        self.client = GateioWebsocketClient(
            config,
            sessions,
            url=config.ws_url,
            name="gateio-spot-public",
            ping_channel=c.SPOT_PING,
            clock=clock,
            logger=logger or logging.getLogger("app.exchanges.gateio.spot.ws_public"),
            per_unit_channels=frozenset({c.CH_ORDER_BOOK_UPDATE}),
        )
        self._register()

    def _register(self) -> None:
        client = self.client
        deliver_diff = client.deliverer(self.handlers.orderbook_handler, "orderbook")
        deliver_trade = client.deliverer(self.handlers.trades_handler, "trades")
        deliver_ticker = client.deliverer(self.handlers.book_ticker_handler, "book_ticker")
        if deliver_diff is not None:

            def on_diff(update: WsOrderBookUpdate) -> None:
                deliver_diff(update.to_domain())

            client.register_typed_channel(c.CH_ORDER_BOOK_UPDATE, WsOrderBookUpdate, on_diff)
        if deliver_trade is not None:

            def on_trade(trade: WsTrade) -> None:
                deliver_trade(trade.to_domain())

            client.register_typed_channel(c.CH_TRADES, WsTrade, on_trade)
        if deliver_ticker is not None:

            def on_ticker(wire: WsBookTicker) -> None:
                ticker = wire.to_domain()
                if ticker is not None:
                    deliver_ticker(ticker)

            client.register_typed_channel(c.CH_BOOK_TICKER, WsBookTicker, on_ticker)

    @property
    def ws(self) -> ReconnectingWebSocket:
        """The underlying :class:`ReconnectingWebSocket` (counters: reconnect_count, messages, ...)."""
        return self.client.ws

    async def start(self) -> None:
        await self.client.start()

    async def close(self) -> None:
        await self.client.close()

    async def subscribe_orderbook(self, symbols: Sequence[Symbol]) -> None:
        """``spot.order_book_update`` at ``100ms`` (top 100 levels), one request per pair."""
        await self.client.subscribe(c.CH_ORDER_BOOK_UPDATE, _units(c.CH_ORDER_BOOK_UPDATE, symbols))

    async def subscribe_trades(self, symbols: Sequence[Symbol]) -> None:
        """``spot.trades`` (taker side)."""
        await self.client.subscribe(c.CH_TRADES, _units(c.CH_TRADES, symbols))

    async def subscribe_book_ticker(self, symbols: Sequence[Symbol]) -> None:
        """``spot.book_ticker`` (best bid/ask with the book's update id)."""
        await self.client.subscribe(c.CH_BOOK_TICKER, _units(c.CH_BOOK_TICKER, symbols))

    async def unsubscribe(self, channel: str, symbols: Sequence[Symbol]) -> None:
        """Stop one channel for these pairs (also removed from the replay list)."""
        await self.client.unsubscribe(channel, _units(channel, symbols))

    def add_reconnect_listener(self, callback: ReconnectListener) -> None:
        self.client.add_reconnect_listener(callback)

    def __repr__(self) -> str:
        return f"GateioPublicSpotWebsocket({self.client.ws.url})"


def _units(channel: str, symbols: Sequence[Symbol]) -> list[Unit]:
    if channel == c.CH_ORDER_BOOK_UPDATE:
        return [(native_symbol(s), c.ORDER_BOOK_INTERVAL) for s in symbols]
    return [(native_symbol(s),) for s in symbols]
