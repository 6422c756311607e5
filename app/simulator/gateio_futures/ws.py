"""Gate.io futures WebSocket v4 server side (reference 8 and 10) at ``/v4/ws/usdt``.

The connection, request decoding, session writer and update batching are the spot hub's pieces
(:class:`~app.simulator.gateio_spot.ws.WsSession`, ``OrderBookUpdateFeed``); this hub declares the
futures channels and shapes. ``futures.order_book_update`` batches each interval's level changes
(``U``/``u`` = first/last book id, ``U == previous u + 1``), levels ``{"p": price, "s": contracts}``.
Private channels take ``[uid, contract | "!all"]`` (``futures.balances`` ``[uid]``) and send numbers.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import msgspec
from aiohttp import WSCloseCode, WSMsgType, web

from app.domain.enums import Side
from app.exchanges.gateio.auth import sign_ws, verify
from app.simulator.common import fmt
from app.simulator.gateio_futures import payloads
from app.simulator.gateio_futures.accounts import LedgerRow, SimPosition
from app.simulator.gateio_spot.ws import OrderBookUpdateFeed, WsRequest, WsRequestError, WsSession
from app.simulator.matching import Fill, OrderEvent, SimOrder

if TYPE_CHECKING:
    from app.simulator.gateio_futures.venue import GateioFuturesVenue
    from app.simulator.gateio_spot.venue import GateioUser

OBU_INTERVALS = {"20ms": 0.02, "100ms": 0.1}
OBU_LEVELS = {"20ms": ("20",), "100ms": ("100", "50", "20")}
PUBLIC_CHANNELS = ("futures.trades", "futures.book_ticker")
PRIVATE_CHANNELS = ("futures.orders", "futures.usertrades", "futures.positions", "futures.balances")
BASE_INTERVAL_S = 0.02
AUTH_WINDOW_S = 60

_request_decoder = msgspec.json.Decoder(WsRequest)
_numbers = msgspec.json.Encoder(decimal_format="number")


def dumps(body: dict[str, Any]) -> str:
    """JSON text with ``Decimal`` values as JSON numbers (futures channels send numbers)."""
    return _numbers.encode(body).decode()


class GateioFuturesWsHub:
    """Routes futures engine and account events to subscribed sessions and answers requests."""

    def __init__(self, venue: GateioFuturesVenue) -> None:
        self.venue = venue
        self.idle_timeout_s = 60.0
        self.sessions: set[WsSession] = set()
        self.obu_feeds: dict[tuple[str, str, int], OrderBookUpdateFeed] = {}
        self.contract_subs: dict[str, dict[str, set[WsSession]]] = {c: {} for c in PUBLIC_CHANNELS}
        self.private_subs: dict[str, dict[WsSession, set[str]]] = {c: {} for c in PRIVATE_CHANNELS}
        self._last_book_ticker: dict[str, tuple[Decimal | None, Decimal, Decimal | None, Decimal]] = {}
        self._ticker_pending: dict[str, int] = {}
        self._ticker_flush_scheduled = False
        self._task: asyncio.Task[None] | None = None

    # --- lifecycle ----------------------------------------------------------------------------------
    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="simulator-futures-ws-feeds")

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
        """aiohttp handler of ``GET /v4/ws/usdt``."""
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
            request: WsRequest | None = _request_decoder.decode(data)
        except (msgspec.DecodeError, msgspec.ValidationError):
            request = None
        if request is None or not request.channel:
            body = self._envelope("", "")
            body.update(error={"code": 1, "message": "invalid argument struct"}, result={"status": "fail"})
            session.send(dumps(body))
            return
        if request.channel == "futures.ping":
            body = self._envelope("futures.pong", "", request.id)
            body.update(error=None, result=None)
            session.send(dumps(body))
            return
        body = self._envelope(request.channel, request.event, request.id)
        try:
            if request.event not in ("subscribe", "unsubscribe"):
                raise WsRequestError(2, f"unknown event {request.event}")
            self._dispatch(session, request, request.event == "subscribe")
        except WsRequestError as exc:
            body.update(error={"code": exc.code, "message": exc.message}, result={"status": "fail"})
        else:
            body.update(error=None, result={"status": "success"})
        session.send(dumps(body))

    def _contracts(self, items: list[Any], *, allow_all: bool = False) -> list[str]:
        if not items:
            raise WsRequestError(2, "payload must list contracts")
        for item in items:
            if not (isinstance(item, str) and (item in self.venue.contracts or (allow_all and item == "!all"))):
                raise WsRequestError(2, f"unknown contract {item}")
        return [str(item) for item in items]

    def _dispatch(self, session: WsSession, request: WsRequest, subscribe: bool) -> None:
        channel, payload = request.channel, request.payload or []
        if channel == "futures.order_book_update":
            if len(payload) not in (2, 3) or payload[1] not in OBU_INTERVALS:
                raise WsRequestError(2, 'payload must be [contract, "20ms" | "100ms", level]')
            level = str(payload[2]) if len(payload) == 3 else OBU_LEVELS[payload[1]][0]
            if level not in OBU_LEVELS[payload[1]]:
                raise WsRequestError(2, f"invalid level {level} for {payload[1]}")
            contract = self._contracts(payload[:1])[0]
            self._subscribe_obu(session, contract, str(payload[1]), int(level), subscribe)
        elif channel in PUBLIC_CHANNELS:
            for contract in self._contracts(payload):
                subs = self.contract_subs[channel].setdefault(contract, set())
                if subscribe:
                    subs.add(session)
                else:
                    subs.discard(session)
        elif channel in PRIVATE_CHANNELS:
            if subscribe or request.auth is not None:
                session.user = self._authenticate(request)
            user = session.user
            if user is None or not payload or str(payload[0]) != user.uid:
                raise WsRequestError(2, "payload must start with your user id")
            targets = {"!all"} if channel == "futures.balances" else set(self._contracts(payload[1:], allow_all=True))
            private = self.private_subs[channel]
            if subscribe:
                private.setdefault(session, set()).update(targets)
            elif session in private:
                private[session].difference_update(targets)
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

    def _subscribe_obu(self, session: WsSession, contract: str, interval: str, level: int, subscribe: bool) -> None:
        key = (contract, interval, level)
        feed = self.obu_feeds.get(key)
        if subscribe:
            if feed is None:
                feed = self.obu_feeds[key] = OrderBookUpdateFeed(contract, OBU_INTERVALS[interval], level)
            feed.subscribers.add(session)
        elif feed is not None:
            feed.subscribers.discard(session)

    def _forget(self, session: WsSession) -> None:
        self.sessions.discard(session)
        for feed in self.obu_feeds.values():
            feed.subscribers.discard(session)
        for per_contract in self.contract_subs.values():
            for subs in per_contract.values():
                subs.discard(session)
        for private in self.private_subs.values():
            private.pop(session, None)

    # --- engine / account events (synchronous) ------------------------------------------------------
    def on_book_change(self, contract: str, side: Side, price: Decimal, total: Decimal, sequence: int) -> None:
        for (name, _, _), feed in self.obu_feeds.items():
            if name == contract:
                feed.record(side, price, total, sequence)
        if self.contract_subs["futures.book_ticker"].get(contract):
            # Coalesce: a market tick or an order changes many levels synchronously; subscribers get the
            # top of book once that is done (as the venue's 10 ms book ticker does), never a half-built one.
            self._ticker_pending[contract] = sequence
            if not self._ticker_flush_scheduled:
                self._ticker_flush_scheduled = True
                asyncio.get_running_loop().call_soon(self._flush_book_tickers)

    def _flush_book_tickers(self) -> None:
        self._ticker_flush_scheduled = False
        pending, self._ticker_pending = self._ticker_pending, {}
        for contract, sequence in pending.items():
            subs = self.contract_subs["futures.book_ticker"].get(contract)
            if subs:
                self._book_ticker(contract, subs, sequence)

    def _book_ticker(self, contract: str, subs: set[WsSession], sequence: int) -> None:
        engine = self.venue.engines[contract]
        bid, ask = engine.bids.best(), engine.asks.best()
        top = (
            bid,
            engine.bids.totals[bid] if bid is not None else Decimal(0),
            ask,
            engine.asks.totals[ask] if ask is not None else Decimal(0),
        )
        if self._last_book_ticker.get(contract) == top:
            return
        self._last_book_ticker[contract] = top
        body = self._envelope("futures.book_ticker", "update")
        body["result"] = {
            "t": body["time_ms"],
            "u": sequence,
            "s": contract,
            "b": fmt(bid) if bid is not None else "",
            "B": int(top[1]),
            "a": fmt(ask) if ask is not None else "",
            "A": int(top[3]),
        }
        self._broadcast(subs, body)

    def on_trade(self, fill: Fill) -> None:
        subs = self.contract_subs["futures.trades"].get(fill.symbol)
        if subs:
            body = self._envelope("futures.trades", "update")
            body["result"] = [payloads.public_trade(fill, ws=True)]
            self._broadcast(subs, body)

    def on_user_trade(self, fill: Fill, maker: bool, info: dict[str, Any], user: GateioUser) -> None:
        targets = self._private_targets("futures.usertrades", user, fill.symbol)
        if targets:
            body = self._envelope("futures.usertrades", "update")
            body["result"] = [payloads.user_trade(fill, maker, info, ws=True)]
            self._broadcast(targets, body)

    def on_order(self, order: SimOrder, event: OrderEvent, user: GateioUser) -> None:
        targets = self._private_targets("futures.orders", user, order.symbol)
        if targets:
            body = self._envelope("futures.orders", "update")
            body["result"] = [payloads.order(order, user.uid, ws=True)]
            self._broadcast(targets, body)

    def on_position(self, position: SimPosition) -> None:
        user = self.venue.users_by_account.get(position.user)
        if user is None:
            return
        targets = self._private_targets("futures.positions", user, position.contract)
        if targets:
            body = self._envelope("futures.positions", "update")
            body["result"] = [payloads.position(self.venue, position, ws=True)]
            self._broadcast(targets, body)

    def on_ledger_row(self, row: LedgerRow, user: GateioUser) -> None:
        targets = self._private_targets("futures.balances", user, "!all")
        if targets:
            body = self._envelope("futures.balances", "update")
            body["result"] = [payloads.ledger_row(row, user.uid)]
            self._broadcast(targets, body)

    def _private_targets(self, channel: str, user: GateioUser, contract: str) -> list[WsSession]:
        return [
            session
            for session, contracts in self.private_subs[channel].items()
            if session.user is user and (contract in contracts or "!all" in contracts)
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
        bids: list[dict[str, Any]] = []
        asks: list[dict[str, Any]] = []
        for (side, price), total in sorted(changes.items(), key=lambda item: item[0][1]):
            level = {"p": fmt(price), "s": int(total)}
            if side is Side.BUY and (floor_bid is None or price >= floor_bid or not total):
                bids.append(level)
            elif side is Side.SELL and (cap_ask is None or price <= cap_ask or not total):
                asks.append(level)
        bids.reverse()
        body = self._envelope("futures.order_book_update", "update")
        body["result"] = {
            "t": body["time_ms"],
            "s": feed.pair,
            "U": first_id,
            "u": last_id,
            "b": bids,
            "a": asks,
            "l": str(feed.depth),
        }
        self._broadcast(feed.subscribers, body)
