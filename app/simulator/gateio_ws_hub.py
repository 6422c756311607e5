"""Server side of the Gate.io WebSocket v4 protocol shared by the spot and futures hubs (reference 8).

Request: ``{"time":1611541000,"id":1,"channel":"spot.trades","event":"subscribe","payload":["BTC_USDT"]}``;
ack: ``{"time":..,"time_ms":..,"id":1,"channel":"spot.trades","event":"subscribe","error":null,
"result":{"status":"success"}}``; errors carry ``{"code":1..4,"message":..}`` and ``result: {"status":"fail"}``.
:class:`GateWsHub` owns the connection loop, envelopes, acks, ping/pong, auth, per-channel subscriber sets,
``order_book_update`` batching, the coalesced book ticker and broadcast; a venue hub subclasses it with its
channel names (``PREFIX``), request dispatch and payload shapes.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeVar

import msgspec
from aiohttp import WSCloseCode, WSMsgType, web

from app.domain.enums import Side
from app.exchanges.gateio.auth import sign_ws, verify
from app.simulator.common import dumps, fmt
from app.simulator.venue_base import ClockedVenue
from app.simulator.ws_connections import QueuedWsSession, SessionHub

if TYPE_CHECKING:
    from app.simulator.faults import VenueFaults
    from app.simulator.gateio_spot.venue import GateioUser
    from app.simulator.matching import MatchingEngine

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


class WsSession(QueuedWsSession):
    """One client connection (:class:`QueuedWsSession`) and the user its private subscriptions authenticated."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request, faults: VenueFaults | None = None) -> None:
        super().__init__(ws, request, faults)
        self.user: GateioUser | None = None


@dataclass(eq=False)
class OrderBookUpdateFeed:
    """Pending changes of one (symbol, interval[, level]): absolute totals per (side, price) and the id span."""

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


class GateVenue(ClockedVenue, Protocol):
    """What Gate's WS hub and REST routes both read from their venue."""

    @property
    def users_by_key(self) -> Mapping[str, GateioUser]: ...


class GateWsVenue(GateVenue, Protocol):
    """What a Gate hub reads from its venue."""

    @property
    def users_by_account(self) -> Mapping[str, GateioUser]: ...

    @property
    def engines(self) -> Mapping[str, MatchingEngine]: ...


FeedT = TypeVar("FeedT")


class GateWsHub(SessionHub[WsSession]):
    """Routes engine events to subscribed sessions and answers requests (one per venue, subclassed).

    A subclass narrows ``venue`` to its venue class with a class-level annotation.
    """

    venue: GateWsVenue

    PREFIX: ClassVar[str]
    """Channel prefix: ``spot`` or ``futures`` (``<prefix>.ping``, ``<prefix>.book_ticker``, ...)."""
    SYMBOL_CHANNELS: ClassVar[tuple[str, ...]]
    """Public channels whose payload lists symbols (one subscriber set per symbol)."""
    PRIVATE_CHANNELS: ClassVar[tuple[str, ...]]
    INVALID_BODY_MESSAGE: ClassVar[str]
    SYMBOL_NOUN: ClassVar[str]
    """How refusals name a symbol: ``currency pair`` or ``contract``."""

    def __init__(self, venue: GateWsVenue) -> None:
        super().__init__(f"simulator-{self.PREFIX}-ws-feeds")
        self.venue = venue
        self.idle_timeout_s = 60.0
        self.obu_feeds: dict[tuple[Any, ...], OrderBookUpdateFeed] = {}
        self.symbol_subs: dict[str, dict[str, set[WsSession]]] = {c: {} for c in self.SYMBOL_CHANNELS}
        self.private_subs: dict[str, dict[WsSession, set[str]]] = {c: {} for c in self.PRIVATE_CHANNELS}
        self._book_ticker_channel = f"{self.PREFIX}.book_ticker"
        self._last_book_ticker: dict[str, tuple[Decimal | None, Decimal, Decimal | None, Decimal]] = {}
        self._ticker_pending: dict[str, int] = {}
        self._ticker_flush_scheduled = False

    # --- venue hooks --------------------------------------------------------------------------------
    def _known_symbol(self, name: str) -> bool:
        raise NotImplementedError

    def _dispatch(self, session: WsSession, request: WsRequest, subscribe: bool) -> None:
        """Apply one (un)subscribe request or raise :class:`WsRequestError`."""
        raise NotImplementedError

    @staticmethod
    def _size(total: Decimal) -> Any:
        """A level size as the venue sends it (spot: decimal text)."""
        return fmt(total)

    def _obu_level(self, price: Decimal, total: Decimal) -> Any:
        return [fmt(price), self._size(total)]

    def _obu_header(self, body: dict[str, Any]) -> dict[str, Any]:
        """Fields of an ``order_book_update`` result between ``t`` and ``s``."""
        return {}

    def _on_tick(self, now: float) -> None:
        """Extra periodic feeds, called every :data:`BASE_INTERVAL_S`."""

    @staticmethod
    def _dumps(body: dict[str, Any]) -> str:
        return dumps(body)

    # --- connections --------------------------------------------------------------------------------
    async def _close_session(self, session: WsSession) -> None:
        """A close frame (going away), at most 1 s; the session's own close follows in :meth:`handle`."""
        with contextlib.suppress(ConnectionError, RuntimeError):
            await asyncio.wait_for(session.ws.close(code=WSCloseCode.GOING_AWAY), 1.0)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        """aiohttp handler of the venue's WebSocket path."""
        ws = await self._accept(request)
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
            request: WsRequest | None = _request_decoder.decode(data)
        except (msgspec.DecodeError, msgspec.ValidationError):
            request = None
        if request is None or not request.channel:
            body = self._envelope("", "")
            body.update(error={"code": 1, "message": self.INVALID_BODY_MESSAGE}, result={"status": "fail"})
            session.send(self._dumps(body))
            return
        if request.channel == f"{self.PREFIX}.ping":
            body = self._envelope(f"{self.PREFIX}.pong", "", request.id)
            body.update(error=None, result=None)
            session.send(self._dumps(body))
            return
        try:
            if request.event not in ("subscribe", "unsubscribe"):
                raise WsRequestError(2, f"unknown event {request.event}")
            self._dispatch(session, request, request.event == "subscribe")
        except WsRequestError as exc:
            body = self._envelope(request.channel, request.event, request.id)
            body.update(error={"code": exc.code, "message": exc.message}, result={"status": "fail"})
        else:
            body = self._envelope(request.channel, request.event, request.id)
            body.update(error=None, result={"status": "success"})
        session.send(self._dumps(body))

    def _symbols(self, items: list[Any] | None, *, allow_all: bool = False) -> list[str]:
        if not items:
            raise WsRequestError(2, f"payload must list {self.SYMBOL_NOUN}s")
        for item in items:
            if not (isinstance(item, str) and (self._known_symbol(item) or (allow_all and item == "!all"))):
                raise WsRequestError(2, f"unknown {self.SYMBOL_NOUN} {item}")
        return [str(item) for item in items]

    def _subscribe_symbols(self, session: WsSession, channel: str, symbols: list[str], subscribe: bool) -> None:
        for symbol in symbols:
            subs = self.symbol_subs[channel].setdefault(symbol, set())
            if subscribe:
                subs.add(session)
            else:
                subs.discard(session)

    def _authorize(self, session: WsSession, request: WsRequest, subscribe: bool) -> GateioUser | None:
        """Authenticate a private request (a subscribe, or an unsubscribe carrying auth): the session's user."""
        if subscribe or request.auth is not None:
            session.user = self._authenticate(request)
        return session.user

    def _subscribe_private(self, session: WsSession, channel: str, targets: set[str], subscribe: bool) -> None:
        private = self.private_subs[channel]
        if subscribe:
            private.setdefault(session, set()).update(targets)
        elif session in private:
            private[session].difference_update(targets)

    @staticmethod
    def _subscribe_feed(
        feeds: dict[Any, FeedT],
        key: Any,
        create: Callable[[], FeedT],
        subscribers: Callable[[FeedT], set[WsSession]],
        session: WsSession,
        subscribe: bool,
    ) -> None:
        feed = feeds.get(key)
        if subscribe:
            if feed is None:
                feed = feeds[key] = create()
            subscribers(feed).add(session)
        elif feed is not None:
            subscribers(feed).discard(session)

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

    def _forget(self, session: WsSession) -> None:
        self.sessions.discard(session)
        for feed in self.obu_feeds.values():
            feed.subscribers.discard(session)
        for per_symbol in self.symbol_subs.values():
            for subs in per_symbol.values():
                subs.discard(session)
        for private in self.private_subs.values():
            private.pop(session, None)

    # --- engine events (synchronous, hot path) ------------------------------------------------------
    def on_book_change(self, symbol: str, side: Side, price: Decimal, total: Decimal, sequence: int) -> None:
        for feed in self.obu_feeds.values():
            if feed.pair == symbol:
                feed.record(side, price, total, sequence)
        if self.symbol_subs[self._book_ticker_channel].get(symbol):
            # Coalesce: a market tick or an order changes many levels synchronously; subscribers get the
            # top of book once that is done (as the venue's 10 ms book ticker does), never a half-built one.
            self._ticker_pending[symbol] = sequence
            if not self._ticker_flush_scheduled:
                self._ticker_flush_scheduled = True
                asyncio.get_running_loop().call_soon(self._flush_book_tickers)

    def _flush_book_tickers(self) -> None:
        self._ticker_flush_scheduled = False
        pending, self._ticker_pending = self._ticker_pending, {}
        for symbol, sequence in pending.items():
            subs = self.symbol_subs[self._book_ticker_channel].get(symbol)
            if subs:
                self._book_ticker(symbol, subs, sequence)

    def _book_ticker(self, symbol: str, subs: set[WsSession], sequence: int) -> None:
        engine = self.venue.engines[symbol]
        bid, ask = engine.bids.best(), engine.asks.best()
        bid_size = engine.bids.totals[bid] if bid is not None else Decimal(0)
        ask_size = engine.asks.totals[ask] if ask is not None else Decimal(0)
        top = (bid, bid_size, ask, ask_size)
        if self._last_book_ticker.get(symbol) == top:
            return
        self._last_book_ticker[symbol] = top
        body = self._envelope(self._book_ticker_channel, "update")
        body["result"] = {
            "t": body["time_ms"],
            "u": sequence,
            "s": symbol,
            "b": fmt(bid) if bid is not None else "",
            "B": self._size(bid_size),
            "a": fmt(ask) if ask is not None else "",
            "A": self._size(ask_size),
        }
        self._broadcast(subs, body)

    def _push(self, sessions: set[WsSession] | list[WsSession], channel: str, result: Any) -> None:
        body = self._envelope(channel, "update")
        body["result"] = result
        self._broadcast(sessions, body)

    def _push_private(self, channel: str, user: GateioUser, symbol: str, result: Callable[[], Any]) -> None:
        """Send ``result()`` to the sessions of ``user`` subscribed to ``channel`` for ``symbol`` (or ``!all``)."""
        targets = self._private_targets(channel, user, symbol)
        if targets:
            self._push(targets, channel, result())

    def _private_targets(self, channel: str, user: GateioUser, symbol: str) -> list[WsSession]:
        return [
            session
            for session, symbols in self.private_subs[channel].items()
            if session.user is user and (symbol in symbols or "!all" in symbols)
        ]

    def _broadcast(self, sessions: Iterable[WsSession], body: dict[str, Any]) -> None:
        text = self._dumps(body)
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
            self._on_tick(now)

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
        bids: list[Any] = []
        asks: list[Any] = []
        for (side, price), total in sorted(changes.items(), key=lambda item: item[0][1]):
            if side is Side.BUY and (floor_bid is None or price >= floor_bid or not total):
                bids.append(self._obu_level(price, total))
            elif side is Side.SELL and (cap_ask is None or price <= cap_ask or not total):
                asks.append(self._obu_level(price, total))
        bids.reverse()
        body = self._envelope(f"{self.PREFIX}.order_book_update", "update")
        result: dict[str, Any] = {"t": body["time_ms"]}
        result.update(self._obu_header(body))
        result.update(s=feed.pair, U=first_id, u=last_id, b=bids, a=asks, l=str(feed.depth))
        body["result"] = result
        self._broadcast(feed.subscribers, body)
