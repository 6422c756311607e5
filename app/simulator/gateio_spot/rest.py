"""Gate.io spot REST v4 routes (reference sections 2, 4, 5, 7) served under ``/api/v4``.

Every response carries ``X-In-Time``/``X-Out-Time`` (microseconds), ``X-Gate-Trace-ID`` and the
``X-Gate-RateLimit-*`` headers; errors are ``{"label": ..., "message": ...}`` with the venue's statuses,
e.g. ``401 {"label":"INVALID_SIGNATURE","message":"Signature mismatch"}``.
"""

from __future__ import annotations

from typing import Any

import msgspec
from aiohttp import web

from app.simulator.common import fmt
from app.simulator.gateio_rest_routes import PREFIX as PREFIX
from app.simulator.gateio_rest_routes import GateRoutes, int_param, json_body, refuse_iceberg
from app.simulator.gateio_spot import payloads
from app.simulator.gateio_spot.venue import (
    GateApiError,
    GateioSpotVenue,
    GateioUser,
    invalid_param,
)
from app.simulator.route_plumbing import signed_user


class OrderBody(msgspec.Struct):
    """``POST /spot/orders`` body; numbers may come as strings or JSON numbers."""

    currency_pair: str | None = None
    side: str | None = None
    amount: str | int | float | None = None
    price: str | int | float | None = None
    type: str | None = None
    time_in_force: str | None = None
    text: str | None = None
    account: str | None = None
    iceberg: str | int | None = None
    action_mode: str | None = None


_order_body = msgspec.json.Decoder(OrderBody)


class GateioSpotRest(GateRoutes):
    """Registers the spot REST routes on an aiohttp router; one instance per venue."""

    venue: GateioSpotVenue
    PLACEMENT_SUFFIX = "/spot/orders"

    def register(self, router: web.UrlDispatcher) -> None:
        add = self._add
        add(router, "GET", "/spot/currency_pairs", self.currency_pairs, "public")
        add(router, "GET", "/spot/currency_pairs/{currency_pair}", self.currency_pair, "public")
        add(router, "GET", "/spot/order_book", self.order_book, "public")
        add(router, "GET", "/spot/trades", self.trades, "public")
        add(router, "GET", "/spot/tickers", self.tickers, "public")
        add(router, "GET", "/spot/time", self.server_time, "public")
        add(router, "GET", "/spot/currencies", self.currencies, "public")
        add(router, "GET", "/margin/currency_pairs", self.margin_pairs, "public")
        add(router, "POST", "/spot/orders", self.create_order, "place", signed=True)
        add(router, "GET", "/spot/orders", self.list_orders, "private", signed=True)
        add(router, "DELETE", "/spot/orders", self.cancel_all, "cancel", signed=True)
        add(router, "GET", "/spot/orders/{order_id}", self.get_order, "private", signed=True)
        add(router, "DELETE", "/spot/orders/{order_id}", self.cancel_order, "cancel", signed=True)
        add(router, "GET", "/spot/open_orders", self.open_orders, "private", signed=True)
        add(router, "GET", "/spot/accounts", self.accounts, "private", signed=True)
        add(router, "GET", "/spot/my_trades", self.my_trades, "private", signed=True)

    # --- public -------------------------------------------------------------------------------------
    async def currency_pairs(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        return 200, [self.venue.currency_pair(symbol) for symbol in self.venue.pairs]

    async def currency_pair(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        pair = self.venue.pair(request.match_info["currency_pair"])
        return 200, self.venue.currency_pair(pair.spec.symbol)

    async def order_book(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        query = request.query
        pair = self.venue.pair(query.get("currency_pair"))
        limit = int_param(query, "limit", 10, 1, 1000)
        if query.get("interval", "0") != "0":
            raise invalid_param("interval", query.get("interval"))
        engine = self.venue.engines[pair.spec.symbol]
        body: dict[str, Any] = {}
        if query.get("with_id", "false").lower() == "true":
            body["id"] = engine.sequence
        body["current"] = self.venue.clock.now_ms()
        body["update"] = engine.last_update_us // 1000
        body["asks"] = payloads.levels(engine.asks.depth(limit))
        body["bids"] = payloads.levels(engine.bids.depth(limit))
        return 200, body

    async def trades(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        pair = self.venue.pair(request.query.get("currency_pair"))
        limit = int_param(request.query, "limit", 100, 1, 1000)
        history = list(self.venue.public_trades[pair.spec.symbol])[-limit:]
        history.reverse()
        return 200, [payloads.public_trade_rest(fill) for fill in history]

    async def tickers(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        symbol = request.query.get("currency_pair")
        if symbol:
            return 200, [self.venue.ticker(self.venue.pair(symbol).spec.symbol, with_sizes=True)]
        return 200, [self.venue.ticker(s) for s in self.venue.pairs]

    async def server_time(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        return 200, {"server_time": self.venue.clock.now_ms()}

    async def currencies(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        names = {p.spec.base: p.base_name for p in self.venue.pairs.values()}
        names.update({p.spec.quote: p.quote_name for p in self.venue.pairs.values()})
        flags = ("delisted", "withdraw_disabled", "withdraw_delayed", "deposit_disabled", "trade_disabled")
        return 200, [
            {"currency": code, "name": name, **dict.fromkeys(flags, False), "chain": code, "chains": []}
            for code, name in sorted(names.items())
        ]

    async def margin_pairs(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        """No margin trading here: an empty list (ccxt's spot market loading also asks for it)."""
        return 200, []

    # --- private ------------------------------------------------------------------------------------
    async def create_order(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        body = await json_body(request, _order_body)
        action_mode = (body.action_mode or "FULL").upper()
        if action_mode not in ("ACK", "RESULT", "FULL"):
            raise invalid_param("action_mode", body.action_mode)
        refuse_iceberg(body.iceberg)
        order = self.venue.place_order(
            signed_user(user),
            symbol=body.currency_pair,
            side=body.side,
            amount=body.amount,
            price=body.price,
            order_type=body.type,
            time_in_force=body.time_in_force,
            text=body.text,
            account=body.account,
        )
        return 201, payloads.order_rest(order, self.venue.pairs[order.symbol].spec.quote, action_mode)

    def _order_json(self, order: Any) -> dict[str, Any]:
        return payloads.order_rest(order, self.venue.pairs[order.symbol].spec.quote)

    async def get_order(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        order = self.venue.find_order(
            signed_user(user), request.query.get("currency_pair"), request.match_info["order_id"]
        )
        return 200, self._order_json(order)

    async def cancel_order(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        ref = request.match_info["order_id"]
        order = self.venue.cancel_order(signed_user(user), request.query.get("currency_pair"), ref)
        return 200, self._order_json(order)

    async def cancel_all(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        query = request.query
        cancelled = self.venue.cancel_all(signed_user(user), query.get("currency_pair"), query.get("side"))
        return 200, [{**self._order_json(order), "succeeded": True} for order in cancelled]

    async def list_orders(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        query = request.query
        status = query.get("status")
        if status not in ("open", "finished"):
            raise invalid_param("status", status)
        symbol = query.get("currency_pair")
        if status == "open" or symbol:
            symbol = self.venue.pair(symbol).spec.symbol
        page = int_param(query, "page", 1, 1, 100_000)
        limit = int_param(query, "limit", 100, 1, 100 if status == "open" else 1000)
        orders = self.venue.user_orders(signed_user(user), symbol, is_open=status == "open")
        side = query.get("side")
        if status == "finished":
            if side:
                orders = [o for o in orders if o.side.value == side]
            orders.sort(key=lambda o: o.finished_us, reverse=True)
        else:
            orders.sort(key=lambda o: o.created_us, reverse=True)
        chunk = orders[(page - 1) * limit : page * limit]
        return 200, [self._order_json(order) for order in chunk]

    async def open_orders(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        limit = int_param(request.query, "limit", 100, 1, 100)
        grouped: dict[str, list[Any]] = {}
        for order in sorted(self.venue.user_orders(signed_user(user), is_open=True), key=lambda o: o.created_us):
            grouped.setdefault(order.symbol, []).append(order)
        return 200, [
            {"currency_pair": symbol, "total": len(orders), "orders": [self._order_json(o) for o in orders[:limit]]}
            for symbol, orders in grouped.items()
        ]

    async def accounts(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        currency = request.query.get("currency")
        balances = self.venue.balances(signed_user(user))
        return 200, [
            {"currency": name, "available": fmt(entry.free), "locked": fmt(entry.locked), "update_id": entry.version}
            for name, entry in sorted(balances.items())
            if not currency or name == currency.upper()
        ]

    async def my_trades(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        query = request.query
        symbol = query.get("currency_pair")
        if symbol:
            symbol = self.venue.pair(symbol).spec.symbol
        order_id = query.get("order_id")
        if order_id and not symbol:
            raise GateApiError(400, "MISSING_REQUIRED_PARAM", "Missing required parameter: currency_pair")
        limit = int_param(query, "limit", 100, 1, 1000)
        page = int_param(query, "page", 1, 1, 100_000)
        rows = []
        for fill, maker in reversed(self.venue.user_trades[signed_user(user).uid]):
            own = fill.maker if maker else fill.taker
            if (symbol is None or fill.symbol == symbol) and (not order_id or own.order_id == order_id):
                rows.append(payloads.my_trade_rest(fill, maker))
        return 200, rows[(page - 1) * limit : page * limit]


WS_PATHS = ("/ws/v4/", "/ws/v4")


def mount(venue: GateioSpotVenue, router: web.UrlDispatcher) -> GateioSpotRest:
    """Register the venue's REST routes and its WS endpoint; returns the REST object (for the fallback)."""
    rest = GateioSpotRest(venue)
    rest.register(router)
    for path in WS_PATHS:
        router.add_get(path, venue.hub.handle)
    return rest
