"""Gate.io futures REST v4 routes (reference 2, 6, 7) under ``/api/v4/futures/{settle}/...``.

Same conventions as the spot routes (signature check, ``X-Gate-RateLimit-*`` / ``X-In-Time`` headers,
``{"label", "message"}`` errors). Only ``settle=usdt`` is listed; ``/futures/btc/contracts``,
``/delivery/usdt/contracts`` and ``/options/underlyings`` answer empty lists so ccxt's default
``load_markets`` works, and ``/spot/time`` is served here when no spot venue runs.
"""

from __future__ import annotations

from typing import Any

import msgspec
from aiohttp import web

from app.simulator.common import fmt
from app.simulator.gateio_futures import payloads
from app.simulator.gateio_futures.venue import GateioFuturesVenue
from app.simulator.gateio_rest_routes import PREFIX as PREFIX
from app.simulator.gateio_rest_routes import GateRoutes, Handler, has_route, int_param, json_body, refuse_iceberg
from app.simulator.gateio_spot.venue import GateApiError, GateioUser, invalid_param
from app.simulator.route_plumbing import signed_user

WS_PATH = "/v4/ws/usdt"
FUTURES = "/futures/{settle}"
SIZE_DECIMAL_HEADER = "X-Gate-Size-Decimal"


class FuturesOrderBody(msgspec.Struct):
    """``POST /futures/usdt/orders`` body; ``size`` an int (or a decimal string), ``price`` a string."""

    contract: str | None = None
    size: int | float | str | None = None
    price: str | int | float | None = None
    tif: str | None = None
    text: str | None = None
    reduce_only: bool = False
    close: bool = False
    auto_size: str | None = None
    iceberg: int | str | None = None


_order_body = msgspec.json.Decoder(FuturesOrderBody)


def _decimal_sizes(request: web.Request) -> bool:
    return request.headers.get(SIZE_DECIMAL_HEADER) == "1"


def _usdt_settled(handler: Handler, *, listing: bool) -> Handler:
    """Serve only ``settle=usdt``: a ``btc`` contract listing is empty (ccxt asks), any other settle refused."""

    async def settled(request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        settle = request.match_info.get("settle", "usdt")
        if settle == "usdt":
            return await handler(request, user)
        if listing and settle == "btc":
            return 200, []
        raise invalid_param("settle", settle)

    return settled


class GateioFuturesRest(GateRoutes):
    """Registers the futures REST routes on an aiohttp router; one instance per venue."""

    venue: GateioFuturesVenue
    PLACEMENT_SUFFIX = "/orders"

    def register(self, router: web.UrlDispatcher) -> None:
        add = self._add
        add(router, "GET", f"{FUTURES}/contracts", self.contracts, "public")
        add(router, "GET", f"{FUTURES}/contracts/{{contract}}", self.contract, "public")
        add(router, "GET", f"{FUTURES}/order_book", self.order_book, "public")
        add(router, "GET", f"{FUTURES}/trades", self.trades, "public")
        add(router, "GET", f"{FUTURES}/tickers", self.tickers, "public")
        add(router, "GET", f"{FUTURES}/funding_rate", self.funding_rate, "public")
        add(router, "GET", "/delivery/{settle}/contracts", self.empty, "public")
        add(router, "GET", "/options/underlyings", self.empty, "public")
        if not has_route(router, "GET", f"{PREFIX}/spot/time"):
            add(router, "GET", "/spot/time", self.server_time, "public")
        add(router, "GET", f"{FUTURES}/accounts", self.account, "private", signed=True)
        add(router, "GET", f"{FUTURES}/positions", self.positions, "private", signed=True)
        add(router, "GET", f"{FUTURES}/positions/{{contract}}", self.position, "private", signed=True)
        add(router, "POST", f"{FUTURES}/positions/{{contract}}/leverage", self.leverage, "private", signed=True)
        add(router, "GET", f"{FUTURES}/dual_comp/positions/{{contract}}", self.dual_positions, "private", signed=True)
        add(
            router,
            "POST",
            f"{FUTURES}/dual_comp/positions/{{contract}}/leverage",
            self.dual_leverage,
            "private",
            signed=True,
        )
        add(router, "POST", f"{FUTURES}/dual_mode", self.dual_mode, "private", signed=True)
        add(router, "POST", f"{FUTURES}/orders", self.create_order, "place", signed=True)
        add(router, "GET", f"{FUTURES}/orders", self.list_orders, "private", signed=True)
        add(router, "DELETE", f"{FUTURES}/orders", self.cancel_all, "cancel", signed=True)
        add(router, "GET", f"{FUTURES}/orders/{{order_id}}", self.get_order, "private", signed=True)
        add(router, "DELETE", f"{FUTURES}/orders/{{order_id}}", self.cancel_order, "cancel", signed=True)
        add(router, "GET", f"{FUTURES}/my_trades", self.my_trades, "private", signed=True)
        add(router, "GET", f"{FUTURES}/my_trades_timerange", self.my_trades, "private", signed=True)  # ccxt

    def _wrap(self, path: str, handler: Handler) -> Handler:
        if "{settle}" in path:
            return _usdt_settled(handler, listing=path.endswith("/contracts"))
        return handler

    # --- public -------------------------------------------------------------------------------------
    async def contracts(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        return 200, [payloads.contract(self.venue, spec) for spec in self.venue.contracts.values()]

    async def contract(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        return 200, payloads.contract(self.venue, self.venue.contract(request.match_info["contract"]))

    async def order_book(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        query = request.query
        spec = self.venue.contract(query.get("contract"))
        limit = int_param(query, "limit", 10, 1, 300)
        if query.get("interval", "0") != "0":
            raise invalid_param("interval", query.get("interval"))
        engine = self.venue.engines[spec.name]
        decimal_sizes = _decimal_sizes(request)
        body: dict[str, Any] = {}
        if query.get("with_id", "false").lower() == "true":
            body["id"] = engine.sequence
        body["current"] = self.venue.clock.now_ms() / 1000
        body["update"] = engine.last_update_us / 1_000_000
        body["asks"] = payloads.levels(engine.asks.depth(limit), decimal_sizes)
        body["bids"] = payloads.levels(engine.bids.depth(limit), decimal_sizes)
        return 200, body

    async def trades(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        spec = self.venue.contract(request.query.get("contract"))
        limit = int_param(request.query, "limit", 100, 1, 1000)
        history = list(self.venue.public_trades[spec.name])[-limit:]
        history.reverse()
        decimal_sizes = _decimal_sizes(request)
        return 200, [payloads.public_trade(fill, decimal_sizes=decimal_sizes) for fill in history]

    async def tickers(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        contract = request.query.get("contract")
        specs = [self.venue.contract(contract)] if contract else list(self.venue.contracts.values())
        return 200, [payloads.ticker(self.venue, spec) for spec in specs]

    async def funding_rate(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        spec = self.venue.contract(request.query.get("contract"))
        limit = int_param(request.query, "limit", 100, 1, 1000)
        history = list(self.venue.funding_history[spec.name])[:limit]
        return 200, [{"t": t, "r": fmt(rate)} for t, rate in history]

    async def empty(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        """Delivery futures and options are not simulated (ccxt's ``load_markets`` asks for them)."""
        return 200, []

    async def server_time(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        return 200, {"server_time": self.venue.clock.now_ms()}

    # --- account and positions ----------------------------------------------------------------------
    async def account(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        return 200, payloads.account(self.venue, signed_user(user).uid)

    def _position_json(self, request: web.Request, position: Any) -> dict[str, Any]:
        return payloads.position(self.venue, position, decimal_sizes=_decimal_sizes(request))

    async def positions(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        holding = request.query.get("holding", "false").lower() == "true"
        items = [p for p in self.venue.positions(signed_user(user)) if p.size or not holding]
        return 200, [self._position_json(request, p) for p in items]

    def _single(self, user: GateioUser, contract: str) -> Any:
        spec = self.venue.contract(contract)
        if self.venue.accounts.users[user.uid].dual_mode:
            raise GateApiError(400, "POSITION_DUAL_MODE", "dual mode: use /dual_comp/positions")
        return self.venue.accounts.position(user.uid, spec.name, "single")

    def _dual(self, user: GateioUser, contract: str) -> list[Any]:
        spec = self.venue.contract(contract)
        if not self.venue.accounts.users[user.uid].dual_mode:
            raise GateApiError(400, "POSITION_NOT_DUAL_MODE", "single mode: use /positions")
        return self.venue.accounts.positions_of(user.uid, spec.name)

    async def position(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        return 200, self._position_json(request, self._single(signed_user(user), request.match_info["contract"]))

    async def dual_positions(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        return 200, [
            self._position_json(request, p) for p in self._dual(signed_user(user), request.match_info["contract"])
        ]

    async def leverage(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        position = self._single(signed_user(user), request.match_info["contract"])
        query = request.query
        self.venue.set_leverage(
            signed_user(user), position.contract, query.get("leverage"), query.get("cross_leverage_limit")
        )
        return 200, self._position_json(request, position)

    async def dual_leverage(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        positions = self._dual(signed_user(user), request.match_info["contract"])
        query = request.query
        self.venue.set_leverage(
            signed_user(user), positions[0].contract, query.get("leverage"), query.get("cross_leverage_limit")
        )
        return 200, [self._position_json(request, p) for p in positions]

    async def dual_mode(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        value = request.query.get("dual_mode", "").lower()
        if value not in ("true", "false"):
            raise invalid_param("dual_mode", value)
        self.venue.set_dual_mode(signed_user(user), value == "true")
        return 200, payloads.account(self.venue, signed_user(user).uid)

    # --- orders -------------------------------------------------------------------------------------
    def _order_json(self, request: web.Request, order: Any, user: GateioUser) -> dict[str, Any]:
        return payloads.order(order, user.uid, decimal_sizes=_decimal_sizes(request))

    async def create_order(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        body = await json_body(request, _order_body)
        refuse_iceberg(body.iceberg)
        order = self.venue.place_order(
            signed_user(user),
            contract=body.contract,
            size=body.size,
            price=body.price,
            tif=body.tif,
            text=body.text,
            reduce_only=body.reduce_only,
            close=body.close,
            auto_size=body.auto_size,
        )
        return 201, self._order_json(request, order, signed_user(user))

    async def get_order(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        order = self.venue.find_order(signed_user(user), request.match_info["order_id"])
        return 200, self._order_json(request, order, signed_user(user))

    async def cancel_order(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        order = self.venue.cancel_order(signed_user(user), request.match_info["order_id"])
        return 200, self._order_json(request, order, signed_user(user))

    async def cancel_all(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        query = request.query
        cancelled = self.venue.cancel_all(signed_user(user), query.get("contract"), query.get("side"))
        return 200, [self._order_json(request, order, signed_user(user)) for order in cancelled]

    async def list_orders(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        query = request.query
        status = query.get("status")
        if status not in ("open", "finished"):
            raise invalid_param("status", status)
        contract = query.get("contract")
        if contract:
            contract = self.venue.contract(contract).name
        limit = int_param(query, "limit", 100, 1, 1000)
        offset = int_param(query, "offset", 0, 0, 1_000_000)
        orders = self.venue.user_orders(signed_user(user), contract or None, is_open=status == "open")
        orders.sort(key=lambda o: o.finished_us if status == "finished" else o.created_us, reverse=True)
        chunk = orders[offset : offset + limit]
        return 200, [self._order_json(request, order, signed_user(user)) for order in chunk]

    async def my_trades(self, request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
        query = request.query
        contract = query.get("contract")
        if contract:
            contract = self.venue.contract(contract).name
        order_id = query.get("order")
        limit = int_param(query, "limit", 100, 1, 1000)
        offset = int_param(query, "offset", 0, 0, 1_000_000)
        decimal_sizes = _decimal_sizes(request)
        rows = []
        for fill, maker, info in reversed(self.venue.user_trades[signed_user(user).uid]):
            own = fill.maker if maker else fill.taker
            if (not contract or fill.symbol == contract) and (not order_id or own.order_id == order_id):
                rows.append(payloads.user_trade(fill, maker, info, decimal_sizes=decimal_sizes))
        return 200, rows[offset : offset + limit]


def mount(venue: GateioFuturesVenue, router: web.UrlDispatcher) -> GateioFuturesRest:
    """Register the venue's REST routes and its WS endpoint; returns the REST object (for the fallback)."""
    rest = GateioFuturesRest(venue)
    rest.register(router)
    router.add_get(WS_PATH, venue.hub.handle)
    return rest
