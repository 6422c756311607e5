"""The venue-independent public composite: local books kept from a diff stream + REST snapshots, book
tickers and trades from the stream, callbacks, reconnect -> stale + resync.

A venue subclass names its ``exchange`` and says how to tell whether its stream is connected
(:meth:`StreamingPublicExchange._stream_is_connected`); it may override the symbol-info load or the stream
creation (e.g. to share contract sizes). Holds no credentials and no private transport. The WebSocket is
created through ``ws_factory`` with this composite's own handlers and is closed by :meth:`close`; the REST
client and the HTTP session belong to the container.
"""

from __future__ import annotations

import asyncio
import logging
from abc import abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any, Generic, TypeVar

from app.composite.book import BookSynchronizer, SyncState
from app.composite.book_fanout import BookFanout
from app.composite.callbacks import CallbackSet
from app.composite.interfaces import CompositePublicExchange
from app.composite.symbols import SymbolRules
from app.composite.transports import MarketDataRest, MarketDataStream
from app.config import ExchangeConfig
from app.domain.handlers import PublicWebsocketHandlers, create_public_handlers
from app.domain.models import BookTicker, OrderBook, OrderBookDiff, Trade
from app.domain.symbol import Symbol, SymbolLike
from app.errors import UnknownSymbolError

RestT = TypeVar("RestT", bound=MarketDataRest)
StreamT = TypeVar("StreamT", bound=MarketDataStream)


class StreamingPublicExchange(SymbolRules, CompositePublicExchange, Generic[RestT, StreamT]):
    """Market data for the symbols given to :meth:`initialize`.

    One :class:`BookSynchronizer` per symbol, REST snapshot depth ``config.book_depth``; after a WS
    reconnect every book is marked stale at once and resynced. ``get_orderbook`` and ``get_book_ticker``
    are served from local state; a stale book (or any book while the stream is down) is returned with
    ``is_valid=False``. Extras: ``wait_ready(timeout_s)``, ``book_synchronizer(symbol)`` (counters
    ``resyncs``/``gaps``), ``symbols``, ``stream_connected``.
    """

    def __init__(
        self,
        config: ExchangeConfig,
        rest: RestT,
        ws_factory: Callable[..., StreamT],
        logger: logging.Logger | None = None,
        *,
        resync_attempts: int = 5,
        resync_backoff_s: float = 0.2,
        resync_backoff_max_s: float = 5.0,
    ) -> None:
        """``ws_factory`` is called as ``ws_factory(handlers=PublicWebsocketHandlers)`` (a container Factory)."""
        self.config = config
        self._rest = rest
        self._ws_factory = ws_factory
        self._log = logger or logging.getLogger(type(self).__module__)
        self._resync_attempts = resync_attempts
        self._resync_backoff_s = resync_backoff_s
        self._resync_backoff_max_s = resync_backoff_max_s
        self._set_symbol_info({})
        self._ws: StreamT | None = None
        self._books: dict[Symbol, BookSynchronizer] = {}
        self._tickers: dict[Symbol, BookTicker] = {}
        self._book_fanout = BookFanout(config.book_depth, logger=self._log)
        self._trade_callbacks: CallbackSet[Trade] = CallbackSet("trades", logger=self._log)
        self._ticker_callbacks: CallbackSet[BookTicker] = CallbackSet("book_ticker", logger=self._log)
        self._closed = False

    # --- venue hooks ---------------------------------------------------------------------------------
    @abstractmethod
    def _stream_is_connected(self, ws: StreamT) -> bool:
        """Whether every connection of the venue's stream client is up."""

    def _create_stream(self, handlers: PublicWebsocketHandlers) -> StreamT:
        """Build the stream client around this composite's handlers (override to configure it further)."""
        return self._ws_factory(handlers=handlers)

    async def _load_symbol_info(self) -> None:
        """Load the listed symbols' rules (override when the venue has a richer source)."""
        self._set_symbol_info(await self._rest.get_exchange_info())

    # --- lifecycle ---------------------------------------------------------------------------------
    async def initialize(self, symbols: Sequence[SymbolLike]) -> None:
        """Load the symbols, subscribe books, trades and tickers for ``symbols``, start the book syncs."""
        if self._ws is not None:
            raise RuntimeError("initialize() was already called")
        await self._load_symbol_info()
        wanted = list(dict.fromkeys(self.resolve(symbol) for symbol in symbols))  # validated before any stream
        handlers = create_public_handlers(
            orderbook_diff_handler=self._on_diff,
            trades_handler=self._on_trade,
            book_ticker_handler=self._on_book_ticker,
        )
        ws = self._ws = self._create_stream(handlers)
        ws.add_reconnect_listener(self._on_reconnect)
        for symbol in wanted:
            self._books[symbol] = BookSynchronizer(
                self.exchange,
                symbol,
                self._fetch_snapshot,
                depth=self.config.book_depth,
                on_update=self._book_fanout.on_update,
                max_attempts=self._resync_attempts,
                backoff_base_s=self._resync_backoff_s,
                backoff_max_s=self._resync_backoff_max_s,
                logger=self._log,
                quantity_scale=self._book_quantity_scale(symbol),
            )
        await ws.start()
        if wanted:
            await ws.subscribe_orderbook(wanted)  # diffs are buffered from here on
            await ws.subscribe_trades(wanted)
            await ws.subscribe_book_ticker(wanted)
        for synchronizer in self._books.values():
            synchronizer.start()

    async def wait_ready(self, timeout_s: float = 10.0) -> bool:
        """Wait until every book is synced and offered as valid (the stream ready too); False on timeout.

        Right after a reconnect the books are still live from before the drop while the stream replays its
        subscriptions; they are not offered as valid then, so this waits for the stream and the resync."""
        if not self._books:
            return True
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            left = max(0.0, deadline - loop.time())
            results = await asyncio.gather(*(sync.wait_live(left) for sync in self._books.values()))
            if not all(results):
                return False
            if self.stream_connected and all(sync.state is SyncState.LIVE for sync in self._books.values()):
                return True
            if loop.time() >= deadline:
                return False
            await asyncio.sleep(0.01)

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
        await self._book_fanout.close()
        for callbacks in (self._trade_callbacks, self._ticker_callbacks):
            await callbacks.close()

    # --- symbols -----------------------------------------------------------------------------------
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
        """The market-data stream exists and is connected."""
        ws = self._ws
        return ws is not None and self._stream_is_connected(ws)

    def get_book_ticker(self, symbol: SymbolLike) -> BookTicker | None:
        return self._tickers.get(self.resolve(symbol))

    async def get_trades(self, symbol: SymbolLike, limit: int = 100) -> list[Trade]:
        return await self._rest.get_trades(self.resolve(symbol), limit)

    def book_synchronizer(self, symbol: SymbolLike) -> BookSynchronizer:
        """The synchronizer of one symbol (counters ``resyncs``/``gaps``, state) for monitoring."""
        return self._synchronizer(symbol)

    # --- callbacks ---------------------------------------------------------------------------------
    def subscribe_orderbook(
        self, callback: Callable[[OrderBook], Any], depth: int | None = None, *, conflate: bool = False
    ) -> None:
        """Call ``callback`` with the book view (``depth`` levels per side, None: ``config.book_depth``).

        Subscribers of one depth share one view per book sequence. ``conflate=True``: at most one call per
        symbol per event-loop turn, with the latest view (see :mod:`app.composite.book_fanout`).
        """
        self._book_fanout.add(callback, depth, conflate=conflate)

    def subscribe_trades(self, callback: Callable[[Trade], Any]) -> None:
        self._trade_callbacks.add(callback)

    def subscribe_book_ticker(self, callback: Callable[[BookTicker], Any]) -> None:
        self._ticker_callbacks.add(callback)

    # --- stream handlers (hot path) ------------------------------------------------------------------
    def _on_diff(self, diff: OrderBookDiff) -> None:
        synchronizer = self._books.get(diff.symbol)
        if synchronizer is not None:
            synchronizer.on_diff(diff)

    def _on_trade(self, trade: Trade) -> None:
        if self._trade_callbacks:
            self._trade_callbacks.emit(trade)

    def _on_book_ticker(self, ticker: BookTicker) -> None:
        self._tickers[ticker.symbol] = ticker
        if self._ticker_callbacks:
            self._ticker_callbacks.emit(ticker)

    def _on_reconnect(self) -> None:
        self._log.info("%s public stream reconnected: resyncing %d order books", self.exchange.value, len(self._books))
        for synchronizer in self._books.values():
            synchronizer.on_reconnect()

    # --- internals -----------------------------------------------------------------------------------
    def _book_quantity_scale(self, symbol: Symbol) -> Decimal | None:
        """Base units per venue unit when this venue's stream hands its book diffs in venue units (see
        ``OrderBookDiff.quantity_scale``); None: the diffs are in base units."""
        return None

    async def _fetch_snapshot(self, symbol: Symbol) -> OrderBook:
        return await self._rest.get_orderbook(symbol, limit=self.config.book_depth)

    def _synchronizer(self, symbol: SymbolLike) -> BookSynchronizer:
        resolved = self.resolve(symbol)
        synchronizer = self._books.get(resolved)
        if synchronizer is None:
            raise UnknownSymbolError(f"{resolved} is not subscribed on {self.exchange.value}; pass it to initialize()")
        return synchronizer

    def __repr__(self) -> str:
        return f"{type(self).__name__}(symbols={[str(s) for s in self._books]})"
