"""MEXC spot public composite: local order books from ``aggre.depth`` versioned diffs + REST ``depth``
snapshots, book tickers from ``aggre.bookTicker``, trades from ``aggre.deals`` (stream) and ``/trades`` (REST).

The book recipe is MEXC's own (reference 9.8): buffer diffs, fetch ``depth`` (``lastUpdateId``), drop diffs
with ``toVersion <= lastUpdateId``, bridge with the diff where ``fromVersion <= lastUpdateId + 1 <=
toVersion``, then require ``fromVersion == previous toVersion + 1``; a gap marks the book stale and resyncs
(:class:`~app.composite.book.BookSynchronizer`). Holds no credentials; closes the WebSocket it created.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from app.composite.book import BookSynchronizer, LocalOrderBook
from app.composite.callbacks import CallbackSet
from app.composite.interfaces import CompositePublicExchange
from app.config import ExchangeConfig
from app.domain.enums import ExchangeEnum
from app.domain.handlers import create_public_handlers
from app.domain.models import BookTicker, OrderBook, OrderBookDiff, SymbolInfo, Trade
from app.domain.symbol import Symbol, SymbolLike, SymbolResolver
from app.errors import UnknownSymbolError
from app.exchanges.mexc.spot.rest_public import MexcPublicSpotRest
from app.exchanges.mexc.spot.ws_public import MexcPublicSpotWebsocket

PublicWsFactory = Callable[..., MexcPublicSpotWebsocket]
"""Called as ``ws_factory(handlers=PublicWebsocketHandlers)`` (the container's Factory provider)."""


class MexcCompositePublicSpotExchange(CompositePublicExchange):
    """Market data for the symbols given to :meth:`initialize` (same interface as the Gate.io one).

    Extras: ``wait_ready(timeout_s)``, ``book_synchronizer(symbol)`` (counters ``resyncs``/``gaps``/
    ``snapshots``), ``stream_connected``; a book is reported invalid while any stream connection is down.
    """

    exchange = ExchangeEnum.MEXC

    def __init__(
        self,
        config: ExchangeConfig,
        rest: MexcPublicSpotRest,
        ws_factory: PublicWsFactory,
        logger: logging.Logger | None = None,
        *,
        resync_attempts: int = 5,
        resync_backoff_s: float = 0.2,
        resync_backoff_max_s: float = 5.0,
    ) -> None:
        self.config = config
        self._rest = rest
        self._ws_factory = ws_factory
        self._log = logger or logging.getLogger("app.exchanges.mexc.spot.composite_public")
        self._resync_attempts = resync_attempts
        self._resync_backoff_s = resync_backoff_s
        self._resync_backoff_max_s = resync_backoff_max_s
        self._infos: dict[Symbol, SymbolInfo] = {}
        self._resolver = SymbolResolver(self.exchange.value)
        self._ws: MexcPublicSpotWebsocket | None = None
        self._books: dict[Symbol, BookSynchronizer] = {}
        self._tickers: dict[Symbol, BookTicker] = {}
        self._book_callbacks: CallbackSet[OrderBook] = CallbackSet("orderbook", logger=self._log)
        self._trade_callbacks: CallbackSet[Trade] = CallbackSet("trades", logger=self._log)
        self._ticker_callbacks: CallbackSet[BookTicker] = CallbackSet("book_ticker", logger=self._log)
        self._closed = False

    # --- lifecycle ---------------------------------------------------------------------------------
    async def initialize(self, symbols: Sequence[SymbolLike]) -> None:
        """Load exchangeInfo, subscribe depth, deals and book tickers for ``symbols``, start the book syncs."""
        if self._ws is not None:
            raise RuntimeError("initialize() was already called")
        await self._load_symbol_info()
        wanted = list(dict.fromkeys(self.resolve(symbol) for symbol in symbols))  # validated before any stream
        handlers = create_public_handlers(
            orderbook_diff_handler=self._on_diff,
            trades_handler=self._on_trade,
            book_ticker_handler=self._on_book_ticker,
        )
        self._ws = self._ws_factory(handlers=handlers)
        self._ws.add_reconnect_listener(self._on_reconnect)
        for symbol in wanted:
            self._books[symbol] = BookSynchronizer(
                self.exchange,
                symbol,
                self._fetch_snapshot,
                depth=self.config.book_depth,
                on_update=self._on_book_update,
                max_attempts=self._resync_attempts,
                backoff_base_s=self._resync_backoff_s,
                backoff_max_s=self._resync_backoff_max_s,
                logger=self._log,
            )
        await self._ws.start()
        if wanted:
            await self._ws.subscribe_orderbook(wanted)  # diffs are buffered from here on
            await self._ws.subscribe_trades(wanted)
            await self._ws.subscribe_book_ticker(wanted)
        for synchronizer in self._books.values():
            synchronizer.start()

    async def wait_ready(self, timeout_s: float = 10.0) -> bool:
        """Wait until every book is synced (valid); False on timeout."""
        if not self._books:
            return True
        results = await asyncio.gather(*(sync.wait_live(timeout_s) for sync in self._books.values()))
        return all(results)

    async def close(self) -> None:
        """Close the WebSocket, stop the book syncs and callback dispatchers; idempotent."""
        if self._closed:
            return
        self._closed = True
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close()
        for synchronizer in self._books.values():
            await synchronizer.close()
        for callbacks in (self._book_callbacks, self._trade_callbacks, self._ticker_callbacks):
            await callbacks.close()

    # --- symbols -----------------------------------------------------------------------------------
    @property
    def symbol_info(self) -> dict[Symbol, SymbolInfo]:
        return self._infos

    def resolve(self, symbol: SymbolLike) -> Symbol:
        return self._resolver.resolve(symbol)

    @property
    def symbols(self) -> list[Symbol]:
        """The symbols whose books and streams this composite maintains."""
        return list(self._books)

    # --- market data -------------------------------------------------------------------------------
    def get_orderbook(self, symbol: SymbolLike, depth: int | None = None) -> OrderBook:
        """The local book; also reported invalid while the stream is disconnected (before the resync)."""
        view = self._synchronizer(symbol).book.view(depth)
        if view.is_valid and not self.stream_connected:
            return replace(view, is_valid=False)
        return view

    @property
    def stream_connected(self) -> bool:
        ws = self._ws
        return ws is not None and ws.connected

    def get_book_ticker(self, symbol: SymbolLike) -> BookTicker | None:
        return self._tickers.get(self.resolve(symbol))

    async def get_trades(self, symbol: SymbolLike, limit: int = 100) -> list[Trade]:
        return await self._rest.get_trades(self.resolve(symbol), limit)

    def book_synchronizer(self, symbol: SymbolLike) -> BookSynchronizer:
        """The synchronizer of one symbol (counters ``resyncs``/``gaps``, state) for monitoring."""
        return self._synchronizer(symbol)

    @property
    def websocket(self) -> MexcPublicSpotWebsocket | None:
        """The stream client (its ``client.shards`` show the connections)."""
        return self._ws

    # --- callbacks ---------------------------------------------------------------------------------
    def subscribe_orderbook(self, callback: Callable[[OrderBook], Any]) -> None:
        self._book_callbacks.add(callback)

    def subscribe_trades(self, callback: Callable[[Trade], Any]) -> None:
        self._trade_callbacks.add(callback)

    def subscribe_book_ticker(self, callback: Callable[[BookTicker], Any]) -> None:
        self._ticker_callbacks.add(callback)

    # --- stream handlers (hot path) ------------------------------------------------------------------
    def _on_diff(self, diff: OrderBookDiff) -> None:
        synchronizer = self._books.get(diff.symbol)
        if synchronizer is not None:
            synchronizer.on_diff(diff)

    def _on_book_update(self, book: LocalOrderBook) -> None:
        if self._book_callbacks:
            self._book_callbacks.emit(book.view(self.config.book_depth))

    def _on_trade(self, trade: Trade) -> None:
        if self._trade_callbacks:
            self._trade_callbacks.emit(trade)

    def _on_book_ticker(self, ticker: BookTicker) -> None:
        self._tickers[ticker.symbol] = ticker
        if self._ticker_callbacks:
            self._ticker_callbacks.emit(ticker)

    def _on_reconnect(self) -> None:
        self._log.info("mexc public stream reconnected: resyncing %d order books", len(self._books))
        for synchronizer in self._books.values():
            synchronizer.on_reconnect()

    # --- internals -----------------------------------------------------------------------------------
    async def _load_symbol_info(self) -> None:
        self._infos = await self._rest.get_exchange_info()
        self._resolver = SymbolResolver(self.exchange.value, ((s, info.native) for s, info in self._infos.items()))

    async def _fetch_snapshot(self, symbol: Symbol) -> OrderBook:
        return await self._rest.get_orderbook(symbol, limit=self.config.book_depth)

    def _synchronizer(self, symbol: SymbolLike) -> BookSynchronizer:
        resolved = self.resolve(symbol)
        synchronizer = self._books.get(resolved)
        if synchronizer is None:
            raise UnknownSymbolError(f"{resolved} is not subscribed on mexc; pass it to initialize()")
        return synchronizer

    def __repr__(self) -> str:
        return f"MexcCompositePublicSpotExchange(symbols={[str(s) for s in self._books]})"
