"""MEXC spot public composite: local order books from ``aggre.depth`` versioned diffs + REST ``depth``
snapshots, book tickers from ``aggre.bookTicker``, trades from ``aggre.deals`` (stream) and ``/trades`` (REST).

The book recipe is MEXC's own (reference 9.8): buffer diffs, fetch ``depth`` (``lastUpdateId``), drop diffs
with ``toVersion <= lastUpdateId``, bridge with the diff where ``fromVersion <= lastUpdateId + 1 <=
toVersion``, then require ``fromVersion == previous toVersion + 1``; a gap marks the book stale and resyncs
(:class:`~app.composite.book.BookSynchronizer`). The composite machinery is the shared
:class:`~app.composite.public_base.StreamingPublicExchange`. Holds no credentials; closes the WebSocket it
created.
"""

from __future__ import annotations

from collections.abc import Callable

from app.composite.public_base import StreamingPublicExchange
from app.domain.enums import ExchangeEnum
from app.exchanges.mexc.spot.rest_public import MexcPublicSpotRest
from app.exchanges.mexc.spot.ws_public import MexcPublicSpotWebsocket

PublicWsFactory = Callable[..., MexcPublicSpotWebsocket]
"""Called as ``ws_factory(handlers=PublicWebsocketHandlers)`` (the container's Factory provider)."""


class MexcCompositePublicSpotExchange(StreamingPublicExchange[MexcPublicSpotRest, MexcPublicSpotWebsocket]):
    """Market data for the symbols given to :meth:`initialize` (same interface as the Gate.io one).

    Extras: ``wait_ready(timeout_s)``, ``book_synchronizer(symbol)`` (counters ``resyncs``/``gaps``/
    ``snapshots``), ``stream_connected``, ``websocket``; a book is reported invalid while any stream
    connection (shard) is down.
    """

    exchange = ExchangeEnum.MEXC

    def _stream_is_connected(self, ws: MexcPublicSpotWebsocket) -> bool:
        return ws.connected

    @property
    def websocket(self) -> MexcPublicSpotWebsocket | None:
        """The stream client (its ``client.shards`` show the connections)."""
        return self._ws
