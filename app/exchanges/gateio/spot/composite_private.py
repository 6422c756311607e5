"""Gate.io spot private composite: validated order entry with unknown-outcome resolution, and open orders,
balances and fills kept current from ``spot.orders`` / ``spot.balances`` / ``spot.usertrades``.

The machinery is the shared :class:`~app.composite.private_base.TrackedPrivateExchange`; Gate's own part
is the ``t-...`` client order id (``text``). Never touches public streams. Symbol rules come from an
injected ``symbol_info_loader`` (the container passes the public REST client's ``get_exchange_info``: a
REST read, not a stream).
"""

from __future__ import annotations

from collections.abc import Callable

from app.composite.orders import ClientOrderIdRule
from app.composite.private_base import SymbolInfoLoader, TrackedPrivateExchange
from app.domain.enums import ExchangeEnum
from app.exchanges.gateio import constants as c
from app.exchanges.gateio.spot.rest_private import GateioPrivateSpotRest
from app.exchanges.gateio.spot.ws_private import GateioPrivateSpotWebsocket

__all__ = ["GATEIO_CLIENT_ORDER_IDS", "GateioCompositePrivateSpotExchange", "PrivateWsFactory", "SymbolInfoLoader"]

PrivateWsFactory = Callable[..., GateioPrivateSpotWebsocket]
"""Called as ``ws_factory(handlers=PrivateWebsocketHandlers)`` (the container's Factory provider)."""

GATEIO_CLIENT_ORDER_IDS = ClientOrderIdRule(
    prefix=c.CLIENT_ID_PREFIX, max_body_length=c.CLIENT_ID_MAX_BYTES, charset=c.CLIENT_ID_CHARSET
)
"""Gate ``text``: ``t-`` + 1..28 of ``[0-9A-Za-z_.-]``; the prefix is added when missing."""


class GateioCompositePrivateSpotExchange(TrackedPrivateExchange[GateioPrivateSpotRest, GateioPrivateSpotWebsocket]):
    """Trading on Gate.io spot.

    ``create_order`` validates against the pair's rules before any network call, generates a ``t-...``
    client order id when none is given, sends once, and when the request ends in a timeout / network
    error / 5xx looks the order up by client id (stream cache, ``GET /spot/orders/t-...``, then recent
    fills, since Gate finds a client id only while the order is open). It never re-sends.
    """

    exchange = ExchangeEnum.GATEIO
    client_order_id_rule = GATEIO_CLIENT_ORDER_IDS
