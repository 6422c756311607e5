"""Gate.io spot public WebSocket: order book diffs, trades, book tickers (reference 9.2-9.4)."""

from __future__ import annotations

import logging

from app.config import ExchangeConfig
from app.domain.handlers import PublicWebsocketHandlers, require_public
from app.exchanges.gateio import constants as c
from app.exchanges.gateio.spot.schemas import WsBookTicker, WsOrderBookUpdate, WsTrade
from app.exchanges.gateio.ws_client import GateioWebsocketClient
from app.exchanges.gateio.ws_public_base import GateioPublicWebsocketBase
from app.transport.clock import ServerClock
from app.transport.session import HttpSessionManager


class GateioPublicSpotWebsocket(GateioPublicWebsocketBase):
    """Market-data stream. Handlers receive ``OrderBookDiff`` / ``Trade`` / ``BookTicker``.

    Subscriptions are stored and replayed after a reconnect; then the reconnect listeners run (so a
    composite marks its books stale and resyncs from a REST snapshot).
    """

    CH_BOOK = c.CH_ORDER_BOOK_UPDATE
    CH_TRADES = c.CH_TRADES
    CH_TICKER = c.CH_BOOK_TICKER
    BOOK_PAYLOAD = (c.ORDER_BOOK_INTERVAL,)  # spot.order_book_update ["BTC_USDT", "100ms"] (top 100 levels)

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
