"""Gate.io spot private REST: orders, balances, fills (reference 5), signed per reference 3."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from decimal import ROUND_DOWN, Decimal

import msgspec

from app.config import ExchangeConfig
from app.domain.enums import OrderType, Side, TimeInForce
from app.domain.models import Balance, Execution, Order, SymbolInfo
from app.domain.symbol import Symbol
from app.errors import InvalidOrderParamsError, InvalidPriceError, InvalidQuantityError, ValidationError
from app.exchanges.gateio import constants as c
from app.exchanges.gateio.client_order_id import validate_client_order_id
from app.exchanges.gateio.errors import is_timestamp_refusal
from app.exchanges.gateio.rest import make_gateio_transport
from app.exchanges.gateio.signer import GateioRequestSigner
from app.exchanges.gateio.spot import schemas
from app.exchanges.gateio.spot.schemas import native_symbol
from app.exchanges.order_params import check_quantity_and_price
from app.transport.clock import ServerClock
from app.transport.rate_limit import CANCELS, ORDERS, PRIVATE, PUBLIC, RateLimiter
from app.transport.rest import RestTransport
from app.transport.session import HttpSessionManager

DEFAULT_QUOTE_STEP = Decimal("1e-8")
_ORDER_ID_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-.")


class OrderRequest(msgspec.Struct, omit_defaults=True):
    """``POST /spot/orders`` body, serialised once and signed byte-for-byte::

    {"text":"t-abc123","currency_pair":"BTC_USDT","type":"limit","account":"spot","side":"buy",
     "amount":"0.001","price":"65000","time_in_force":"gtc"}
    """

    text: str
    currency_pair: str
    type: str
    account: str
    side: str
    amount: str
    price: str | None = None
    time_in_force: str | None = None


_encoder = msgspec.json.Encoder()


def _fmt(value: Decimal) -> str:
    return format(value, "f")


def _check_order_id(order_id: str) -> str:
    if not order_id or not _ORDER_ID_CHARS.issuperset(order_id):
        raise ValidationError(f"order id must be Gate's numeric id or a 't-...' client id, got {order_id!r}")
    return order_id


class GateioPrivateSpotRest:
    """Signed spot trading calls. Construction without credentials raises ``CredentialsRequiredError``.

    Market orders: Gate accepts only IOC/FOK, so GTC is sent as ``ioc`` and POST_ONLY is refused. For a
    **market buy** Gate's ``amount`` is in the quote currency: the caller passes the base ``quantity``
    and a reference ``price`` (e.g. the best ask) and ``quantity * price`` is sent, rounded *down* to
    the pair's price precision when :meth:`set_symbol_info` was given the rules (8 decimals otherwise).
    """

    def __init__(
        self,
        config: ExchangeConfig,
        sessions: HttpSessionManager,
        logger: logging.Logger | None = None,
        *,
        clock: ServerClock | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        credentials = config.require_credentials()
        self.config = config
        self.logger = logger or logging.getLogger("app.exchanges.gateio.spot.rest_private")
        self.clock = clock or ServerClock()
        self.transport: RestTransport = make_gateio_transport(
            config,
            sessions,
            signer=GateioRequestSigner(credentials),
            clock=self.clock,
            rate_limiter=rate_limiter,
            logger=self.logger,
        )
        self._quote_steps: dict[Symbol, Decimal] = {}
        # REQUEST_EXPIRED: resync the clock (shared with the private WS, whose auth `time` it signs), resend once
        self.transport.set_clock_resync(self.sync_time, is_timestamp_refusal)

    def set_symbol_info(self, infos: Mapping[Symbol, SymbolInfo]) -> None:
        """Remember each pair's price step (used to round a market buy's quote amount)."""
        self._quote_steps.update({symbol: info.tick_size for symbol, info in infos.items()})

    # -- orders ---------------------------------------------------------------------------------------
    def build_order_request(
        self,
        symbol: Symbol,
        side: Side,
        quantity: Decimal,
        price: Decimal | None,
        order_type: OrderType,
        time_in_force: TimeInForce,
        client_order_id: str,
    ) -> OrderRequest:
        """Validate the parameters (before any network call) and build the request body."""
        validate_client_order_id(client_order_id)
        check_quantity_and_price(quantity, price)
        pair = native_symbol(symbol)
        if order_type is OrderType.LIMIT:
            if price is None:
                raise InvalidPriceError("a limit order needs a price")
            return OrderRequest(
                text=client_order_id,
                currency_pair=pair,
                type="limit",
                account=c.SPOT_ACCOUNT,
                side=c.SIDE_TO_GATE[side],
                amount=_fmt(quantity),
                price=_fmt(price),
                time_in_force=c.TIF_TO_GATE[time_in_force],
            )
        if time_in_force is TimeInForce.POST_ONLY:
            raise InvalidOrderParamsError("a market order cannot be post-only")
        tif = "fok" if time_in_force is TimeInForce.FOK else "ioc"
        if side is Side.BUY:
            if price is None:
                raise InvalidOrderParamsError(
                    "a Gate market buy is sized in quote currency: pass a reference price (e.g. the best ask)"
                )
            step = self._quote_steps.get(symbol, DEFAULT_QUOTE_STEP)
            amount = (quantity * price).quantize(step, rounding=ROUND_DOWN)
            if amount <= 0:
                raise InvalidQuantityError(f"market buy quote amount rounds to zero ({quantity} x {price})")
        else:
            amount = quantity
        return OrderRequest(
            text=client_order_id,
            currency_pair=pair,
            type="market",
            account=c.SPOT_ACCOUNT,
            side=c.SIDE_TO_GATE[side],
            amount=_fmt(amount),
            time_in_force=tif,
        )

    async def create_order(
        self,
        symbol: Symbol,
        side: Side,
        quantity: Decimal,
        price: Decimal | None,
        order_type: OrderType,
        time_in_force: TimeInForce,
        client_order_id: str,
    ) -> Order:
        """Place one order (``POST /spot/orders``, never retried: its outcome may be unknown on error)."""
        request = self.build_order_request(symbol, side, quantity, price, order_type, time_in_force, client_order_id)
        body = _encoder.encode(request)
        response = await self.transport.request(
            "POST", c.SPOT_ORDERS, body=body, signed=True, idempotent=False, bucket=ORDERS
        )
        return schemas.order_decoder.decode(response.body).to_domain()

    async def cancel_order(self, symbol: Symbol, order_id: str) -> Order:
        """Cancel by Gate id or ``t-...`` client id (the latter only while open); ``OrderNotFoundError`` if gone."""
        path = f"{c.SPOT_ORDERS}/{_check_order_id(order_id)}"
        params = [("currency_pair", native_symbol(symbol))]
        response = await self.transport.request("DELETE", path, params=params, signed=True, bucket=CANCELS)
        return schemas.order_decoder.decode(response.body).to_domain()

    async def cancel_all_orders(self, symbol: Symbol | None = None) -> list[Order]:
        """Cancel every open order (of one pair, or all pairs); returns the orders that were cancelled."""
        params = [("currency_pair", native_symbol(symbol))] if symbol is not None else None
        response = await self.transport.request("DELETE", c.SPOT_ORDERS, params=params, signed=True, bucket=CANCELS)
        items = schemas.orders_decoder.decode(response.body)
        return [item.to_domain() for item in items if item.succeeded is not False and item.id]

    async def get_order(self, symbol: Symbol, order_id: str) -> Order:
        """One order by Gate id or ``t-...`` client id (``GET /spot/orders/{id}``)."""
        path = f"{c.SPOT_ORDERS}/{_check_order_id(order_id)}"
        params = [("currency_pair", native_symbol(symbol))]
        response = await self.transport.request("GET", path, params=params, signed=True, bucket=PRIVATE)
        return schemas.order_decoder.decode(response.body).to_domain()

    async def get_open_orders(self, symbol: Symbol | None = None) -> list[Order]:
        """Open orders of one pair (``GET /spot/orders?status=open``) or of all (``GET /spot/open_orders``)."""
        limit = c.OPEN_ORDERS_PAGE_LIMIT
        orders: list[Order] = []
        for page in range(1, c.MAX_PAGES + 1):
            paging = [("page", str(page)), ("limit", str(limit))]
            if symbol is not None:
                params = [("currency_pair", native_symbol(symbol)), ("status", "open"), *paging]
                response = await self.transport.request(
                    "GET", c.SPOT_ORDERS, params=params, signed=True, bucket=PRIVATE
                )
                batch = schemas.orders_decoder.decode(response.body)
                orders.extend(order.to_domain() for order in batch)
                full_page = len(batch) >= limit
            else:
                response = await self.transport.request(
                    "GET", c.SPOT_OPEN_ORDERS, params=paging, signed=True, bucket=PRIVATE
                )
                groups = schemas.open_orders_decoder.decode(response.body)
                orders.extend(order.to_domain() for group in groups for order in group.orders)
                full_page = any(len(group.orders) >= limit for group in groups)
            if not full_page:
                break
        return orders

    # -- account --------------------------------------------------------------------------------------
    async def get_balance(self) -> dict[str, Balance]:
        """Spot balances by asset (``GET /spot/accounts``)."""
        response = await self.transport.request("GET", c.SPOT_ACCOUNTS, signed=True, bucket=PRIVATE)
        return {item.currency: item.to_domain() for item in schemas.accounts_decoder.decode(response.body)}

    async def get_my_trades(self, symbol: Symbol, limit: int = 100) -> list[Execution]:
        """Our recent fills in one pair (``GET /spot/my_trades``)."""
        if not 1 <= limit <= 1000:
            raise ValidationError(f"my_trades limit must be 1..1000, got {limit}")
        params = [("currency_pair", native_symbol(symbol)), ("limit", str(limit))]
        response = await self.transport.request("GET", c.SPOT_MY_TRADES, params=params, signed=True, bucket=PRIVATE)
        return [trade.to_domain() for trade in schemas.my_trades_decoder.decode(response.body)]

    async def sync_time(self) -> None:
        """Measure the server-time offset (``GET /spot/time``) so ``Timestamp`` headers stay within 60 s."""
        sent = time.monotonic()
        response = await self.transport.request("GET", c.SPOT_TIME, bucket=PUBLIC)
        received = time.monotonic()
        server_ms = schemas.server_time_decoder.decode(response.body).server_time
        self.clock.update_from_server(server_ms, sent, received)

    async def close(self) -> None:
        await self.transport.close()

    def __repr__(self) -> str:
        return f"GateioPrivateSpotRest({self.config.rest_url}, credentials=<hidden>)"
