"""Gate.io spot WebSocket v4 server side (reference sections 8-9): requests, acks, public and private feeds.

Request: ``{"time":1611541000,"id":1,"channel":"spot.trades","event":"subscribe","payload":["BTC_USDT"]}``;
ack: ``{"time":..,"time_ms":..,"id":1,"channel":"spot.trades","event":"subscribe","error":null,
"result":{"status":"success"}}``; errors carry ``{"code":1..4,"message":..}`` and ``result: {"status":"fail"}``.
``spot.order_book_update`` batches the book changes of each 20/100 ms interval as one message whose ``U``/``u``
span the per-market update ids (the REST ``id``), so consecutive messages satisfy ``U == previous u + 1``.
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
from app.exchanges.gateio.auth import sign_ws, verify
from app.simulator.common import dumps, fmt
from app.simulator.gateio_spot import payloads
from app.simulator.matching import BalanceChange, Fill, OrderEvent, SimOrder

if TYPE_CHECKING:
    from app.simulator.faults import VenueFaults
    from app.simulator.gateio_spot.venue import GateioSpotVenue, GateioUser

OBU_INTERVALS = {"20ms": (0.02, 20), "100ms": (0.1, 100)}
SNAPSHOT_LEVELS = {"5", "10", "20", "50", "100"}
SNAPSHOT_INTERVALS = {"100ms": 0.1, "1000ms": 1.0}
PUBLIC_PAIR_CHANNELS = ("spot.trades", "spot.book_ticker", "spot.tickers")
PRIVATE_CHANNELS = ("spot.orders", "spot.usertrades", "spot.balances")
BASE_INTERVAL_S = 0.02
AUTH_WINDOW_S = 60


class WsAuth(msgspec.Struct):
    method: str = "api_key"
    KEY: str = ""
    SIGN: str = ""


class WsRequest(msgspec.Struct):
    channel: str = ""
    event: str = ""
    time: int | float | None = None
    id: int | None = None
    payload: list[Any] | None = None
    auth: WsAuth | None = None


_request_decoder = msgspec.json.Decoder(WsRequest)


class WsRequestError(Exception):
    """A request refused with a Gate WS error code (1 format, 2 argument, 3 server, 4 auth)."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class WsSession:
    """One client connection: an outbound queue drained by a writer task, its subscriptions and user.

    With ``faults`` every outbound frame passes :meth:`VenueFaults.outbound` (drops, garbage, delays).
    """

    def __init__(self, ws: web.WebSocketResponse, request: web.Request, faults: VenueFaults | None = None) -> None:
        self.ws = ws
        self.request = request
        self.faults = faults
        self.user: GateioUser | None = None
        self.last_activity = time.monotonic()
        self._queue: asyncio.Queue[str] = asyncio.Queue()
        self._writer = asyncio.get_running_loop().create_task(self._write(), name="simulator-ws-writer")

    def send(self, text: str) -> None:
        self.last_activity = time.monotonic()
        self._queue.put_nowait(text)

    async def _write(self) -> None:
        faults = self.faults
        with contextlib.suppress(ConnectionError, RuntimeError):
            while True:
                text = await self._queue.get()
                frame: str | bytes | None = text
                if faults is not None and faults.active:
                    frame = await faults.outbound(self, text)
                if isinstance(frame, str):
                    await self.ws.send_str(frame)
                elif frame is not None:
                    await self.ws.send_bytes(frame)

    async def close(self) -> None:
        if self.faults is not None:
            self.faults.forget(self)
        self._writer.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._writer
        if not self.ws.closed:
            with contextlib.suppress(ConnectionError, RuntimeError):
                await self.ws.close()


@dataclass(eq=False)
class OrderBookUpdateFeed:
    """Pending changes of one (pair, interval): absolute totals per (side, price) and the id span."""

    pair: str
    interval_s: float
    depth: int
    subscribers: set[WsSession] = field(default_factory=set)
    changes: dict[tuple[Side, Decimal], Decimal] = field(default_factory=dict)
    first_id: int = 0
    last_id: int = 0
    last_flush: float = 0.0

    def add(self, side: Side, price: Decimal, total: Decimal, sequence: int) -> None:
        if not self.changes and not self.first_id:
            self.first_id = sequence
        self.changes[(side, price)] = total
        self.last_id = sequence

    def record(self, side: Side, price: Decimal, total: Decimal, sequence: int) -> None:
        """A book change: pending while someone listens; otherwise the batch restarts, so a ``U..u`` span
        never claims ids whose changes it does not carry (a subscriber joining later sees the gap)."""
        if self.subscribers:
            self.add(side, price, total, sequence)
        elif self.first_id:
            self.changes.clear()
            self.first_id = 0


@dataclass(eq=False)
class SnapshotFeed:
    """``spot.order_book`` pushes of one (pair, level, interval)."""

    pair: str
    level: int
    interval_s: float
    subscribers: set[WsSession] = field(default_factory=set)
    last_flush: float = 0.0
    last_sequence: int = -1


class GateioSpotWsHub:
    """Routes engine events to subscribed sessions and answers requests."""

    def __init__(self, venue: GateioSpotVenue) -> None:
        self.venue = venue
        self.idle_timeout_s = 60.0
        self.ticker_interval_s = 1.0
        self.sessions: set[WsSession] = set()
        self.obu_feeds: dict[tuple[str, str], OrderBookUpdateFeed] = {}
        self.snapshot_feeds: dict[tuple[str, int, str], SnapshotFeed] = {}
        self.pair_subs: dict[str, dict[str, set[WsSession]]] = {c: {} for c in PUBLIC_PAIR_CHANNELS}
        self.private_subs: dict[str, dict[WsSession, set[str]]] = {c: {} for c in PRIVATE_CHANNELS}
        self._last_book_ticker: dict[str, tuple[Decimal | None, Decimal, Decimal | None, Decimal]] = {}
        self._ticker_pending: dict[str, int] = {}
        self._ticker_flush_scheduled = False
        self._last_tickers = 0.0
        self._task: asyncio.Task[None] | None = None

    # --- lifecycle ----------------------------------------------------------------------------------
    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="simulator-ws-feeds")

    async def stop(self) -> None:
        await self.close_all()
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def close_all(self, *, abrupt: bool = False) -> int:
        sessions = list(self.sessions)
        for session in sessions:
            self._forget(session)
            if abrupt and session.request.transport is not None:
                session.request.transport.abort()
            with contextlib.suppress(ConnectionError, RuntimeError):
                await asyncio.wait_for(session.ws.close(code=WSCloseCode.GOING_AWAY), 1.0)
        return len(sessions)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """aiohttp handler of ``GET /ws/v4/``."""
        if not self.venue.faults.accepting_connections():
            raise web.HTTPServiceUnavailable(text="venue restarting")
        ws = web.WebSocketResponse(compress=False, max_msg_size=1 << 20)
        await ws.prepare(request)
        session = WsSession(ws, request, self.venue.faults)
        self.sessions.add(session)
        try:
            while not ws.closed:
                try:
                    message = await ws.receive(timeout=self.idle_timeout_s)
                except TimeoutError:
                    if time.monotonic() - session.last_activity >= self.idle_timeout_s:
                        break
                    continue
                if message.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    session.last_activity = time.monotonic()
                    self._on_request(session, message.data)
                elif message.type in (WSMsgType.CLOSE, WSMsgType.CLOSING, WSMsgType.CLOSED, WSMsgType.ERROR):
                    break
        finally:
            self._forget(session)
            await session.close()
        return ws

    # --- requests -----------------------------------------------------------------------------------
    def _envelope(self, channel: str, event: str, request_id: int | None = None) -> dict[str, Any]:
        now = self.venue.clock.now()
        body: dict[str, Any] = {"time": int(now), "time_ms": int(now * 1000)}
        if request_id is not None:
            body["id"] = request_id
        body["channel"] = channel
        body["event"] = event
        return body

    def _on_request(self, session: WsSession, data: str | bytes) -> None:
        try:
            request = _request_decoder.decode(data)
        except (msgspec.DecodeError, msgspec.ValidationError):
            request = None
        if request is None or not request.channel:
            body = self._envelope("", "")
            body.update(error={"code": 1, "message": "Invalid request body format"}, result={"status": "fail"})
            session.send(dumps(body))
            return
        if request.channel == "spot.ping":
            body = self._envelope("spot.pong", "", request.id)
            body.update(error=None, result=None)
            session.send(dumps(body))
            return
        try:
            if request.event not in ("subscribe", "unsubscribe"):
                raise WsRequestError(2, f"unknown event {request.event}")
            self._dispatch(session, request, request.event == "subscribe")
        except WsRequestError as exc:
            body = self._envelope(request.channel, request.event, request.id)
            body.update(error={"code": exc.code, "message": exc.message}, result={"status": "fail"})
            session.send(dumps(body))
            return
        body = self._envelope(request.channel, request.event, request.id)
        body.update(error=None, result={"status": "success"})
        session.send(dumps(body))

    def _pairs(self, payload: list[Any] | None, *, allow_all: bool = False) -> list[str]:
        if not payload:
            raise WsRequestError(2, "payload must list currency pairs")
        for item in payload:
            if not (isinstance(item, str) and (item in self.venue.pairs or (allow_all and item == "!all"))):
                raise WsRequestError(2, f"unknown currency pair {item}")
        return [str(item) for item in payload]

    def _dispatch(self, session: WsSession, request: WsRequest, subscribe: bool) -> None:
        channel, payload = request.channel, request.payload
        if channel == "spot.order_book_update":
            if not payload or len(payload) != 2 or payload[1] not in OBU_INTERVALS:
                raise WsRequestError(2, 'payload must be [currency_pair, "20ms" | "100ms"]')
            pair = self._pairs(payload[:1])[0]
            self._subscribe_obu(session, pair, str(payload[1]), subscribe)
        elif channel == "spot.order_book":
            if not payload or len(payload) != 3 or payload[1] not in SNAPSHOT_LEVELS:
                raise WsRequestError(2, "payload must be [currency_pair, level, interval]")
            if payload[2] not in SNAPSHOT_INTERVALS:
                raise WsRequestError(2, f"invalid interval {payload[2]}")
            pair = self._pairs(payload[:1])[0]
            self._subscribe_snapshot(session, pair, int(payload[1]), str(payload[2]), subscribe)
        elif channel in PUBLIC_PAIR_CHANNELS:
            for pair in self._pairs(payload):
                subs = self.pair_subs[channel].setdefault(pair, set())
                if subscribe:
                    subs.add(session)
                else:
                    subs.discard(session)
        elif channel in PRIVATE_CHANNELS:
            if subscribe or request.auth is not None:
                session.user = self._authenticate(request)
            pairs = {"!all"} if channel == "spot.balances" else set(self._pairs(payload, allow_all=True))
            private = self.private_subs[channel]
            if subscribe:
                private.setdefault(session, set()).update(pairs)
            elif session in private:
                private[session].difference_update(pairs)
        else:
            raise WsRequestError(2, f"unknown channel {channel}")

    def _authenticate(self, request: WsRequest) -> GateioUser:
        def fail(label: str, message: str) -> WsRequestError:
            return WsRequestError(4, dumps({"label": label, "message": message}) + "\n")

        auth = request.auth
        if auth is None or not auth.KEY or not auth.SIGN:
            raise fail("MISSING_REQUIRED_HEADER", "Missing auth")
        user = self.venue.users_by_key.get(auth.KEY)
        if user is None:
            raise fail("INVALID_KEY", "Invalid key provided")
        if request.time is None or abs(self.venue.clock.now() - request.time) > AUTH_WINDOW_S:
            raise fail("REQUEST_EXPIRED", "gap between request time and server time exceeds 60")
        expected = sign_ws(user.api_secret, request.channel, request.event, int(request.time))
        if not isinstance(request.time, int) or not verify(expected, auth.SIGN):
            raise fail("INVALID_SIGNATURE", "Signature mismatch")
        return user

    def _subscribe_obu(self, session: WsSession, pair: str, interval: str, subscribe: bool) -> None:
        feed = self.obu_feeds.get((pair, interval))
        if subscribe:
            if feed is None:
                interval_s, depth = OBU_INTERVALS[interval]
                feed = self.obu_feeds[(pair, interval)] = OrderBookUpdateFeed(pair, interval_s, depth)
            feed.subscribers.add(session)
        elif feed is not None:
            feed.subscribers.discard(session)

    def _subscribe_snapshot(self, session: WsSession, pair: str, level: int, interval: str, subscribe: bool) -> None:
        key = (pair, level, interval)
        feed = self.snapshot_feeds.get(key)
        if subscribe:
            if feed is None:
                feed = self.snapshot_feeds[key] = SnapshotFeed(pair, level, SNAPSHOT_INTERVALS[interval])
            feed.subscribers.add(session)
        elif feed is not None:
            feed.subscribers.discard(session)

    def _forget(self, session: WsSession) -> None:
        self.sessions.discard(session)
        for obu in self.obu_feeds.values():
            obu.subscribers.discard(session)
        for snapshot in self.snapshot_feeds.values():
            snapshot.subscribers.discard(session)
        for per_pair in self.pair_subs.values():
            for subs in per_pair.values():
                subs.discard(session)
        for private in self.private_subs.values():
            private.pop(session, None)

    # --- engine events (synchronous, hot path) ------------------------------------------------------
    def on_book_change(self, pair: str, side: Side, price: Decimal, total: Decimal, sequence: int) -> None:
        for interval in OBU_INTERVALS:
            feed = self.obu_feeds.get((pair, interval))
            if feed is not None:
                feed.record(side, price, total, sequence)
        if self.pair_subs["spot.book_ticker"].get(pair):
            # Coalesce: a market tick or an order changes many levels synchronously; subscribers get the
            # top of book once that is done (as the venue's 10 ms book ticker does), never a half-built one.
            self._ticker_pending[pair] = sequence
            if not self._ticker_flush_scheduled:
                self._ticker_flush_scheduled = True
                asyncio.get_running_loop().call_soon(self._flush_book_tickers)

    def _flush_book_tickers(self) -> None:
        self._ticker_flush_scheduled = False
        pending, self._ticker_pending = self._ticker_pending, {}
        for pair, sequence in pending.items():
            subs = self.pair_subs["spot.book_ticker"].get(pair)
            if subs:
                self._book_ticker(pair, subs, sequence)

    def _book_ticker(self, pair: str, subs: set[WsSession], sequence: int) -> None:
        engine = self.venue.engines[pair]
        bid, ask = engine.bids.best(), engine.asks.best()
        bid_size = engine.bids.totals[bid] if bid is not None else Decimal(0)
        ask_size = engine.asks.totals[ask] if ask is not None else Decimal(0)
        top = (bid, bid_size, ask, ask_size)
        if self._last_book_ticker.get(pair) == top:
            return
        self._last_book_ticker[pair] = top
        body = self._envelope("spot.book_ticker", "update")
        body["result"] = {
            "t": body["time_ms"],
            "u": sequence,
            "s": pair,
            "b": fmt(bid) if bid is not None else "",
            "B": fmt(bid_size),
            "a": fmt(ask) if ask is not None else "",
            "A": fmt(ask_size),
        }
        self._broadcast(subs, body)

    def on_trade(self, fill: Fill) -> None:
        subs = self.pair_subs["spot.trades"].get(fill.symbol)
        if subs:
            body = self._envelope("spot.trades", "update")
            body["result"] = payloads.public_trade_ws(fill)
            self._broadcast(subs, body)
        for order, maker in ((fill.maker, True), (fill.taker, False)):
            user = self.venue.users_by_account.get(order.account_id)
            if user is not None:
                targets = self._private_targets("spot.usertrades", user, fill.symbol)
                if targets:
                    body = self._envelope("spot.usertrades", "update")
                    body["result"] = [payloads.my_trade_ws(fill, maker, user.uid)]
                    self._broadcast(targets, body)

    def on_order(self, order: SimOrder, event: OrderEvent, user: GateioUser) -> None:
        targets = self._private_targets("spot.orders", user, order.symbol)
        if targets:
            quote = self.venue.pairs[order.symbol].spec.quote
            body = self._envelope("spot.orders", "update")
            body["result"] = [payloads.order_ws(order, quote, event, user.uid)]
            self._broadcast(targets, body)

    def on_balance(self, change: BalanceChange, user: GateioUser) -> None:
        targets = self._private_targets("spot.balances", user, "!all")
        if targets:
            body = self._envelope("spot.balances", "update")
            body["result"] = [payloads.balance_ws(change, user.uid)]
            self._broadcast(targets, body)

    def _private_targets(self, channel: str, user: GateioUser, pair: str) -> list[WsSession]:
        return [
            session
            for session, pairs in self.private_subs[channel].items()
            if session.user is user and (pair in pairs or "!all" in pairs)
        ]

    @staticmethod
    def _broadcast(sessions: set[WsSession] | list[WsSession], body: dict[str, Any]) -> None:
        text = dumps(body)
        for session in sessions:
            session.send(text)

    # --- periodic feeds -----------------------------------------------------------------------------
    async def _run(self) -> None:
        while True:
            await asyncio.sleep(BASE_INTERVAL_S)
            now = time.monotonic()
            for feed in list(self.obu_feeds.values()):
                if now - feed.last_flush >= feed.interval_s - 0.005:
                    feed.last_flush = now
                    self._flush_obu(feed)
            for snapshot in list(self.snapshot_feeds.values()):
                if snapshot.subscribers and now - snapshot.last_flush >= snapshot.interval_s - 0.005:
                    snapshot.last_flush = now
                    self._flush_snapshot(snapshot)
            if now - self._last_tickers >= self.ticker_interval_s:
                self._last_tickers = now
                self._flush_tickers()

    def _flush_obu(self, feed: OrderBookUpdateFeed) -> None:
        if not feed.changes or not feed.subscribers:
            if not feed.subscribers:
                feed.changes.clear()
                feed.first_id = 0
            return
        changes, first_id, last_id = feed.changes, feed.first_id, feed.last_id
        feed.changes, feed.first_id = {}, 0
        if self.venue.faults.consume_gap(feed.pair):
            return
        engine = self.venue.engines[feed.pair]
        floor_bid = engine.bids.depth(feed.depth)[-1][0] if len(engine.bids.prices) > feed.depth else None
        cap_ask = engine.asks.depth(feed.depth)[-1][0] if len(engine.asks.prices) > feed.depth else None
        bids: list[list[str]] = []
        asks: list[list[str]] = []
        for (side, price), total in sorted(changes.items(), key=lambda item: item[0][1]):
            if side is Side.BUY and (floor_bid is None or price >= floor_bid or not total):
                bids.append([fmt(price), fmt(total)])
            elif side is Side.SELL and (cap_ask is None or price <= cap_ask or not total):
                asks.append([fmt(price), fmt(total)])
        bids.reverse()
        body = self._envelope("spot.order_book_update", "update")
        body["result"] = {
            "t": body["time_ms"],
            "e": "depthUpdate",
            "E": body["time"],
            "s": feed.pair,
            "U": first_id,
            "u": last_id,
            "b": bids,
            "a": asks,
            "l": str(feed.depth),
        }
        self._broadcast(feed.subscribers, body)

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
        for pair, subs in self.pair_subs["spot.tickers"].items():
            if subs:
                body = self._envelope("spot.tickers", "update")
                body["result"] = self.venue.ticker(pair)
                self._broadcast(subs, body)
