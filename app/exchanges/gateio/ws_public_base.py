"""What Gate.io's spot and futures public WebSockets share: the subscribe / unsubscribe / lifecycle facade.

A venue subclass builds its :class:`GateioWebsocketClient`, registers its typed channel handlers, and
names its three channels and the extra payload items of a book subscription (spot ``["100ms"]``, futures
``["100ms", "100"]``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from app.domain.symbol import Symbol
from app.exchanges.gateio.spot.schemas import native_symbol
from app.exchanges.gateio.ws_client import GateioWebsocketClient, ReconnectListener, Unit
from app.transport.websocket import ReconnectingWebSocket


class GateioPublicWebsocketBase:
    """Subscriptions are stored and replayed after a reconnect; then the reconnect listeners run (so a
    composite marks its books stale and resyncs)."""

    CH_BOOK: ClassVar[str]
    CH_TRADES: ClassVar[str]
    CH_TICKER: ClassVar[str]
    BOOK_PAYLOAD: ClassVar[tuple[str, ...]]

    client: GateioWebsocketClient

    @property
    def ws(self) -> ReconnectingWebSocket:
        """The underlying :class:`ReconnectingWebSocket` (counters: reconnect_count, messages, ...)."""
        return self.client.ws

    async def start(self) -> None:
        await self.client.start()

    async def close(self) -> None:
        await self.client.close()

    async def subscribe_orderbook(self, symbols: Sequence[Symbol]) -> None:
        """Incremental book updates (``CH_BOOK`` with ``BOOK_PAYLOAD``), one request per symbol."""
        await self.client.subscribe(self.CH_BOOK, self._units(self.CH_BOOK, symbols))

    async def subscribe_trades(self, symbols: Sequence[Symbol]) -> None:
        """Public trades (taker side)."""
        await self.client.subscribe(self.CH_TRADES, self._units(self.CH_TRADES, symbols))

    async def subscribe_book_ticker(self, symbols: Sequence[Symbol]) -> None:
        """Best bid / ask with the book's update id."""
        await self.client.subscribe(self.CH_TICKER, self._units(self.CH_TICKER, symbols))

    async def unsubscribe(self, channel: str, symbols: Sequence[Symbol]) -> None:
        """Stop one channel for these symbols (also removed from the replay list)."""
        await self.client.unsubscribe(channel, self._units(channel, symbols))

    def add_reconnect_listener(self, callback: ReconnectListener) -> None:
        self.client.add_reconnect_listener(callback)

    def _units(self, channel: str, symbols: Sequence[Symbol]) -> list[Unit]:
        extra = self.BOOK_PAYLOAD if channel == self.CH_BOOK else ()
        return [(native_symbol(s), *extra) for s in symbols]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.client.ws.url})"
