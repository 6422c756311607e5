"""MEXC spot v3 REST routes (reference mexc.md sections 3, 5, 6, 7, 12) under ``/api/v3``.

Errors are ``{"code": .., "msg": ..}`` (HTTP 400 for venue refusals, 429 with ``Retry-After`` when throttled);
signed endpoints take their parameters from the query and/or a form body (query wins) and are verified by
:mod:`app.simulator.mexc.auth`. Quirks kept on purpose: the place-order answer has no ``status``, the cancel
answer shows the status *before* the cancel, public trade ids are ``null``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import Any

from aiohttp import web

from app.simulator.common import fmt
from app.simulator.faults import RestFault
from app.simulator.mexc import payloads
from app.simulator.mexc.auth import authenticate, request_params
from app.simulator.mexc.errors import MexcApiError, bad_param
from app.simulator.mexc.venue import MexcSpotVenue, MexcUser
from app.simulator.route_plumbing import json_answer, rate_limit, signed_user

PREFIX = "/api/v3"
WS_PATH = "/ws"
Params = Mapping[str, str]
Handler = Callable[[Params, MexcUser | None], Awaitable[Any]]


def raise_injected(fault: RestFault) -> None:
    """Raise the MEXC-shaped answer of an injected REST fault (none for ``NONE`` / ``LOST_RESPONSE``)."""
    if fault is RestFault.UNAVAILABLE:
        raise MexcApiError(503, 503, "Service Unavailable")
    if fault is RestFault.SERVER_ERROR:
        raise MexcApiError(500, 500, "Unknown error, please check your request or try again later.")
    if fault is RestFault.TOO_MANY_REQUESTS:
        raise MexcApiError(429, 429, "Too Many Requests", headers={"Retry-After": "1"})


def _int(params: Params, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_param(f"{name} is invalid") from None
    if not low <= value <= high:
        raise bad_param(f"{name} must be within {low}..{high}")
    return value


class MexcSpotRest:
    """Registers the spot REST routes on an aiohttp router; one instance per venue."""

    def __init__(self, venue: MexcSpotVenue) -> None:
        self.venue = venue

    def register(self, router: web.UrlDispatcher) -> None:
        add = self._add
        add(router, "GET", "/ping", self.ping, "ip")
        add(router, "GET", "/time", self.server_time, "ip")
        add(router, "GET", "/exchangeInfo", self.exchange_info, "ip")
        add(router, "GET", "/defaultSymbols", self.default_symbols, "ip")
        add(router, "GET", "/depth", self.depth, "ip")
        add(router, "GET", "/trades", self.trades, "ip")
        add(router, "GET", "/aggTrades", self.agg_trades, "ip")
        add(router, "GET", "/ticker/24hr", self.ticker_24hr, "ip")
        add(router, "GET", "/ticker/price", self.ticker_price, "ip")
        add(router, "GET", "/ticker/bookTicker", self.book_ticker, "ip")
        add(router, "POST", "/order", self.create_order, "order", signed=True)
        add(router, "POST", "/order/test", self.test_order, "order", signed=True)
        add(router, "GET", "/order", self.get_order, "uid", signed=True)
        add(router, "DELETE", "/order", self.cancel_order, "order", signed=True)
        add(router, "GET", "/openOrders", self.open_orders, "uid", signed=True)
        add(router, "DELETE", "/openOrders", self.cancel_open_orders, "order", signed=True)
        add(router, "GET", "/allOrders", self.all_orders, "uid", signed=True)
        add(router, "GET", "/account", self.account, "uid", signed=True)
        add(router, "GET", "/myTrades", self.my_trades, "uid", signed=True)
        add(router, "GET", "/capital/config/getall", self.capital_config, "uid", signed=True)
        for method in ("POST", "PUT", "DELETE", "GET"):
            add(router, method, "/userDataStream", self._listen_key_handler(method), "uid", signed=True)

    def register_fallback(self, router: web.UrlDispatcher) -> None:
        """A MEXC-shaped 404 for any other ``/api/v3`` path (register after every venue)."""

        async def not_found(params: Params, user: MexcUser | None) -> Any:
            raise MexcApiError(404, 404, "Not Found")

        self._add(router, "*", "/{tail:.*}", not_found, "ip")

    def _add(
        self,
        router: web.UrlDispatcher,
        method: str,
        path: str,
        handler: Handler,
        category: str,
        *,
        signed: bool = False,
    ) -> None:
        venue, endpoint = self.venue, f"{method} {PREFIX}{path}"
        placement = method == "POST" and path == "/order"

        async def endpoint_handler(request: web.Request) -> web.Response:
            headers: dict[str, str] = {}
            fault = venue.faults.rest_fault(order_placement=placement)
            try:
                raise_injected(fault)
                body = await request.read()
                raw_query = request.raw_path.partition("?")[2]
                params = request_params(raw_query, body)
                user = None
                if signed:
                    user = authenticate(
                        venue.users_by_key,
                        raw_query=raw_query,
                        body=body,
                        headers=request.headers,
                        params=params,
                        now_ms=venue.clock.now_ms(),
                    )
                decision = rate_limit(venue, request, endpoint, category, user)
                if not decision.allowed:
                    retry = max(1, decision.reset_s - int(venue.clock.now()))
                    raise MexcApiError(429, 429, "Too Many Requests", headers={"Retry-After": str(retry)})
                if method == "POST" and path == "/order" and venue.faults.order_failures:
                    status, placed = venue.faults.order_failures.popleft()
                    if placed:
                        await handler(params, user)
                    raise MexcApiError(status, status, "Unknown error, please check your request or try again later.")
                status, payload = 200, await handler(params, user)
            except MexcApiError as exc:
                status, payload = exc.status, exc.body()
                headers.update(exc.headers)
            return json_answer(venue, request, fault, status, payload, headers)

        router.add_route(method, PREFIX + path, endpoint_handler)

    # --- public -------------------------------------------------------------------------------------
    async def ping(self, params: Params, user: MexcUser | None) -> Any:
        return {}

    async def server_time(self, params: Params, user: MexcUser | None) -> Any:
        return {"serverTime": self.venue.clock.now_ms()}

    async def exchange_info(self, params: Params, user: MexcUser | None) -> Any:
        wanted = params.get("symbols") or params.get("symbol")
        names = (
            [self.venue.symbol(name).spec.symbol for name in wanted.split(",")] if wanted else list(self.venue.symbols)
        )
        return {
            "timezone": "CST",
            "serverTime": self.venue.clock.now_ms(),
            "rateLimits": [],
            "exchangeFilters": [],
            "symbols": [self._symbol_info(name) for name in names],
        }

    def _symbol_info(self, name: str) -> dict[str, Any]:
        item = self.venue.symbols[name]
        spec = item.spec
        return {
            "symbol": name,
            "status": "1",
            "baseAsset": spec.base,
            "baseAssetPrecision": item.base_precision,
            "quoteAsset": spec.quote,
            "quotePrecision": item.quote_precision,
            "quoteAssetPrecision": item.quote_precision,
            "baseCommissionPrecision": item.base_precision,
            "quoteCommissionPrecision": item.quote_precision,
            "orderTypes": ["LIMIT", "MARKET", "LIMIT_MAKER"],
            "isSpotTradingAllowed": True,
            "isMarginTradingAllowed": False,
            "quoteAmountPrecision": fmt(spec.min_quote),
            "baseSizePrecision": fmt(spec.min_base),
            "permissions": ["SPOT"],
            "filters": [],
            "maxQuoteAmount": "2000000",
            "makerCommission": fmt(spec.maker_fee),
            "takerCommission": fmt(spec.taker_fee),
            "quoteAmountPrecisionMarket": fmt(spec.min_quote),
            "maxQuoteAmountMarket": "100000",
            "fullName": item.full_name,
            "tradeSideType": 1,
        }

    async def default_symbols(self, params: Params, user: MexcUser | None) -> Any:
        return {"code": 200, "data": list(self.venue.symbols), "msg": None}

    async def depth(self, params: Params, user: MexcUser | None) -> Any:
        item = self.venue.symbol(params.get("symbol"))
        limit = _int(params, "limit", 100, 1, 5000)
        engine = self.venue.engines[item.spec.symbol]
        return {
            "lastUpdateId": engine.sequence,
            "bids": payloads.levels(engine.bids.depth(limit)),
            "asks": payloads.levels(engine.asks.depth(limit)),
            "timestamp": self.venue.clock.now_ms(),
        }

    async def trades(self, params: Params, user: MexcUser | None) -> Any:
        item = self.venue.symbol(params.get("symbol"))
        limit = _int(params, "limit", 500, 1, 1000)
        history = list(self.venue.public_trades[item.spec.symbol])[-limit:]
        history.reverse()
        return [payloads.public_trade_rest(fill) for fill in history]

    async def agg_trades(self, params: Params, user: MexcUser | None) -> Any:
        """``[{"a": null, "f": null, "l": null, "p": "46782.67", "q": "0.0038", "T": 1641380483000, "m": false,
        "M": true}]`` (ids null, like ``/trades``)."""
        rows = await self.trades(params, user)
        return [
            {
                "a": None,
                "f": None,
                "l": None,
                "p": r["price"],
                "q": r["qty"],
                "T": r["time"],
                "m": r["isBuyerMaker"],
                "M": True,
            }
            for r in rows
        ]

    def _ticker(self, name: str) -> dict[str, Any]:
        engine, trades = self.venue.engines[name], self.venue.public_trades[name]
        bid, ask = engine.bids.best(), engine.asks.best()
        last = trades[-1].price if trades else self.venue.market.mid[name].quantize(engine.spec.price_tick)
        prices = [t.price for t in trades] or [last]
        first = prices[0]
        return {
            "symbol": name,
            "priceChange": fmt(last - first),
            "priceChangePercent": fmt(((last - first) / first).quantize(Decimal("0.0001"))) if first else "0",
            "prevClosePrice": fmt(first),
            "lastPrice": fmt(last),
            "bidPrice": fmt(bid) if bid is not None else "",
            "bidQty": fmt(engine.bids.totals[bid]) if bid is not None else "",
            "askPrice": fmt(ask) if ask is not None else "",
            "askQty": fmt(engine.asks.totals[ask]) if ask is not None else "",
            "openPrice": fmt(first),
            "highPrice": fmt(max(prices)),
            "lowPrice": fmt(min(prices)),
            "volume": fmt(sum((t.quantity for t in trades), Decimal(0))),
            "quoteVolume": fmt(sum((t.quote_quantity for t in trades), Decimal(0))),
            "openTime": self.venue.clock.now_ms() - 86_400_000,
            "closeTime": self.venue.clock.now_ms(),
            "count": None,
        }

    def _each(self, params: Params, build: Callable[[str], dict[str, Any]]) -> Any:
        name = params.get("symbol")
        if name:
            return build(self.venue.symbol(name).spec.symbol)
        return [build(symbol) for symbol in self.venue.symbols]

    async def ticker_24hr(self, params: Params, user: MexcUser | None) -> Any:
        return self._each(params, self._ticker)

    async def ticker_price(self, params: Params, user: MexcUser | None) -> Any:
        return self._each(params, lambda name: {"symbol": name, "price": self._ticker(name)["lastPrice"]})

    async def book_ticker(self, params: Params, user: MexcUser | None) -> Any:
        keys = ("symbol", "bidPrice", "bidQty", "askPrice", "askQty")
        return self._each(params, lambda name: {key: self._ticker(name)[key] for key in keys})

    # --- private ------------------------------------------------------------------------------------
    def _place(self, params: Params, user: MexcUser | None) -> Any:
        return self.venue.place_order(
            signed_user(user),
            symbol=params.get("symbol"),
            side=(params.get("side") or "").upper() or None,
            order_type=(params.get("type") or "").upper() or None,
            quantity=params.get("quantity") or None,
            quote_quantity=params.get("quoteOrderQty") or None,
            price=params.get("price") or None,
            client_id=params.get("newClientOrderId") or None,
        )

    async def create_order(self, params: Params, user: MexcUser | None) -> Any:
        return payloads.order_ack(self._place(params, user))

    async def test_order(self, params: Params, user: MexcUser | None) -> Any:
        self.venue.symbol(params.get("symbol"))
        return {}

    async def get_order(self, params: Params, user: MexcUser | None) -> Any:
        order = self.venue.find_order(
            signed_user(user), params.get("symbol"), params.get("orderId"), params.get("origClientOrderId")
        )
        return payloads.order_rest(order)

    async def cancel_order(self, params: Params, user: MexcUser | None) -> Any:
        order, prior = self.venue.cancel_order(
            signed_user(user), params.get("symbol"), params.get("orderId"), params.get("origClientOrderId")
        )
        body = payloads.order_rest(order, status=prior)
        body["origClientOrderId"] = order.client_order_id
        return body

    async def open_orders(self, params: Params, user: MexcUser | None) -> Any:
        name = params.get("symbol")
        symbol = self.venue.symbol(name).spec.symbol if name else None
        orders = sorted(self.venue.user_orders(signed_user(user), symbol, is_open=True), key=lambda o: o.created_us)
        return [payloads.order_rest(order) for order in orders]

    async def cancel_open_orders(self, params: Params, user: MexcUser | None) -> Any:
        names = [name for name in (params.get("symbol") or "").split(",") if name]
        if not names or len(names) > 5:
            raise MexcApiError(400, 44444, "param cannot be null (symbol: 1..5 symbols)")
        symbols = [self.venue.symbol(name).spec.symbol for name in names]
        result = []
        for order in self.venue.user_orders(signed_user(user), is_open=True):
            if order.symbol in symbols:
                cancelled, prior = self.venue.cancel_order(signed_user(user), order.symbol, order.order_id, None)
                result.append(payloads.order_rest(cancelled, status=prior))
        return result

    async def all_orders(self, params: Params, user: MexcUser | None) -> Any:
        symbol = self.venue.symbol(params.get("symbol")).spec.symbol
        limit = _int(params, "limit", 500, 1, 1000)
        orders = sorted(self.venue.user_orders(signed_user(user), symbol), key=lambda o: o.created_us)[-limit:]
        return [payloads.order_rest(order) for order in orders]

    async def account(self, params: Params, user: MexcUser | None) -> Any:
        balances = self.venue.balances(signed_user(user))
        return {
            "makerCommission": None,
            "takerCommission": None,
            "buyerCommission": None,
            "sellerCommission": None,
            "canTrade": True,
            "canWithdraw": True,
            "canDeposit": True,
            "updateTime": None,
            "accountType": "SPOT",
            "balances": [
                {"asset": asset, "free": fmt(entry.free), "locked": fmt(entry.locked)}
                for asset, entry in sorted(balances.items())
                if entry.free or entry.locked
            ],
            "permissions": ["SPOT"],
        }

    async def my_trades(self, params: Params, user: MexcUser | None) -> Any:
        symbol = self.venue.symbol(params.get("symbol")).spec.symbol
        limit = _int(params, "limit", 100, 1, 100)
        order_id = params.get("orderId")
        rows = []
        for fill, maker in reversed(self.venue.user_trades[signed_user(user).uid]):
            own = fill.maker if maker else fill.taker
            if fill.symbol == symbol and (not order_id or own.order_id == order_id):
                rows.append(payloads.my_trade_rest(fill, maker))
        return rows[:limit]

    async def capital_config(self, params: Params, user: MexcUser | None) -> Any:
        """Currencies and networks (ccxt loads them with markets); deposits/withdrawals are not simulated."""
        return [
            {"coin": asset, "name": asset, "networkList": []}
            for asset in sorted({item.spec.base for item in self.venue.symbols.values()} | {"USDT"})
        ]

    def _listen_key_handler(self, method: str) -> Handler:
        """``POST`` creates, ``PUT`` extends (60 min), ``DELETE`` closes, ``GET`` lists the user's keys."""
        venue = self.venue

        async def handler(params: Params, user: MexcUser | None) -> Any:
            owner = signed_user(user)
            if method == "POST":
                return {"listenKey": venue.create_listen_key(owner)}
            if method == "GET":
                venue.expire_listen_keys()
                return {"listenKey": [key for key, item in venue.listen_keys.items() if item.user is owner]}
            key = params.get("listenKey")
            if method == "PUT":
                venue.keepalive_listen_key(owner, key)
            else:
                venue.delete_listen_key(owner, key)
            return {"listenKey": key}

        return handler


def mount(venue: MexcSpotVenue, router: web.UrlDispatcher) -> MexcSpotRest:
    """Register the venue's REST routes and its WS endpoint; returns the REST object (for the fallback)."""
    rest = MexcSpotRest(venue)
    rest.register(router)
    router.add_get(WS_PATH, venue.hub.handle)
    return rest
