"""Gate.io spot venue state: markets, matching engines, the test account, order rules and fault hooks.

The REST and WS layers call into :class:`GateioSpotVenue`; tests inspect it (``sim.gateio``). Order rules
follow reference section 5.1: ``text`` must be ``t-`` + at most 28 of ``[0-9A-Za-z_.-]``; limit ``amount`` is
base, market buy ``amount`` is quote; price/amount decimals checked against ``precision``/``amount_precision``;
sizes below ``min_base_amount``/``min_quote_amount`` are ``INVALID_PARAM_VALUE``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from aiohttp import web

from app.domain.enums import OrderType, Side, TimeInForce
from app.simulator.common import RateLimitRule, SimClock, VenueEndpoints, decimals_of, fmt
from app.simulator.faults import RestFault, VenueFaults
from app.simulator.gateio_spot.ws import GateioSpotWsHub
from app.simulator.market import MarketParams
from app.simulator.matching import MarketSpec, OrderEvent, OrderRejected, RejectReason, SimOrder
from app.simulator.price_path import UnderlyingPrices
from app.simulator.venue_base import SimSpotVenue, SimUser, VenueNumbering

TEXT_PATTERN = re.compile(r"^t-[0-9A-Za-z_.\-]{1,28}$")
MARKET_BUY_DECIMALS = 8


class GateApiError(Exception):
    """A Gate REST error: HTTP status + ``{"label", "message"}``."""

    def __init__(self, status: int, label: str, message: str) -> None:
        super().__init__(f"{status} {label}: {message}")
        self.status = status
        self.label = label
        self.message = message

    def body(self) -> dict[str, str]:
        return {"label": self.label, "message": self.message}


def invalid_param(name: str, value: object) -> GateApiError:
    return GateApiError(400, "INVALID_PARAM_VALUE", f"Invalid parameter `{name}` with value: {value}")


def raise_injected(fault: RestFault) -> None:
    """Raise the Gate-shaped answer of an injected REST fault (none for ``NONE`` / ``LOST_RESPONSE``)."""
    if fault is RestFault.UNAVAILABLE:
        raise GateApiError(503, "SERVER_ERROR", "Service unavailable (venue restarting)")
    if fault is RestFault.SERVER_ERROR:
        raise GateApiError(502, "SERVER_ERROR", "Internal server error")
    if fault is RestFault.TOO_MANY_REQUESTS:
        raise GateApiError(429, "TOO_MANY_REQUESTS", "Request Rate limit Exceeded")


def order_not_found() -> GateApiError:
    return GateApiError(404, "ORDER_NOT_FOUND", "Order not found")


@dataclass(frozen=True, slots=True)
class GateioPair:
    """One listed pair: engine rules, Gate metadata and how the synthetic market moves."""

    spec: MarketSpec
    precision: int
    amount_precision: int
    params: MarketParams
    base_name: str
    quote_name: str = "Tether"
    fee_percent: str = "0.2"


def _pair(
    base: str, name: str, price: str, precision: int, amount_precision: int, min_base: str, sizes: tuple[str, str]
) -> GateioPair:
    tick, lot = Decimal(1).scaleb(-precision), Decimal(1).scaleb(-amount_precision)
    spec = MarketSpec(f"{base}_USDT", base, "USDT", tick, lot, Decimal(min_base), Decimal(3))
    params = MarketParams(
        start_price=Decimal(price),
        volatility_bps=0.15,
        level_step_ticks=5,
        min_size=Decimal(sizes[0]),
        max_size=Decimal(sizes[1]),
    )
    return GateioPair(spec, precision, amount_precision, params, name)


DEFAULT_PAIRS: tuple[GateioPair, ...] = (
    _pair("BTC", "Bitcoin", "65000", 1, 6, "0.00001", ("0.005", "0.5")),
    _pair("ETH", "Ethereum", "3500", 2, 4, "0.0001", ("0.05", "5")),
    _pair("SOL", "Solana", "150", 2, 3, "0.001", ("1", "60")),
)
DEFAULT_DEPOSITS = {"USDT": Decimal(1_000_000), "BTC": Decimal(10), "ETH": Decimal(200), "SOL": Decimal(5000)}
DEFAULT_RATE_LIMITS = {  # generous: the venue's real budgets (section 7.4) x 100, so tests never hit them
    "public": RateLimitRule(20_000, 10.0),
    "private": RateLimitRule(20_000, 10.0),
    "place": RateLimitRule(1_000, 1.0),
    "cancel": RateLimitRule(20_000, 1.0),
}
NUMBERING = VenueNumbering(
    first_order_id=1_852_000_000, first_trade_id=5_736_000_000, ids_per_seed=1_000_000, sequence_step=48_000_000
)


class GateioUser(SimUser):
    """A Gate.io API user (spot and futures share one); the key and secret never show in a repr."""

    __slots__ = ()


def simulator_credentials(seed: int, index: int = 0) -> tuple[str, str]:
    """Deterministic, random-looking hex key (32) and secret (64) for ``seed``."""
    key = hashlib.sha256(f"gateio-spot-key:{seed}:{index}".encode()).hexdigest()[:32]
    secret = hashlib.sha256(f"gateio-spot-secret:{seed}:{index}".encode()).hexdigest()
    return key, secret


def parse_decimal(name: str, value: object) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise invalid_param(name, value) from None
    if not number.is_finite() or number <= 0:
        raise invalid_param(name, value)
    return number


class GateioFaults(VenueFaults):
    """Gate's fault hooks: the shared :class:`VenueFaults` plus Gate's name for a book gap."""

    def gap_order_book_updates(self, count: int = 1, pair: str | None = None) -> None:
        """Withhold the next ``count`` ``spot.order_book_update`` batches (of ``pair`` or any pair): the next
        message delivered then has ``U > previous u + 1``, as if messages were lost."""
        self.gap_updates(count, pair)


class GateioSpotVenue(SimSpotVenue[GateioUser]):
    """The simulated Gate.io spot exchange."""

    def __init__(
        self,
        *,
        seed: int = 7,
        tick_interval_s: float = 0.05,
        clock: SimClock | None = None,
        pairs: tuple[GateioPair, ...] = DEFAULT_PAIRS,
        prices: UnderlyingPrices | None = None,
    ) -> None:
        super().__init__(seed=seed, clock=clock, prices=prices, numbering=NUMBERING, rate_limits=DEFAULT_RATE_LIMITS)
        self.pairs = {pair.spec.symbol: pair for pair in pairs}
        self.hub: GateioSpotWsHub = GateioSpotWsHub(self)
        self.faults = GateioFaults(self.hub, name="gateio", seed=seed)
        self._open_by_text: dict[tuple[str, str], str] = {}
        self._open_spot(
            self.pairs,
            market_seed=seed,
            tick_interval_s=tick_interval_s,
            user=GateioUser("10000001", *simulator_credentials(seed)),
            deposits=DEFAULT_DEPOSITS,
        )

    # --- simulator plug-in ----------------------------------------------------------------------------
    def mount(self, router: web.UrlDispatcher) -> None:
        """Register this venue's REST routes and WS endpoint (the catch-all comes last, see below)."""
        from app.simulator.gateio_spot import rest

        self._rest = rest.mount(self, router)

    def endpoints(self, base_url: str, ws_base_url: str) -> VenueEndpoints:
        from app.simulator.gateio_spot import rest

        return self._endpoints(f"{base_url}{rest.PREFIX}", f"{ws_base_url}{rest.WS_PATHS[0]}")

    # --- engine events ------------------------------------------------------------------------------
    def on_order(self, order: SimOrder, event: OrderEvent) -> None:
        user = self.users_by_account.get(order.account_id)
        if user is None:
            return
        if event is OrderEvent.DONE and order.client_order_id:
            key = (order.account_id, order.client_order_id)
            if self._open_by_text.get(key) == order.order_id:
                del self._open_by_text[key]
        self.hub.on_order(order, event, user)

    def add_user(self, uid: str, *, api_key: str | None = None, api_secret: str | None = None) -> GateioUser:
        """Test helper: another funded API user (deterministic credentials unless given)."""
        key, secret = simulator_credentials(int(uid), index=len(self.users_by_key))
        return self._add_user(GateioUser(uid=uid, api_key=api_key or key, api_secret=api_secret or secret))

    # --- lookups ------------------------------------------------------------------------------------
    def pair(self, symbol: str | None) -> GateioPair:
        if not symbol:
            raise GateApiError(400, "MISSING_REQUIRED_PARAM", "Missing required parameter: currency_pair")
        pair = self.pairs.get(symbol)
        if pair is None:
            raise GateApiError(400, "INVALID_CURRENCY_PAIR", f"Invalid currency pair {symbol}")
        return pair

    def find_order(self, user: GateioUser, symbol: str | None, ref: str) -> SimOrder:
        """By Gate id, or by ``t-`` text while the order is open (reference 5.2)."""
        pair = self.pair(symbol)
        order_id = self._open_by_text.get((user.uid, ref), "") if ref.startswith("t-") else ref
        order = self.orders.get(order_id)
        if order is None or order.account_id != user.uid or order.symbol != pair.spec.symbol:
            raise order_not_found()
        return order

    def user_orders(self, user: GateioUser, symbol: str | None = None, *, is_open: bool) -> list[SimOrder]:
        return [
            o
            for o in self.orders.values()
            if o.account_id == user.uid and o.is_open is is_open and (symbol is None or o.symbol == symbol)
        ]

    # --- trading ------------------------------------------------------------------------------------
    def place_order(
        self,
        user: GateioUser,
        *,
        symbol: str | None,
        side: str | None,
        amount: object,
        price: object = None,
        order_type: str | None = None,
        time_in_force: str | None = None,
        text: str | None = None,
        account: str | None = None,
    ) -> SimOrder:
        """Validate like Gate and submit; raises :class:`GateApiError`."""
        pair = self.pair(symbol)
        spec = pair.spec
        if side not in ("buy", "sell"):
            raise invalid_param("side", side)
        kind = order_type or "limit"
        if kind not in ("limit", "market"):
            raise invalid_param("type", kind)
        tif_text = time_in_force or ("ioc" if kind == "market" else "gtc")
        tif = {"gtc": TimeInForce.GTC, "ioc": TimeInForce.IOC, "fok": TimeInForce.FOK, "poc": TimeInForce.POST_ONLY}
        if tif_text not in tif or (kind == "market" and tif_text not in ("ioc", "fok")):
            raise invalid_param("time_in_force", tif_text)
        if text is not None and not TEXT_PATTERN.match(text):
            raise invalid_param("text", text)
        if account not in (None, "spot", "unified"):
            raise invalid_param("account", account)
        if amount is None:
            raise GateApiError(400, "MISSING_REQUIRED_PARAM", "Missing required parameter: amount")
        quantity = parse_decimal("amount", amount)
        order_side = Side(side)
        limit_price: Decimal | None = None
        if kind == "limit":
            if price is None:
                raise GateApiError(400, "MISSING_REQUIRED_PARAM", "Missing required parameter: price")
            limit_price = parse_decimal("price", price)
            if decimals_of(limit_price) > pair.precision:
                raise GateApiError(400, "INVALID_PRECISION", f"Invalid price precision {fmt(limit_price)}")
        by_quote = kind == "market" and order_side is Side.BUY
        max_decimals = MARKET_BUY_DECIMALS if by_quote else pair.amount_precision
        if decimals_of(quantity) > max_decimals:
            raise GateApiError(400, "INVALID_PRECISION", f"Invalid amount precision {fmt(quantity)}")
        self._check_size(pair, quantity, limit_price, by_quote)
        order = SimOrder(
            order_id=self._next_order_id(),
            account_id=user.uid,
            symbol=spec.symbol,
            side=order_side,
            order_type=OrderType(kind),
            time_in_force=tif[tif_text],
            quantity=Decimal(0) if by_quote else quantity,
            price=limit_price,
            quote_quantity=quantity if by_quote else None,
            client_order_id=text,
            extra={"account": account or "spot"},
        )
        self.orders[order.order_id] = order
        text_key = (user.uid, text or "")
        previous = self._open_by_text.get(text_key)
        if text:
            self._open_by_text[text_key] = order.order_id
        try:
            return self.engines[spec.symbol].submit(order)
        except OrderRejected as exc:
            del self.orders[order.order_id]
            if previous is not None:
                self._open_by_text[text_key] = previous
            else:
                self._open_by_text.pop(text_key, None)
            raise self._rejection(exc) from None

    @staticmethod
    def _check_size(pair: GateioPair, quantity: Decimal, price: Decimal | None, by_quote: bool) -> None:
        spec = pair.spec
        if not by_quote and quantity < spec.min_base:
            raise GateApiError(
                400,
                "INVALID_PARAM_VALUE",
                f"Your order size {fmt(quantity)} {spec.base} is too small. The minimum is {fmt(spec.min_base)} "
                f"{spec.base}",
            )
        notional = quantity if by_quote else (quantity * price if price is not None else None)
        if notional is not None and notional < spec.min_quote:
            raise GateApiError(
                400,
                "INVALID_PARAM_VALUE",
                f"Your order size {fmt(notional)} {spec.quote} is too small. The minimum is {fmt(spec.min_quote)} "
                f"{spec.quote}",
            )

    @staticmethod
    def _rejection(exc: OrderRejected) -> GateApiError:
        if exc.reason is RejectReason.POST_ONLY_WOULD_TAKE:
            return GateApiError(400, "POC_FILL_IMMEDIATELY", "Order would match and take immediately so it's cancelled")
        if exc.reason is RejectReason.INSUFFICIENT_BALANCE:
            return GateApiError(400, "BALANCE_NOT_ENOUGH", "Not enough balance")
        return GateApiError(400, "INVALID_PARAM_VALUE", str(exc))

    def cancel_order(self, user: GateioUser, symbol: str | None, ref: str) -> SimOrder:
        order = self.find_order(user, symbol, ref)
        if not order.is_open:
            raise order_not_found()
        return self.engines[order.symbol].cancel(order.order_id)

    def cancel_all(self, user: GateioUser, symbol: str | None, side: str | None) -> list[SimOrder]:
        if symbol:
            self.pair(symbol)
        if side not in (None, "", "buy", "sell"):
            raise invalid_param("side", side)
        cancelled = []
        for order in self.user_orders(user, symbol or None, is_open=True):
            if not side or order.side.value == side:
                cancelled.append(self.engines[order.symbol].cancel(order.order_id))
        return cancelled

    # --- public data --------------------------------------------------------------------------------
    def currency_pair(self, symbol: str) -> dict[str, object]:
        """``GET /spot/currency_pairs/{pair}`` object (reference 4.1)."""
        pair = self.pairs[symbol]
        spec = pair.spec
        return {
            "id": symbol,
            "base": spec.base,
            "base_name": pair.base_name,
            "quote": spec.quote,
            "quote_name": pair.quote_name,
            "fee": pair.fee_percent,
            "min_base_amount": fmt(spec.min_base),
            "min_quote_amount": fmt(spec.min_quote),
            "max_base_amount": fmt((Decimal(65_000_000) / pair.params.start_price).quantize(Decimal(1))),
            "max_quote_amount": "5000000",
            "amount_precision": pair.amount_precision,
            "precision": pair.precision,
            "trade_status": "tradable",
            "sell_start": 1516378650,
            "buy_start": 1516378650,
            "delisting_time": 0,
            "type": "normal",
            "trade_url": f"https://www.gate.io/trade/{symbol}",
            "st_tag": False,
        }

    def ticker(self, symbol: str, *, with_sizes: bool = False) -> dict[str, object]:
        """``GET /spot/tickers`` item / ``spot.tickers`` result over the retained trade history."""
        engine, trades = self.engines[symbol], self.public_trades[symbol]
        bid, ask = engine.bids.best(), engine.asks.best()
        last = trades[-1].price if trades else self.market.mid[symbol].quantize(engine.spec.price_tick)
        prices = [t.price for t in trades] or [last]
        first = prices[0]
        change = ((last - first) / first * 100).quantize(Decimal("0.01")) if first else Decimal(0)
        body: dict[str, object] = {
            "currency_pair": symbol,
            "last": fmt(last),
            "lowest_ask": fmt(ask) if ask is not None else "",
            "highest_bid": fmt(bid) if bid is not None else "",
            "change_percentage": fmt(change) if change else "0",
            "change_utc0": fmt(change) if change else "0",
            "change_utc8": fmt(change) if change else "0",
            "base_volume": fmt(sum((t.quantity for t in trades), Decimal(0))),
            "quote_volume": fmt(sum((t.quote_quantity for t in trades), Decimal(0))),
            "high_24h": fmt(max(prices)),
            "low_24h": fmt(min(prices)),
        }
        if with_sizes:
            body["lowest_size"] = fmt(engine.asks.totals[ask]) if ask is not None else ""
            body["highest_size"] = fmt(engine.bids.totals[bid]) if bid is not None else ""
        return body
