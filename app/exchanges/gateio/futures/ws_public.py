"""Gate.io USDT perpetual public WebSocket: book diffs, trades, book tickers (reference 10.2-10.4).

The connection, subscriptions with acks, replay after reconnect, ``futures.ping`` keep-alive and ordered
handler delivery are the shared :class:`~app.exchanges.gateio.ws_client.GateioWebsocketClient`; this
module only declares the futures channels and converts contract sizes to base units.
"""

from __future__ import annotations

import logging

from app.config import ExchangeConfig
from app.domain.handlers import PublicWebsocketHandlers, require_public
from app.exchanges.gateio import constants as c
from app.exchanges.gateio.futures.contract_sizes import ContractSizes
from app.exchanges.gateio.futures.rest_public import load_contract_sizes
from app.exchanges.gateio.futures.schemas import (
    FuturesTrade,
    WsFuturesBookTicker,
    WsFuturesOrderBookUpdate,
)
from app.exchanges.gateio.ws_client import GateioWebsocketClient
from app.exchanges.gateio.ws_public_base import GateioPublicWebsocketBase
from app.transport.clock import ServerClock
from app.transport.session import HttpSessionManager


class GateioPublicFuturesWebsocket(GateioPublicWebsocketBase):
    """Market-data stream of USDT perpetuals. Handlers receive ``OrderBookDiff`` / ``Trade`` / ``BookTicker``
    with quantities in base units.

    ``contract_sizes`` may be shared with a REST client; when it is empty at :meth:`start` the contract
    list is loaded once.
    """

    CH_BOOK = c.CH_FUTURES_ORDER_BOOK_UPDATE
    CH_TRADES = c.CH_FUTURES_TRADES
    CH_TICKER = c.CH_FUTURES_BOOK_TICKER
    BOOK_PAYLOAD = (c.ORDER_BOOK_INTERVAL, c.FUTURES_ORDER_BOOK_LEVEL)  # ["BTC_USDT", "100ms", "100"]

    def __init__(
        self,
        config: ExchangeConfig,
        sessions: HttpSessionManager,
        handlers: PublicWebsocketHandlers,
        logger: logging.Logger | None = None,
        *,
        clock: ServerClock | None = None,
        contract_sizes: ContractSizes | None = None,
    ) -> None:
        self.handlers = require_public(handlers)
        self.config = config
        self._sessions = sessions
        self.contract_sizes = contract_sizes if contract_sizes is not None else ContractSizes()
        self._contract_book_diffs = False
        self.client = GateioWebsocketClient(
            config,
            sessions,
            url=config.ws_url,
            name="gateio-futures-public",
            ping_channel=c.FUTURES_PING,
            clock=clock,
            logger=logger or logging.getLogger("app.exchanges.gateio.futures.ws_public"),
            per_unit_channels=frozenset({c.CH_FUTURES_ORDER_BOOK_UPDATE}),
            exchange_name=c.FUTURES_EXCHANGE_NAME,
        )
        self._register()

    def use_contract_sizes(self, sizes: ContractSizes) -> None:
        """Convert with ``sizes`` (e.g. the public REST client's, already loaded)."""
        self.contract_sizes = sizes
        self._register_book()

    def use_contract_book_diffs(self, enabled: bool = True) -> None:
        """Hand book diffs over with their levels as decoded, sizes in contracts and ``quantity_scale`` set
        (for a local book that converts on read; ``OrderBookDiff.quantity_scale``). Off by default: a
        handler that reads the quantities gets base units."""
        self._contract_book_diffs = enabled
        self._register_book()

    def _register(self) -> None:
        client = self.client
        self._deliver_diff = client.deliverer(self.handlers.orderbook_handler, "orderbook")
        deliver_trade = client.deliverer(self.handlers.trades_handler, "trades")
        deliver_ticker = client.deliverer(self.handlers.book_ticker_handler, "book_ticker")
        self._register_book()
        if deliver_trade is not None:

            def on_trades(trades: list[FuturesTrade]) -> None:
                for trade in trades:
                    deliver_trade(trade.to_domain(self.contract_sizes.route(trade.contract)[1]))

            client.register_typed_channel(c.CH_FUTURES_TRADES, list[FuturesTrade], on_trades)
        if deliver_ticker is not None:

            def on_ticker(wire: WsFuturesBookTicker) -> None:
                ticker = wire.to_domain(self.contract_sizes.route(wire.s)[1])
                if ticker is not None:
                    deliver_ticker(ticker)

            client.register_typed_channel(c.CH_FUTURES_BOOK_TICKER, WsFuturesBookTicker, on_ticker)

    def _register_book(self) -> None:
        """The book channel's per-frame function, bound to the current sizes and unit choice (set up again
        when either changes: no per-frame attribute reads or branches)."""
        deliver = self._deliver_diff
        if deliver is None:
            return
        route = self.contract_sizes.route  # "BTC_USDT" -> (symbol, multiplier) in one lookup
        if self._contract_book_diffs:

            def on_diff(update: WsFuturesOrderBookUpdate) -> None:
                symbol, multiplier = route(update.s)
                deliver(update.to_contract_diff(multiplier, symbol))

        else:

            def on_diff(update: WsFuturesOrderBookUpdate) -> None:
                symbol, multiplier = route(update.s)
                deliver(update.to_domain(multiplier, symbol))

        self.client.register_typed_channel(c.CH_FUTURES_ORDER_BOOK_UPDATE, WsFuturesOrderBookUpdate, on_diff)

    async def start(self) -> None:
        """Load contract sizes if needed, then connect."""
        if not self.contract_sizes.loaded:
            await load_contract_sizes(self.config, self._sessions, self.contract_sizes)
        await self.client.start()
