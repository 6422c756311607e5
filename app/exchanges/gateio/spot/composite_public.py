"""Gate.io spot public composite: local order books kept from ``spot.order_book_update`` + REST snapshots,
book tickers from ``spot.book_ticker``, trades from ``spot.trades`` (stream) and ``/spot/trades`` (REST).

The machinery is the shared :class:`~app.composite.public_base.StreamingPublicExchange`; this module only
names the venue and its transports. Holds no credentials and no private transport. The WebSocket is
created through ``ws_factory`` with this composite's own handlers and is closed by :meth:`close`; the REST
client and the HTTP session belong to the container.
"""

from __future__ import annotations

from collections.abc import Callable

from app.composite.public_base import StreamingPublicExchange
from app.domain.enums import ExchangeEnum
from app.exchanges.gateio.spot.rest_public import GateioPublicSpotRest
from app.exchanges.gateio.spot.ws_public import GateioPublicSpotWebsocket

PublicWsFactory = Callable[..., GateioPublicSpotWebsocket]
"""Called as ``ws_factory(handlers=PublicWebsocketHandlers)`` (the container's Factory provider)."""


class GateioCompositePublicSpotExchange(StreamingPublicExchange[GateioPublicSpotRest, GateioPublicSpotWebsocket]):
    """Market data for the symbols given to :meth:`initialize`.

    One :class:`~app.composite.book.BookSynchronizer` per symbol, REST snapshot depth ``config.book_depth``;
    after a WS reconnect every book is marked stale at once and resynced. ``get_orderbook`` and
    ``get_book_ticker`` are served from local state; a stale book is returned with ``is_valid=False``.
    """

    exchange = ExchangeEnum.GATEIO

    def _stream_is_connected(self, ws: GateioPublicSpotWebsocket) -> bool:
        return ws.client.ready  # after a reconnect: only once the listeners marked the books stale
