"""Gate.io spot WebSocket v4 server side (reference sections 8-9): spot channels and payload shapes.

The protocol (envelopes, acks, ping/pong, auth, sessions, broadcast) is :class:`~app.simulator.gateio_ws_hub.
GateWsHub`'s. ``spot.order_book_update`` batches the book changes of each 20/100 ms interval as one message
whose ``U``/``u`` span the per-market update ids (the REST ``id``), so consecutive messages satisfy
``U == previous u + 1``; ``spot.order_book`` pushes snapshots, ``spot.tickers`` a ticker per second.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.simulator.gateio_spot import payloads
from app.simulator.gateio_ws_hub import (
    GateWsHub,
    OrderBookUpdateFeed,
    WsAuth,
    WsRequest,
    WsRequestError,
    WsSession,
)
from app.simulator.matching import BalanceChange, Fill, OrderEvent, SimOrder

if TYPE_CHECKING:
    from app.simulator.gateio_spot.venue import GateioSpotVenue, GateioUser

__all__ = ["GateioSpotWsHub", "OrderBookUpdateFeed", "SnapshotFeed", "WsAuth", "WsRequest", "WsRequestError"]

OBU_INTERVALS = {"20ms": (0.02, 20), "100ms": (0.1, 100)}
SNAPSHOT_LEVELS = {"5", "10", "20", "50", "100"}
SNAPSHOT_INTERVALS = {"100ms": 0.1, "1000ms": 1.0}
PUBLIC_PAIR_CHANNELS = ("spot.trades", "spot.book_ticker", "spot.tickers")
PRIVATE_CHANNELS = ("spot.orders", "spot.usertrades", "spot.balances")


@dataclass(eq=False)
class SnapshotFeed:
    """``spot.order_book`` pushes of one (pair, level, interval)."""

    pair: str
    level: int
    interval_s: float
    subscribers: set[WsSession] = field(default_factory=set)
    last_flush: float = 0.0
    last_sequence: int = -1


class GateioSpotWsHub(GateWsHub):
    """Routes spot engine events to subscribed sessions and answers requests."""

    venue: GateioSpotVenue

    PREFIX = "spot"
    SYMBOL_CHANNELS = PUBLIC_PAIR_CHANNELS
    PRIVATE_CHANNELS = PRIVATE_CHANNELS
    INVALID_BODY_MESSAGE = "Invalid request body format"
    SYMBOL_NOUN = "currency pair"

    def __init__(self, venue: GateioSpotVenue) -> None:
        super().__init__(venue)
        self.ticker_interval_s = 1.0
        self.snapshot_feeds: dict[tuple[str, int, str], SnapshotFeed] = {}
        self._last_tickers = 0.0

    def _known_symbol(self, name: str) -> bool:
        return name in self.venue.pairs

    # --- requests -----------------------------------------------------------------------------------
    def _dispatch(self, session: WsSession, request: WsRequest, subscribe: bool) -> None:
        channel, payload = request.channel, request.payload
        if channel == "spot.order_book_update":
            if not payload or len(payload) != 2 or payload[1] not in OBU_INTERVALS:
                raise WsRequestError(2, 'payload must be [currency_pair, "20ms" | "100ms"]')
            self._subscribe_obu(session, self._symbols(payload[:1])[0], str(payload[1]), subscribe)
        elif channel == "spot.order_book":
            if not payload or len(payload) != 3 or payload[1] not in SNAPSHOT_LEVELS:
                raise WsRequestError(2, "payload must be [currency_pair, level, interval]")
            if payload[2] not in SNAPSHOT_INTERVALS:
                raise WsRequestError(2, f"invalid interval {payload[2]}")
            pair, level, interval = self._symbols(payload[:1])[0], int(payload[1]), str(payload[2])
            self._subscribe_feed(
                self.snapshot_feeds,
                (pair, level, interval),
                lambda: SnapshotFeed(pair, level, SNAPSHOT_INTERVALS[interval]),
                lambda feed: feed.subscribers,
                session,
                subscribe,
            )
        elif channel in PUBLIC_PAIR_CHANNELS:
            self._subscribe_symbols(session, channel, self._symbols(payload), subscribe)
        elif channel in PRIVATE_CHANNELS:
            self._authorize(session, request, subscribe)
            pairs = {"!all"} if channel == "spot.balances" else set(self._symbols(payload, allow_all=True))
            self._subscribe_private(session, channel, pairs, subscribe)
        else:
            raise WsRequestError(2, f"unknown channel {channel}")

    def _subscribe_obu(self, session: WsSession, pair: str, interval: str, subscribe: bool) -> None:
        interval_s, depth = OBU_INTERVALS[interval]
        self._subscribe_feed(
            self.obu_feeds,
            (pair, interval),
            lambda: OrderBookUpdateFeed(pair, interval_s, depth),
            lambda feed: feed.subscribers,
            session,
            subscribe,
        )

    def _forget(self, session: WsSession) -> None:
        super()._forget(session)
        for snapshot in self.snapshot_feeds.values():
            snapshot.subscribers.discard(session)

    # --- engine events (synchronous, hot path) ------------------------------------------------------
    def _obu_header(self, body: dict[str, Any]) -> dict[str, Any]:
        return {"e": "depthUpdate", "E": body["time"]}

    def on_trade(self, fill: Fill) -> None:
        subs = self.symbol_subs["spot.trades"].get(fill.symbol)
        if subs:
            self._push(subs, "spot.trades", payloads.public_trade_ws(fill))
        for order, maker in ((fill.maker, True), (fill.taker, False)):
            user = self.venue.users_by_account.get(order.account_id)
            if user is not None:
                self._push_private("spot.usertrades", user, fill.symbol, self._my_trade(fill, maker, user.uid))

    @staticmethod
    def _my_trade(fill: Fill, maker: bool, uid: str) -> Callable[[], list[dict[str, Any]]]:
        return lambda: [payloads.my_trade_ws(fill, maker, uid)]

    def on_order(self, order: SimOrder, event: OrderEvent, user: GateioUser) -> None:
        quote = self.venue.pairs[order.symbol].spec.quote
        self._push_private(
            "spot.orders", user, order.symbol, lambda: [payloads.order_ws(order, quote, event, user.uid)]
        )

    def on_balance(self, change: BalanceChange, user: GateioUser) -> None:
        self._push_private("spot.balances", user, "!all", lambda: [payloads.balance_ws(change, user.uid)])

    # --- periodic feeds -----------------------------------------------------------------------------
    def _on_tick(self, now: float) -> None:
        for snapshot in list(self.snapshot_feeds.values()):
            if snapshot.subscribers and now - snapshot.last_flush >= snapshot.interval_s - 0.005:
                snapshot.last_flush = now
                self._flush_snapshot(snapshot)
        if now - self._last_tickers >= self.ticker_interval_s:
            self._last_tickers = now
            self._flush_tickers()

    def _flush_snapshot(self, feed: SnapshotFeed) -> None:
        engine = self.venue.engines[feed.pair]
        if engine.sequence == feed.last_sequence:
            return
        feed.last_sequence = engine.sequence
        body = self._envelope("spot.order_book", "update")
        body["result"] = {
            "t": body["time_ms"],
            "lastUpdateId": engine.sequence,
            "s": feed.pair,
            "l": str(feed.level),
            "bids": payloads.levels(engine.bids.depth(feed.level)),
            "asks": payloads.levels(engine.asks.depth(feed.level)),
        }
        self._broadcast(feed.subscribers, body)

    def _flush_tickers(self) -> None:
        for pair, subs in self.symbol_subs["spot.tickers"].items():
            if subs:
                self._push(subs, "spot.tickers", self.venue.ticker(pair))
