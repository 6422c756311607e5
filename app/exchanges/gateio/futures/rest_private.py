"""Gate.io USDT perpetual private REST: margin account, positions, leverage, position mode, orders, fills.

Signed exactly as spot (reference 3). Leverage and position mode are ``POST``s whose parameters travel in
the **query string** with an empty body (reference 6.9; signing them as a body was ccxt#14495). Order
sizes are signed whole contracts, converted from base units by :class:`ContractSizes` before anything is
sent; a market order is ``price "0"`` + ``tif ioc`` (or ``fok``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from decimal import Decimal

import msgspec

from app.config import ExchangeConfig
from app.domain.enums import OrderType, PositionMode, PositionSide, Side, TimeInForce
from app.domain.futures import MarginAccount
from app.domain.models import Balance, Execution, Order, Position, SymbolInfo
from app.domain.symbol import Symbol
from app.errors import InvalidOrderParamsError, InvalidPriceError, ValidationError
from app.exchanges.gateio import constants as c
from app.exchanges.gateio.client_order_id import validate_client_order_id
from app.exchanges.gateio.errors import is_timestamp_refusal
from app.exchanges.gateio.futures import schemas
from app.exchanges.gateio.futures.contract_sizes import ContractSizes
from app.exchanges.gateio.futures.rest_public import fetch_contracts
from app.exchanges.gateio.futures.schemas import native_symbol
from app.exchanges.gateio.rest import make_gateio_transport
from app.exchanges.gateio.signer import GateioRequestSigner
from app.exchanges.gateio.spot.schemas import server_time_decoder
from app.exchanges.order_params import check_quantity_and_price
from app.transport.clock import ServerClock
from app.transport.rate_limit import CANCELS, ORDERS, PRIVATE, PUBLIC, RateLimiter
from app.transport.rest import RestTransport
from app.transport.session import HttpSessionManager

_ORDER_ID_CHARS = frozenset(c.CLIENT_ID_CHARSET)
_encoder = msgspec.json.Encoder()


class FuturesOrderRequest(msgspec.Struct, omit_defaults=True):
    """``POST /futures/usdt/orders`` body, serialised once and signed byte-for-byte::

    {"contract":"BTC_USDT","size":-10,"price":"65000.1","tif":"gtc","text":"t-abc123","reduce_only":true}
    """

    contract: str
    size: int
    price: str
    tif: str
    text: str
    reduce_only: bool = False
    close: bool = False
    auto_size: str | None = None


def _check_order_id(order_id: str) -> str:
    if not isinstance(order_id, str) or not order_id or not _ORDER_ID_CHARS.issuperset(order_id):
        raise ValidationError(f"order id must be Gate's numeric id or a 't-...' client id, got {order_id!r}")
    return order_id


def _decimal_text(value: Decimal) -> str:
    return format(value, "f")


class GateioPrivateFuturesRest:
    """Signed USDT-perpetual calls. Construction without credentials raises ``CredentialsRequiredError``.

    Quantities are base units in and out; ``contract_sizes`` (shared with the public client when given,
    else loaded from ``/futures/usdt/contracts`` on first need) converts them.
    """

    def __init__(
        self,
        config: ExchangeConfig,
        sessions: HttpSessionManager,
        logger: logging.Logger | None = None,
        *,
        clock: ServerClock | None = None,
        rate_limiter: RateLimiter | None = None,
        contract_sizes: ContractSizes | None = None,
    ) -> None:
        credentials = config.require_credentials()
        self.config = config
        self.logger = logger or logging.getLogger("app.exchanges.gateio.futures.rest_private")
        self.clock = clock or ServerClock()
        self.contract_sizes = contract_sizes if contract_sizes is not None else ContractSizes()
        self.transport: RestTransport = make_gateio_transport(
            config,
            sessions,
            signer=GateioRequestSigner(credentials),
            clock=self.clock,
            rate_limiter=rate_limiter,
            logger=self.logger,
            exchange_name=c.FUTURES_EXCHANGE_NAME,
        )
        # REQUEST_EXPIRED: resync the clock (shared with the private WS, whose auth `time` it signs), resend once
        self.transport.set_clock_resync(self.sync_time, is_timestamp_refusal)

    def set_symbol_info(self, infos: Mapping[Symbol, SymbolInfo]) -> None:
        """Use these contracts' sizes (``SymbolInfo.contract_size``) for conversions."""
        self.contract_sizes.update(infos)

    async def multiplier(self, symbol: Symbol) -> Decimal:
        """Base units per contract (loads the contract list on first need)."""
        if symbol not in self.contract_sizes:
            await fetch_contracts(self.transport, self.contract_sizes)
        return self.contract_sizes.multiplier(symbol)

    # --- orders --------------------------------------------------------------------------------------
    async def build_order_request(
        self,
        symbol: Symbol,
        side: Side,
        quantity: Decimal,
        price: Decimal | None,
        order_type: OrderType,
        time_in_force: TimeInForce,
        client_order_id: str,
        *,
        reduce_only: bool = False,
    ) -> FuturesOrderRequest:
        """Validate (before any network call), convert base units to signed contracts, build the body."""
        validate_client_order_id(client_order_id)
        check_quantity_and_price(quantity, price)
        await self.multiplier(symbol)
        contracts = self.contract_sizes.to_contracts(symbol, quantity)
        size = contracts if side is Side.BUY else -contracts
        if order_type is OrderType.LIMIT:
            if price is None:
                raise InvalidPriceError("a limit order needs a price")
            price_text, tif = _decimal_text(price), c.TIF_TO_GATE[time_in_force]
        else:
            if time_in_force is TimeInForce.POST_ONLY:
                raise InvalidOrderParamsError("a market order cannot be post-only")
            price_text, tif = "0", "fok" if time_in_force is TimeInForce.FOK else "ioc"
        return FuturesOrderRequest(
            contract=native_symbol(symbol),
            size=size,
            price=price_text,
            tif=tif,
            text=client_order_id,
            reduce_only=reduce_only,
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
        *,
        reduce_only: bool = False,
    ) -> Order:
        """Place one order (``POST /futures/usdt/orders``, never retried: its outcome may be unknown on error)."""
        request = await self.build_order_request(
            symbol, side, quantity, price, order_type, time_in_force, client_order_id, reduce_only=reduce_only
        )
        return await self.submit_order_request(symbol, request)

    async def close_position(
        self, symbol: Symbol, client_order_id: str, *, dual_side: PositionSide | None = None
    ) -> Order:
        """Close a whole position at market: single mode ``size 0`` + ``close``, dual mode ``auto_size``."""
        validate_client_order_id(client_order_id)
        if dual_side is None:
            request = FuturesOrderRequest(
                contract=native_symbol(symbol), size=0, price="0", tif="ioc", text=client_order_id, close=True
            )
        elif dual_side in (PositionSide.LONG, PositionSide.SHORT):
            request = FuturesOrderRequest(
                contract=native_symbol(symbol),
                size=0,
                price="0",
                tif="ioc",
                text=client_order_id,
                reduce_only=True,
                auto_size="close_long" if dual_side is PositionSide.LONG else "close_short",
            )
        else:
            raise InvalidOrderParamsError(f"dual_side must be long or short, got {dual_side!r}")
        return await self.submit_order_request(symbol, request)

    async def submit_order_request(self, symbol: Symbol, request: FuturesOrderRequest) -> Order:
        """Send a built (validated) order body once; never retried."""
        mult = await self.multiplier(symbol)
        response = await self.transport.request(
            "POST", c.FUTURES_ORDERS, body=_encoder.encode(request), signed=True, idempotent=False, bucket=ORDERS
        )
        return schemas.order_decoder.decode(response.body).to_domain(mult)

    async def cancel_order(self, symbol: Symbol, order_id: str) -> Order:
        """Cancel by Gate id or ``t-...`` client id; ``OrderNotFoundError`` when gone."""
        mult = await self.multiplier(symbol)
        path = f"{c.FUTURES_ORDERS}/{_check_order_id(order_id)}"
        response = await self.transport.request("DELETE", path, signed=True, bucket=CANCELS)
        return schemas.order_decoder.decode(response.body).to_domain(mult)

    async def cancel_all_orders(self, symbol: Symbol | None = None) -> list[Order]:
        """Cancel every open order of one contract (or of every contract with open orders)."""
        if symbol is None:
            contracts = list(dict.fromkeys(order.symbol for order in await self.get_open_orders(None)))
            return [order for contract in contracts for order in await self.cancel_all_orders(contract)]
        mult = await self.multiplier(symbol)
        params = [("contract", native_symbol(symbol))]
        response = await self.transport.request("DELETE", c.FUTURES_ORDERS, params=params, signed=True, bucket=CANCELS)
        return [order.to_domain(mult) for order in schemas.orders_decoder.decode(response.body)]

    async def get_order(self, symbol: Symbol, order_id: str) -> Order:
        """One order by Gate id or ``t-...`` client id (the latter while open and 60 s after finishing)."""
        mult = await self.multiplier(symbol)
        path = f"{c.FUTURES_ORDERS}/{_check_order_id(order_id)}"
        response = await self.transport.request("GET", path, signed=True, bucket=PRIVATE)
        return schemas.order_decoder.decode(response.body).to_domain(mult)

    async def get_open_orders(self, symbol: Symbol | None = None) -> list[Order]:
        """Open orders of one contract or all (``GET /futures/usdt/orders?status=open``, paged by offset)."""
        if not self.contract_sizes.loaded:
            await fetch_contracts(self.transport, self.contract_sizes)
        limit = c.OPEN_ORDERS_PAGE_LIMIT
        orders: list[Order] = []
        for page in range(c.MAX_PAGES):
            params = [("status", "open"), ("limit", str(limit)), ("offset", str(page * limit))]
            if symbol is not None:
                params.insert(0, ("contract", native_symbol(symbol)))
            response = await self.transport.request("GET", c.FUTURES_ORDERS, params=params, signed=True, bucket=PRIVATE)
            batch = schemas.orders_decoder.decode(response.body)
            sizes = self.contract_sizes
            orders.extend(item.to_domain(sizes.multiplier(schemas.symbol_from_native(item.contract))) for item in batch)
            if len(batch) < limit:
                break
        return orders

    async def get_my_trades(self, symbol: Symbol, limit: int = 100) -> list[Execution]:
        """Our recent fills in one contract (``GET /futures/usdt/my_trades``)."""
        if not 1 <= limit <= 1000:
            raise ValidationError(f"my_trades limit must be 1..1000, got {limit}")
        mult = await self.multiplier(symbol)
        params = [("contract", native_symbol(symbol)), ("limit", str(limit))]
        response = await self.transport.request("GET", c.FUTURES_MY_TRADES, params=params, signed=True, bucket=PRIVATE)
        return [trade.to_domain(mult) for trade in schemas.user_trades_decoder.decode(response.body)]

    # --- account and positions -----------------------------------------------------------------------
    async def get_account(self) -> MarginAccount:
        """The USDT margin account (``GET /futures/usdt/accounts``; ``user`` is the uid the WS needs)."""
        response = await self.transport.request("GET", c.FUTURES_ACCOUNTS, signed=True, bucket=PRIVATE)
        return schemas.account_decoder.decode(response.body).to_domain()

    async def get_balance(self) -> dict[str, Balance]:
        """The settle asset as a balance: free = available, locked = position + order margin."""
        response = await self.transport.request("GET", c.FUTURES_ACCOUNTS, signed=True, bucket=PRIVATE)
        balance = schemas.account_decoder.decode(response.body).to_balance()
        return {balance.asset: balance}

    async def get_positions(self) -> list[Position]:
        """Every position (two per contract in dual mode) (``GET /futures/usdt/positions``)."""
        response = await self.transport.request("GET", c.FUTURES_POSITIONS, signed=True, bucket=PRIVATE)
        return await self._positions(schemas.positions_decoder.decode(response.body))

    async def get_position(self, symbol: Symbol) -> Position:
        """The single-mode position of one contract (``GET /futures/usdt/positions/{contract}``)."""
        mult = await self.multiplier(symbol)
        path = f"{c.FUTURES_POSITIONS}/{native_symbol(symbol)}"
        response = await self.transport.request("GET", path, signed=True, bucket=PRIVATE)
        return schemas.position_decoder.decode(response.body).to_domain(mult)

    async def get_dual_positions(self, symbol: Symbol) -> list[Position]:
        """The long and short positions of one contract in dual mode (``GET .../dual_comp/positions/{c}``)."""
        path = f"{c.FUTURES_DUAL_POSITIONS}/{native_symbol(symbol)}"
        response = await self.transport.request("GET", path, signed=True, bucket=PRIVATE)
        return await self._positions(schemas.positions_decoder.decode(response.body))

    async def set_leverage(
        self, symbol: Symbol, leverage: Decimal | int, *, cross_leverage_limit: Decimal | int | None = None
    ) -> list[Position]:
        """Set a contract's leverage (``0`` = cross margin, then ``cross_leverage_limit`` applies).

        Single mode posts ``/positions/{contract}/leverage`` (one position back), dual mode
        ``/dual_comp/positions/{contract}/leverage`` (both back); parameters go in the query string.
        """
        value = Decimal(leverage)
        if not value.is_finite() or value < 0 or value != value.to_integral_value():
            raise ValidationError(f"leverage must be a whole number >= 0 (0 = cross), got {leverage!r}")
        params = [("leverage", _decimal_text(value))]
        if cross_leverage_limit is not None:
            params.append(("cross_leverage_limit", _decimal_text(Decimal(cross_leverage_limit))))
        account = await self.get_account()
        dual = account.position_mode is PositionMode.DUAL
        base = c.FUTURES_DUAL_POSITIONS if dual else c.FUTURES_POSITIONS
        path = f"{base}/{native_symbol(symbol)}/leverage"
        response = await self.transport.request("POST", path, params=params, signed=True, bucket=PRIVATE)
        if dual:
            return await self._positions(schemas.positions_decoder.decode(response.body))
        mult = await self.multiplier(symbol)
        return [schemas.position_decoder.decode(response.body).to_domain(mult)]

    async def set_position_mode(self, mode: PositionMode) -> MarginAccount:
        """Single or dual (hedge) mode (``POST /futures/usdt/dual_mode?dual_mode=``); needs no positions
        and no open orders (``POSITION_HOLDING`` / ``ORDER_PENDING`` otherwise)."""
        params = [("dual_mode", "true" if mode is PositionMode.DUAL else "false")]
        response = await self.transport.request("POST", c.FUTURES_DUAL_MODE, params=params, signed=True, bucket=PRIVATE)
        return schemas.account_decoder.decode(response.body).to_domain()

    async def sync_time(self) -> None:
        """Measure the server-time offset (``GET /spot/time``) so ``Timestamp`` headers stay within 60 s."""
        sent = time.monotonic()
        response = await self.transport.request("GET", c.SPOT_TIME, bucket=PUBLIC)
        received = time.monotonic()
        self.clock.update_from_server(server_time_decoder.decode(response.body).server_time, sent, received)

    async def close(self) -> None:
        await self.transport.close()

    async def _positions(self, items: list[schemas.FuturesPosition]) -> list[Position]:
        if not self.contract_sizes.loaded:
            await fetch_contracts(self.transport, self.contract_sizes)
        sizes = self.contract_sizes
        return [item.to_domain(sizes.multiplier(schemas.symbol_from_native(item.contract))) for item in items]

    def __repr__(self) -> str:
        return f"GateioPrivateFuturesRest({self.config.rest_url}, credentials=<hidden>)"
