"""Gate.io futures WebSocket v4 server side (reference 8 and 10) at ``/v4/ws/usdt``.

The protocol (connection, request decoding, session writer, update batching) is :class:`~app.simulator.
gateio_ws_hub.GateWsHub`'s; this hub declares the futures channels and shapes. ``futures.order_book_update``
batches each interval's level changes (``U``/``u`` = first/last book id, ``U == previous u + 1``), levels
``{"p": price, "s": contracts}``. Private channels take ``[uid, contract | "!all"]`` (``futures.balances``
``[uid]``) and send numbers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import msgspec

from app.simulator.common import fmt
from app.simulator.gateio_futures import payloads
from app.simulator.gateio_futures.accounts import LedgerRow, SimPosition
from app.simulator.gateio_ws_hub import GateWsHub, OrderBookUpdateFeed, WsRequest, WsRequestError, WsSession
from app.simulator.matching import Fill, OrderEvent, SimOrder

if TYPE_CHECKING:
    from app.simulator.gateio_futures.venue import GateioFuturesVenue
    from app.simulator.gateio_spot.venue import GateioUser

OBU_INTERVALS = {"20ms": 0.02, "100ms": 0.1}
OBU_LEVELS = {"20ms": ("20",), "100ms": ("100", "50", "20")}
PUBLIC_CHANNELS = ("futures.trades", "futures.book_ticker")
PRIVATE_CHANNELS = ("futures.orders", "futures.usertrades", "futures.positions", "futures.balances")

_numbers = msgspec.json.Encoder(decimal_format="number")


def dumps(body: dict[str, Any]) -> str:
    """JSON text with ``Decimal`` values as JSON numbers (futures channels send numbers)."""
    return _numbers.encode(body).decode()


class GateioFuturesWsHub(GateWsHub):
    """Routes futures engine and account events to subscribed sessions and answers requests."""

    venue: GateioFuturesVenue

    PREFIX = "futures"
    SYMBOL_CHANNELS = PUBLIC_CHANNELS
    PRIVATE_CHANNELS = PRIVATE_CHANNELS
    INVALID_BODY_MESSAGE = "invalid argument struct"
    SYMBOL_NOUN = "contract"

    @property
    def contract_subs(self) -> dict[str, dict[str, set[WsSession]]]:
        """Subscribers per public channel and contract."""
        return self.symbol_subs

    def _known_symbol(self, name: str) -> bool:
        return name in self.venue.contracts

    @staticmethod
    def _dumps(body: dict[str, Any]) -> str:
        return dumps(body)

    @staticmethod
    def _size(total: Decimal) -> Any:
        return int(total)

    def _obu_level(self, price: Decimal, total: Decimal) -> Any:
        return {"p": fmt(price), "s": int(total)}

    # --- requests -----------------------------------------------------------------------------------
    def _dispatch(self, session: WsSession, request: WsRequest, subscribe: bool) -> None:
        channel, payload = request.channel, request.payload or []
        if channel == "futures.order_book_update":
            if len(payload) not in (2, 3) or payload[1] not in OBU_INTERVALS:
                raise WsRequestError(2, 'payload must be [contract, "20ms" | "100ms", level]')
            level = str(payload[2]) if len(payload) == 3 else OBU_LEVELS[payload[1]][0]
            if level not in OBU_LEVELS[payload[1]]:
                raise WsRequestError(2, f"invalid level {level} for {payload[1]}")
            contract, interval = self._symbols(payload[:1])[0], str(payload[1])
            self._subscribe_feed(
                self.obu_feeds,
                (contract, interval, int(level)),
                lambda: OrderBookUpdateFeed(contract, OBU_INTERVALS[interval], int(level)),
                lambda feed: feed.subscribers,
                session,
                subscribe,
            )
        elif channel in PUBLIC_CHANNELS:
            self._subscribe_symbols(session, channel, self._symbols(payload), subscribe)
        elif channel in PRIVATE_CHANNELS:
            user = self._authorize(session, request, subscribe)
            if user is None or not payload or str(payload[0]) != user.uid:
                raise WsRequestError(2, "payload must start with your user id")
            targets = {"!all"} if channel == "futures.balances" else set(self._symbols(payload[1:], allow_all=True))
            self._subscribe_private(session, channel, targets, subscribe)
        else:
            raise WsRequestError(2, f"unknown channel {channel}")

    # --- engine / account events (synchronous) ------------------------------------------------------
    def on_trade(self, fill: Fill) -> None:
        subs = self.symbol_subs["futures.trades"].get(fill.symbol)
        if subs:
            self._push(subs, "futures.trades", [payloads.public_trade(fill, ws=True)])

    def on_user_trade(self, fill: Fill, maker: bool, info: dict[str, Any], user: GateioUser) -> None:
        self._push_private(
            "futures.usertrades", user, fill.symbol, lambda: [payloads.user_trade(fill, maker, info, ws=True)]
        )

    def on_order(self, order: SimOrder, event: OrderEvent, user: GateioUser) -> None:
        self._push_private("futures.orders", user, order.symbol, lambda: [payloads.order(order, user.uid, ws=True)])

    def on_position(self, position: SimPosition) -> None:
        user = self.venue.users_by_account.get(position.user)
        if user is not None:
            self._push_private(
                "futures.positions",
                user,
                position.contract,
                lambda: [payloads.position(self.venue, position, ws=True)],
            )

    def on_ledger_row(self, row: LedgerRow, user: GateioUser) -> None:
        self._push_private("futures.balances", user, "!all", lambda: [payloads.ledger_row(row, user.uid)])
