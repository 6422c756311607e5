"""MEXC spot WebSocket server side (reference mexc.md 9): JSON control frames, protobuf data frames.

Requests ``{"method":"SUBSCRIPTION"|"UNSUBSCRIPTION"|"PING","params":[...],"id":n}`` (``ping`` in lower case
too); answers ``{"id":n,"code":0,"msg":"<channels, comma-separated>"}``, ``{"id":0,"code":0,"msg":"PONG"}`` or
a refusal ``{"id":n,"code":0,"msg":"Not Subscribed successfully! [<channels>].  Reason<U+FF1A> <why>"}``. Data: one
binary ``PushDataV3ApiWrapper`` per frame. ``aggre.depth`` batches the book changes of each 10/100 ms window
with ``fromVersion``/``toVersion`` from the per-symbol counter that REST ``depth`` reports as
``lastUpdateId``, so consecutive pushes satisfy ``fromVersion == previous toVersion + 1``.
Connection rules: 30 subscriptions at most, closed after 30 s without a subscription, 60 s without
traffic, 24 h of age; private channels only on ``?listenKey=`` connections whose key is valid.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import msgspec
from aiohttp import WSCloseCode, WSMsgType, web

from app.domain.enums import Side
from app.simulator.common import dumps, fmt
from app.simulator.matching import BalanceChange, Fill, SimOrder
from app.simulator.mexc import payloads
from app.simulator.ws_connections import QueuedWsSession, SessionHub

if TYPE_CHECKING:
    from app.simulator.faults import VenueFaults
    from app.simulator.mexc.venue import MexcSpotVenue, MexcUser

INTERVALS = {"10ms": 0.01, "100ms": 0.1}
LIMIT_LEVELS = {"5": 5, "10": 10, "20": 20}
LIMIT_DEPTH_INTERVAL_S = 0.1
BASE_INTERVAL_S = 0.01
HOUSEKEEPING_S = 0.2
DEPTH = "public.aggre.depth.v3.api.pb"
DEALS = "public.aggre.deals.v3.api.pb"
BOOK_TICKER = "public.aggre.bookTicker.v3.api.pb"
LIMIT_DEPTH = "public.limit.depth.v3.api.pb"
PRIVATE = {"private.orders.v3.api.pb", "private.deals.v3.api.pb", "private.account.v3.api.pb"}
REFUSAL = "Not Subscribed successfully! [{channels}].  Reason\uff1a {reason}"


class WsRequest(msgspec.Struct):
    method: str = ""
    params: list[str] | None = None
    id: int | None = None


_request_decoder = msgspec.json.Decoder(WsRequest)


class Refused(Exception):
    """A subscription refused with a reason (sent back in MEXC's refusal text)."""


class WsSession(QueuedWsSession):
    """One client connection (:class:`QueuedWsSession`): its channels, its listenKey user, its age."""

    WRITER_TASK_NAME = "simulator-mexc-ws-writer"
    CLOSE_CODE = WSCloseCode.GOING_AWAY
    CLOSE_TIMEOUT_S = 1.0

    def __init__(
        self,
        ws: web.WebSocketResponse,
        request: web.Request,
        user: MexcUser | None,
        key: str | None,
        faults: VenueFaults | None = None,
    ) -> None:
        super().__init__(ws, request, faults)
        self.user = user
        self.listen_key = key
        self.channels: set[str] = set()
        self.created = self.empty_since = self.last_activity


@dataclass(eq=False)
class Feed:
    """Subscribers of one public channel plus what it has accumulated since its last push."""

    channel: str
    kind: str
    symbol: str
    interval_s: float
    levels: int = 0
    subscribers: set[WsSession] = field(default_factory=set)
    changes: dict[tuple[Side, Decimal], Decimal] = field(default_factory=dict)
    fills: list[Fill] = field(default_factory=list)
    first_version: int = 0
    last_version: int = 0
    last_sent: Any = None
    last_flush: float = 0.0


class MexcSpotWsHub(SessionHub[WsSession]):
    """Routes engine events to subscribed sessions, answers requests, enforces the connection rules."""

    venue: MexcSpotVenue

    def __init__(self, venue: MexcSpotVenue) -> None:
        super().__init__("simulator-mexc-ws-feeds")
        self.venue = venue
        self.max_subscriptions = 30
        self.no_subscription_timeout_s = 30.0
        self.idle_timeout_s = 60.0
        self.max_connection_age_s = 24 * 3600.0
        self.feeds: dict[str, Feed] = {}
        self.private: dict[str, set[WsSession]] = {name: set() for name in PRIVATE}
        self.closed_by_rule: dict[str, int] = {"no_subscription": 0, "idle": 0, "age": 0, "listen_key": 0}
        self._tasks: set[asyncio.Task[Any]] = set()

    # --- connections --------------------------------------------------------------------------------
    async def stop(self) -> None:
        await super().stop()
        for pending in list(self._tasks):
            with contextlib.suppress(BaseException):
                await pending

    async def _close_session(self, session: WsSession) -> None:
        await session.close()

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """aiohttp handler of ``GET /ws`` (``?listenKey=`` for the user data stream)."""
        ws = await self._accept(request)
        key = request.query.get("listenKey")
        user = None
        if key is not None:
            user = self.venue.listen_key_user(key)
            if user is None:
                await ws.send_str("Invalid listen key")
                await ws.close(code=WSCloseCode.POLICY_VIOLATION)
                return ws
        session = WsSession(ws, request, user, key, self.venue.faults)
        self.sessions.add(session)
        try:
            async for message in ws:
                if message.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    session.last_activity = time.monotonic()
                    self._on_request(session, message.data)
                elif message.type is WSMsgType.ERROR:
                    break
        finally:
            self._forget(session)
            await session.close()
        return ws

    def _close_later(self, session: WsSession, rule: str) -> None:
        self.closed_by_rule[rule] += 1
        self._forget(session)
        task = asyncio.get_running_loop().create_task(session.close())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- requests -----------------------------------------------------------------------------------
    def _on_request(self, session: WsSession, data: str | bytes) -> None:
        try:
            request = _request_decoder.decode(data)
        except (msgspec.DecodeError, msgspec.ValidationError):
            session.send(dumps({"id": 0, "code": 1, "msg": "Invalid request body format"}))
            return
        method, request_id = request.method.upper(), request.id or 0
        if method == "PING":
            session.send(dumps({"id": request_id, "code": 0, "msg": "PONG"}))
            return
        channels = [str(channel) for channel in request.params or []]
        if method not in ("SUBSCRIPTION", "UNSUBSCRIPTION") or not channels:
            session.send(dumps({"id": request_id, "code": 1, "msg": f"Unknown request {request.method!r}"}))
            return
        try:
            if method == "SUBSCRIPTION":
                self._subscribe(session, channels)
            else:
                for channel in channels:
                    self._unsubscribe(session, channel)
        except Refused as exc:
            text = REFUSAL.format(channels=",".join(channels), reason=exc)
            session.send(dumps({"id": request_id, "code": 0, "msg": text}))
            return
        session.send(dumps({"id": request_id, "code": 0, "msg": ",".join(channels)}))

    def _subscribe(self, session: WsSession, channels: list[str]) -> None:
        new = [channel for channel in dict.fromkeys(channels) if channel not in session.channels]
        if len(session.channels) + len(new) > self.max_subscriptions:
            raise Refused(f"more than {self.max_subscriptions} subscriptions on one connection")
        targets = [self._target(session, channel) for channel in new]  # validate all first
        for channel, target in zip(new, targets, strict=True):
            target.add(session)
            session.channels.add(channel)

    def _target(self, session: WsSession, channel: str) -> set[WsSession]:
        parts = channel.split("@")
        if len(parts) == 2 and parts[0] == "spot" and parts[1] in PRIVATE:
            if session.user is None:
                raise Refused("private channels need a listenKey connection")
            return self.private[parts[1]]
        if len(parts) != 4 or parts[0] != "spot":
            raise Refused("Blocked!")
        stream = parts[1]
        if stream == LIMIT_DEPTH:
            symbol, levels = parts[2], LIMIT_LEVELS.get(parts[3], 0)
            interval_s = LIMIT_DEPTH_INTERVAL_S
        elif stream in (DEPTH, DEALS, BOOK_TICKER):
            symbol, levels, interval_s = parts[3], 0, INTERVALS.get(parts[2], 0.0)
        else:
            raise Refused("Blocked!")
        if symbol not in self.venue.symbols or (stream == LIMIT_DEPTH and not levels) or not interval_s:
            raise Refused("Blocked!")
        feed = self.feeds.get(channel)
        if feed is None:
            feed = self.feeds[channel] = Feed(channel, stream, symbol, interval_s, levels)
        return feed.subscribers

    def _unsubscribe(self, session: WsSession, channel: str) -> None:
        session.channels.discard(channel)
        if not session.channels:
            session.empty_since = time.monotonic()
        feed = self.feeds.get(channel)
        if feed is not None:
            feed.subscribers.discard(session)
        for subs in self.private.values():
            if channel.split("@")[-1] in PRIVATE:
                subs.discard(session)

    def _forget(self, session: WsSession) -> None:
        self.sessions.discard(session)
        for feed in self.feeds.values():
            feed.subscribers.discard(session)
        for subs in self.private.values():
            subs.discard(session)

    def on_listen_key_gone(self, key: str) -> None:
        """A listenKey expired or was deleted: its connections are closed."""
        for session in [s for s in self.sessions if s.listen_key == key]:
            self._close_later(session, "listen_key")

    # --- engine events (synchronous) ----------------------------------------------------------------
    def on_book_change(self, symbol: str, side: Side, price: Decimal, total: Decimal, sequence: int) -> None:
        for interval in INTERVALS:
            feed = self.feeds.get(f"spot@{DEPTH}@{interval}@{symbol}")
            if feed is None:
                continue
            if not feed.subscribers:  # the batch restarts: a span never claims versions it does not carry
                feed.changes.clear()
                continue
            if not feed.changes:
                feed.first_version = sequence
            feed.changes[(side, price)] = total
            feed.last_version = sequence

    def on_trade(self, fill: Fill) -> None:
        for interval in INTERVALS:
            feed = self.feeds.get(f"spot@{DEALS}@{interval}@{fill.symbol}")
            if feed is not None and feed.subscribers:
                feed.fills.append(fill)
        subs = self.private["private.deals.v3.api.pb"]
        for order, maker in ((fill.maker, True), (fill.taker, False)):
            targets = [s for s in subs if s.user is not None and s.user.uid == order.account_id]
            if targets:
                self._broadcast(targets, payloads.private_deal(fill, maker, "spot@private.deals.v3.api.pb", self._ms()))

    def on_order(self, order: SimOrder, user: MexcUser) -> None:
        targets = [s for s in self.private["private.orders.v3.api.pb"] if s.user is user]
        if targets:
            self._broadcast(targets, payloads.private_order(order, "spot@private.orders.v3.api.pb", self._ms()))

    def on_balance(self, change: BalanceChange, user: MexcUser) -> None:
        targets = [s for s in self.private["private.account.v3.api.pb"] if s.user is user]
        if targets:
            self._broadcast(targets, payloads.private_account(change, "spot@private.account.v3.api.pb", self._ms()))

    def _ms(self) -> int:
        return self.venue.clock.now_ms()

    @staticmethod
    def _broadcast(sessions: set[WsSession] | list[WsSession], message: bytes) -> None:
        for session in sessions:
            session.send(message)

    # --- periodic pushes and connection rules --------------------------------------------------------
    async def _run(self) -> None:
        last_housekeeping = 0.0
        while True:
            await asyncio.sleep(BASE_INTERVAL_S)
            now = time.monotonic()
            for feed in list(self.feeds.values()):
                if not feed.subscribers:
                    feed.changes.clear()
                    feed.fills.clear()
                elif now - feed.last_flush >= feed.interval_s - 0.002:
                    feed.last_flush = now
                    self._flush(feed)
            if now - last_housekeeping >= HOUSEKEEPING_S:
                last_housekeeping = now
                self._housekeeping(now)

    def _housekeeping(self, now: float) -> None:
        self.venue.expire_listen_keys()
        for session in list(self.sessions):
            if not session.channels and now - session.empty_since >= self.no_subscription_timeout_s:
                self._close_later(session, "no_subscription")
            elif now - session.last_activity >= self.idle_timeout_s:
                self._close_later(session, "idle")
            elif now - session.created >= self.max_connection_age_s:
                self._close_later(session, "age")

    def _flush(self, feed: Feed) -> None:
        if feed.kind == DEPTH:
            self._flush_depth(feed)
        elif feed.kind == DEALS:
            self._flush_deals(feed)
        elif feed.kind == BOOK_TICKER:
            self._flush_book_ticker(feed)
        else:
            self._flush_limit_depth(feed)

    def _event_type(self, feed: Feed) -> str:
        return feed.channel.rsplit("@", 1)[0] if feed.kind != LIMIT_DEPTH else f"spot@{LIMIT_DEPTH}"

    def _flush_depth(self, feed: Feed) -> None:
        if not feed.changes:
            return
        changes, first, last = feed.changes, feed.first_version, feed.last_version
        feed.changes = {}
        if self.venue.faults.consume_gap(feed.symbol):
            return
        message = payloads.wrapper(feed.channel, self._ms(), feed.symbol)
        body = message.publicAggreDepths
        for (side, price), total in sorted(changes.items(), key=lambda item: item[0][1]):
            item = body.bids.add() if side is Side.BUY else body.asks.add()
            item.price, item.quantity = fmt(price), fmt(total)
        body.eventType = self._event_type(feed)
        body.fromVersion, body.toVersion = str(first), str(last)
        self._broadcast(feed.subscribers, message.SerializeToString())

    def _flush_deals(self, feed: Feed) -> None:
        if not feed.fills:
            return
        fills, feed.fills = feed.fills, []
        message = payloads.wrapper(feed.channel, self._ms(), feed.symbol)
        body = message.publicAggreDeals
        for fill in fills:
            deal = body.deals.add()
            deal.price, deal.quantity = fmt(fill.price), fmt(fill.quantity)
            deal.tradeType = 1 if fill.taker_side is Side.BUY else 2
            deal.time = fill.ts_us // 1000
            deal.tradeId = fill.trade_id
        body.eventType = self._event_type(feed)
        self._broadcast(feed.subscribers, message.SerializeToString())

    def _flush_book_ticker(self, feed: Feed) -> None:
        engine = self.venue.engines[feed.symbol]
        bid, ask = engine.bids.best(), engine.asks.best()
        if bid is None or ask is None:
            return
        top = (bid, engine.bids.totals[bid], ask, engine.asks.totals[ask])
        if top == feed.last_sent:
            return
        feed.last_sent = top
        message = payloads.wrapper(feed.channel, self._ms(), feed.symbol)
        body = message.publicAggreBookTicker
        body.bidPrice, body.bidQuantity = fmt(top[0]), fmt(top[1])
        body.askPrice, body.askQuantity = fmt(top[2]), fmt(top[3])
        body.version = str(engine.sequence)
        self._broadcast(feed.subscribers, message.SerializeToString())

    def _flush_limit_depth(self, feed: Feed) -> None:
        engine = self.venue.engines[feed.symbol]
        if engine.sequence == feed.last_sent:
            return
        feed.last_sent = engine.sequence
        message = payloads.wrapper(feed.channel, self._ms(), feed.symbol)
        body = message.publicLimitDepths
        for rows, side in ((engine.asks.depth(feed.levels), body.asks), (engine.bids.depth(feed.levels), body.bids)):
            for price, quantity in rows:
                item = side.add()
                item.price, item.quantity = fmt(price), fmt(quantity)
        body.eventType = self._event_type(feed)
        body.version = str(engine.sequence)
        self._broadcast(feed.subscribers, message.SerializeToString())
