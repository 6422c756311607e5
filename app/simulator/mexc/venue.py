"""MEXC spot venue state: symbols, matching engines, API users, listenKeys, MEXC order rules, fault hooks.

The REST and WS layers call into :class:`MexcSpotVenue`; tests inspect it (``sim.mexc``). Order rules follow
reference mexc.md 5.1 and 12: ``type`` LIMIT / MARKET / LIMIT_MAKER / IMMEDIATE_OR_CANCEL / FILL_OR_KILL (no
timeInForce), decimals beyond ``baseAssetPrecision``/``quoteAssetPrecision`` -> 10096, below the minimum
quantity or notional -> 30002, not enough balance -> 30004, an unknown order -> -2013 (query) / -2011 (cancel).
"""

from __future__ import annotations

import hashlib
import secrets
from collections import deque
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from aiohttp import web

from app.domain.enums import OrderType, Side, TimeInForce
from app.simulator.common import RateLimitRule, SimClock, VenueEndpoints, decimals_of, fmt
from app.simulator.faults import VenueFaults
from app.simulator.market import MarketParams
from app.simulator.matching import MarketSpec, OrderEvent, OrderRejected, RejectReason, SimOrder
from app.simulator.mexc.errors import MexcApiError, bad_param, invalid_symbol, order_not_exist, unknown_order
from app.simulator.mexc.payloads import order_status
from app.simulator.mexc.ws import MexcSpotWsHub
from app.simulator.price_path import UnderlyingPrices
from app.simulator.venue_base import SimSpotVenue, SimUser, VenueNumbering

LISTEN_KEY_TTL_S = 3600.0
MAX_LISTEN_KEYS = 60
CLIENT_ID_MAX = 32
ORDER_TYPES: dict[str, tuple[OrderType, TimeInForce]] = {
    "LIMIT": (OrderType.LIMIT, TimeInForce.GTC),
    "LIMIT_MAKER": (OrderType.LIMIT, TimeInForce.POST_ONLY),
    "IMMEDIATE_OR_CANCEL": (OrderType.LIMIT, TimeInForce.IOC),
    "FILL_OR_KILL": (OrderType.LIMIT, TimeInForce.FOK),
    "MARKET": (OrderType.MARKET, TimeInForce.IOC),
}
DEFAULT_RATE_LIMITS = {  # generous (the documented 500 / 10 s per endpoint x 100), so tests never hit them
    "ip": RateLimitRule(50_000, 10.0),
    "uid": RateLimitRule(50_000, 10.0),
    "order": RateLimitRule(1_200, 1.0),
}
NUMBERING = VenueNumbering(  # ids look like MEXC's (18 digits; orders are dressed as "C02__<n>036")
    first_order_id=426_060_921_085_927_424,
    first_trade_id=565_809_460_614_950_913,
    ids_per_seed=1_000_000_000,
    sequence_step=10_589_632_359,
)


@dataclass(frozen=True, slots=True)
class MexcSymbol:
    """One listed symbol: engine rules, MEXC precision fields and how the synthetic market moves."""

    spec: MarketSpec
    base_precision: int
    quote_precision: int
    params: MarketParams
    full_name: str


def _symbol(base: str, name: str, price: str, base_prec: int, quote_prec: int, sizes: tuple[str, str]) -> MexcSymbol:
    tick, lot = Decimal(1).scaleb(-quote_prec), Decimal(1).scaleb(-base_prec)
    spec = MarketSpec(f"{base}USDT", base, "USDT", tick, lot, lot, Decimal(1), Decimal(0), Decimal("0.0005"))
    params = MarketParams(
        start_price=Decimal(price),
        volatility_bps=0.15,
        level_step_ticks=7,
        min_size=Decimal(sizes[0]),
        max_size=Decimal(sizes[1]),
    )
    return MexcSymbol(spec, base_prec, quote_prec, params, name)


DEFAULT_SYMBOLS: tuple[MexcSymbol, ...] = (
    _symbol("BTC", "Bitcoin", "65000", 6, 2, ("0.004", "0.4")),
    _symbol("ETH", "Ethereum", "3500", 5, 2, ("0.04", "4")),
    _symbol("SOL", "Solana", "150", 3, 3, ("1", "50")),
    _symbol("MX", "MX Token", "3.5", 2, 4, ("10", "500")),  # no shared underlying: its own random walk
    _symbol("XRP", "Ripple", "0.6", 2, 5, ("50", "2000")),
)
DEFAULT_DEPOSITS = {"USDT": Decimal(1_000_000), "BTC": Decimal(10), "ETH": Decimal(200), "SOL": Decimal(5000)}


class MexcUser(SimUser):
    """A MEXC API user; the key and secret never show in a repr."""

    __slots__ = ()


@dataclass(slots=True)
class ListenKey:
    user: MexcUser
    expires_at: float


def simulator_credentials(seed: int, index: int = 0) -> tuple[str, str]:
    """Deterministic MEXC-shaped key (``mx0`` + 15) and secret (32 hex) for ``seed``."""
    key = "mx0" + hashlib.sha256(f"mexc-key:{seed}:{index}".encode()).hexdigest()[:15]
    secret = hashlib.sha256(f"mexc-secret:{seed}:{index}".encode()).hexdigest()[:32]
    return key, secret


def parse_decimal(name: str, value: str | None) -> Decimal:
    if value is None or value == "":
        raise MexcApiError(400, 10095, f"{name} cannot be null")
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError):
        raise MexcApiError(400, 10097, f"{name} is error") from None
    if not number.is_finite() or number <= 0:
        raise MexcApiError(400, 10102, f"{name} cannot be zero or negative")
    return number


class MexcFaults(VenueFaults):
    """MEXC's fault hooks: the shared :class:`VenueFaults` plus depth gaps by MEXC's name, failing order
    requests and listenKey expiry."""

    def __init__(self, venue: MexcSpotVenue, *, seed: int = 1) -> None:
        super().__init__(venue.hub, name="mexc", seed=seed)
        self._venue = venue
        self.order_failures: deque[tuple[int, bool]] = deque()

    def gap_depth(self, count: int = 1, symbol: str | None = None) -> None:
        """Withhold the next ``count`` ``aggre.depth`` pushes (of ``symbol`` or any): the next push then has
        ``fromVersion > previous toVersion + 1``, as if frames were lost."""
        self.gap_updates(count, symbol)

    def fail_next_orders(self, count: int = 1, *, status: int = 503, placed: bool = True) -> None:
        """Answer the next ``count`` ``POST /api/v3/order`` with HTTP ``status``; ``placed`` = the order was
        accepted anyway (MEXC: "5XX = status UNKNOWN, do not assume failure")."""
        self.order_failures.extend([(status, placed)] * count)

    def expire_listen_key(self, key: str | None = None) -> int:
        """Expire one listenKey (or all): its connections are closed; returns how many keys expired."""
        keys = [key] if key is not None else list(self._venue.listen_keys)
        expired = 0
        for name in keys:
            if self._venue.listen_keys.pop(name, None) is not None:
                expired += 1
                self._venue.hub.on_listen_key_gone(name)
        return expired


class MexcSpotVenue(SimSpotVenue[MexcUser]):
    """The simulated MEXC spot exchange."""

    def __init__(
        self,
        *,
        seed: int = 7,
        tick_interval_s: float = 0.05,
        clock: SimClock | None = None,
        symbols: tuple[MexcSymbol, ...] = DEFAULT_SYMBOLS,
        prices: UnderlyingPrices | None = None,
    ) -> None:
        super().__init__(seed=seed, clock=clock, prices=prices, numbering=NUMBERING, rate_limits=DEFAULT_RATE_LIMITS)
        self.symbols = {item.spec.symbol: item for item in symbols}
        self.hub: MexcSpotWsHub = MexcSpotWsHub(self)
        self.faults = MexcFaults(self, seed=seed)
        self.listen_key_ttl_s = LISTEN_KEY_TTL_S
        self.listen_keys: dict[str, ListenKey] = {}
        self._by_client_id: dict[tuple[str, str], str] = {}
        self._open_spot(
            self.symbols,
            market_seed=seed * 7919 + 101,  # own RNG: noise independent of the other venues
            tick_interval_s=tick_interval_s,
            user=MexcUser("20000001", *simulator_credentials(seed)),
            deposits=DEFAULT_DEPOSITS,
        )

    def _next_order_id(self) -> str:
        return f"C02__{self._order_ids.next()}036"

    # --- simulator plug-in ----------------------------------------------------------------------------
    def mount(self, router: web.UrlDispatcher) -> None:
        """Register the ``/api/v3`` routes and the ``/ws`` endpoint."""
        from app.simulator.mexc import rest

        self._rest = rest.mount(self, router)

    def endpoints(self, base_url: str, ws_base_url: str) -> VenueEndpoints:
        from app.simulator.mexc import rest

        return self._endpoints(base_url, f"{ws_base_url}{rest.WS_PATH}")

    # --- engine events --------------------------------------------------------------------------------
    def on_order(self, order: SimOrder, event: OrderEvent) -> None:
        user = self.users_by_account.get(order.account_id)
        if user is not None:
            self.hub.on_order(order, user)

    # --- users and listenKeys ---------------------------------------------------------------------------
    def add_user(self, uid: str) -> MexcUser:
        """Test helper: another funded API user (deterministic credentials)."""
        key, secret = simulator_credentials(int(uid), index=len(self.users_by_key))
        return self._add_user(MexcUser(uid=uid, api_key=key, api_secret=secret))

    def create_listen_key(self, user: MexcUser) -> str:
        self.expire_listen_keys()
        if sum(1 for item in self.listen_keys.values() if item.user is user) >= MAX_LISTEN_KEYS:
            raise MexcApiError(400, 700007, "max 60 valid listenKeys per UID")
        key = secrets.token_hex(32)
        self.listen_keys[key] = ListenKey(user, self.clock.now() + self.listen_key_ttl_s)
        return key

    def listen_key_user(self, key: str | None) -> MexcUser | None:
        """The user of a valid (not expired) listenKey."""
        item = self.listen_keys.get(key or "")
        if item is None or item.expires_at <= self.clock.now():
            return None
        return item.user

    def keepalive_listen_key(self, user: MexcUser, key: str | None) -> None:
        item = self.listen_keys.get(key or "")
        if item is None or item.user is not user or item.expires_at <= self.clock.now():
            raise MexcApiError(400, 730002, "Your input param is invalid (listenKey)")
        item.expires_at = self.clock.now() + self.listen_key_ttl_s

    def delete_listen_key(self, user: MexcUser, key: str | None) -> None:
        item = self.listen_keys.get(key or "")
        if item is None or item.user is not user:
            raise MexcApiError(400, 730002, "Your input param is invalid (listenKey)")
        del self.listen_keys[key or ""]
        self.hub.on_listen_key_gone(key or "")

    def expire_listen_keys(self) -> None:
        now = self.clock.now()
        for key in [k for k, item in self.listen_keys.items() if item.expires_at <= now]:
            del self.listen_keys[key]
            self.hub.on_listen_key_gone(key)

    # --- lookups ---------------------------------------------------------------------------------------
    def symbol(self, name: str | None) -> MexcSymbol:
        if not name:
            raise MexcApiError(400, 44444, "param cannot be null (symbol)")
        item = self.symbols.get(name.upper())
        if item is None:
            raise invalid_symbol()
        return item

    def find_order(self, user: MexcUser, symbol: str | None, order_id: str | None, client_id: str | None) -> SimOrder:
        item = self.symbol(symbol)
        if not order_id and not client_id:
            raise MexcApiError(
                400, 700004, "Param 'origClientOrderId' or 'orderId' must be sent, but both were empty/null!"
            )
        ref = order_id or self._by_client_id.get((user.uid, client_id or ""), "")
        order = self.orders.get(ref)
        if order is None or order.account_id != user.uid or order.symbol != item.spec.symbol:
            raise order_not_exist()
        return order

    def user_orders(self, user: MexcUser, symbol: str | None = None, *, is_open: bool | None = None) -> list[SimOrder]:
        return [
            o
            for o in self.orders.values()
            if o.account_id == user.uid
            and (is_open is None or o.is_open is is_open)
            and (symbol is None or o.symbol == symbol)
        ]

    # --- trading ---------------------------------------------------------------------------------------
    def place_order(
        self,
        user: MexcUser,
        *,
        symbol: str | None,
        side: str | None,
        order_type: str | None,
        quantity: str | None,
        quote_quantity: str | None,
        price: str | None,
        client_id: str | None,
    ) -> SimOrder:
        """Validate like MEXC and submit; raises :class:`MexcApiError`."""
        item = self.symbol(symbol)
        spec = item.spec
        if side not in ("BUY", "SELL"):
            raise bad_param(f"side {side!r} is invalid")
        if order_type not in ORDER_TYPES:
            raise bad_param(f"type {order_type!r} is invalid")
        kind, tif = ORDER_TYPES[order_type]
        if client_id is not None and (not 0 < len(client_id) <= CLIENT_ID_MAX or not client_id.isascii()):
            raise bad_param("newClientOrderId is invalid")
        if client_id and (user.uid, client_id) in self._by_client_id:
            raise MexcApiError(400, 26, "operation not allowed (duplicate newClientOrderId)")
        order_side = Side.BUY if side == "BUY" else Side.SELL
        limit_price: Decimal | None = None
        if kind is OrderType.LIMIT:
            limit_price = parse_decimal("price", price)
            if decimals_of(limit_price) > item.quote_precision:
                raise MexcApiError(400, 10096, "price decimal places is too long")
        by_quote = kind is OrderType.MARKET and quantity is None and quote_quantity is not None
        amount = parse_decimal("quoteOrderQty" if by_quote else "quantity", quote_quantity if by_quote else quantity)
        if decimals_of(amount) > (item.quote_precision if by_quote else item.base_precision):
            raise MexcApiError(400, 10096, "amount decimal places is too long")
        self._check_size(item, amount, limit_price, by_quote)
        order = SimOrder(
            order_id=self._next_order_id(),
            account_id=user.uid,
            symbol=spec.symbol,
            side=order_side,
            order_type=kind,
            time_in_force=tif,
            quantity=Decimal(0) if by_quote else amount,
            price=limit_price,
            quote_quantity=amount if by_quote else None,
            client_order_id=client_id,
            extra={"type": order_type},
        )
        self.orders[order.order_id] = order
        try:
            self.engines[spec.symbol].submit(order)
        except OrderRejected as exc:
            del self.orders[order.order_id]
            raise self._rejection(exc) from None
        if client_id:
            self._by_client_id[(user.uid, client_id)] = order.order_id
        return order

    def _check_size(self, item: MexcSymbol, amount: Decimal, price: Decimal | None, by_quote: bool) -> None:
        spec = item.spec
        if not by_quote and amount < spec.min_base:
            raise MexcApiError(400, 30002, f"The minimum transaction volume cannot be less than:{fmt(spec.min_base)}")
        notional = amount if by_quote else (amount * price if price is not None else None)
        if notional is not None and notional < spec.min_quote:
            raise MexcApiError(
                400, 30002, f"The minimum transaction volume cannot be less than:{fmt(spec.min_quote)}{spec.quote}"
            )

    @staticmethod
    def _rejection(exc: OrderRejected) -> MexcApiError:
        if exc.reason is RejectReason.INSUFFICIENT_BALANCE:
            return MexcApiError(400, 30004, "Insufficient position")
        if exc.reason is RejectReason.POST_ONLY_WOULD_TAKE:
            return MexcApiError(400, 30041, "current order type can not place order")
        return MexcApiError(400, 30025, "no exist opponent order")

    def cancel_order(
        self, user: MexcUser, symbol: str | None, order_id: str | None, client_id: str | None
    ) -> tuple[SimOrder, str]:
        """Cancel an open order; returns it with its status *before* the cancel (what MEXC's answer shows)."""
        try:
            order = self.find_order(user, symbol, order_id, client_id)
        except MexcApiError as exc:
            raise unknown_order() if exc.code == -2013 else exc from None
        if not order.is_open:
            raise unknown_order()
        prior = order_status(order)
        return self.engines[order.symbol].cancel(order.order_id), prior
