"""MEXC spot private REST: orders, balances, fills, the user-data-stream listenKey (reference sections 4-6).

Every parameter goes in the query string in a fixed order, ``recvWindow`` and the clock-corrected
``timestamp`` last, signed over exactly the bytes sent (:class:`~app.exchanges.mexc.signer.MexcRequestSigner`).
A 700003 (timestamp outside recvWindow) resyncs the server-time offset and the request is sent once more,
freshly signed; writes too: the venue checks the timestamp before anything else, so the refused request was
not processed (a soak with clock skew otherwise loses orders to it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from decimal import Decimal

from app.config import ExchangeConfig
from app.domain.enums import OrderType, Side, TimeInForce
from app.domain.models import Balance, Execution, Order, SymbolInfo
from app.domain.symbol import Symbol
from app.errors import ExchangeAPIError, InvalidOrderParamsError, InvalidPriceError, ValidationError
from app.exchanges.mexc import constants as c
from app.exchanges.mexc.client_order_id import validate_client_order_id
from app.exchanges.mexc.errors import MexcTimestampError
from app.exchanges.mexc.rest import make_mexc_transport
from app.exchanges.mexc.signer import MexcRequestSigner
from app.exchanges.mexc.spot import schemas
from app.exchanges.mexc.symbols import MexcSymbolTable
from app.exchanges.order_params import check_quantity_and_price
from app.transport.clock import ServerClock
from app.transport.rate_limit import CANCELS, ORDERS, PRIVATE, PUBLIC, RateLimiter
from app.transport.rest import RestResponse, RestTransport
from app.transport.session import HttpSessionManager

Params = list[tuple[str, str]]
_ORDER_ID_CHARS = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-")


def _fmt(value: Decimal) -> str:
    return format(value, "f")


def _check_id(value: str, what: str) -> str:
    if not isinstance(value, str) or not value or not _ORDER_ID_CHARS.issuperset(value):
        raise ValidationError(f"{what} must be a non-empty [0-9A-Za-z_-] string, got {value!r}")
    return value


def _is_timestamp_refusal(exc: ExchangeAPIError) -> bool:
    return isinstance(exc, MexcTimestampError)


class MexcPrivateSpotRest:
    """Signed spot trading calls. Construction without credentials raises ``CredentialsRequiredError``.

    Order types: LIMIT (GTC), LIMIT_MAKER (post-only), IMMEDIATE_OR_CANCEL, FILL_OR_KILL, MARKET (base
    ``quantity``, IOC by nature). The place-order answer carries no status: the returned :class:`Order`
    is ``NEW`` with nothing filled, and the stream or :meth:`get_order` tell the rest. A successful cancel
    is reported ``CANCELLED`` although MEXC's answer shows the state before the cancel.
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
        self.logger = logger or logging.getLogger("app.exchanges.mexc.spot.rest_private")
        self.clock = clock or ServerClock()
        self.symbols = MexcSymbolTable()
        self.transport: RestTransport = make_mexc_transport(
            config,
            sessions,
            signer=MexcRequestSigner(credentials, recv_window_ms=config.recv_window_ms),
            clock=self.clock,
            rate_limiter=rate_limiter,
            logger=self.logger,
        )
        # 700003 (timestamp outside recvWindow): resync the clock, resend once freshly signed (as on Gate)
        self.transport.set_clock_resync(self.sync_time, _is_timestamp_refusal)

    @property
    def time_resyncs(self) -> int:
        """Requests resent after a 700003 refusal and a clock resync."""
        return self.transport.clock_resyncs

    def set_symbol_info(self, infos: Mapping[Symbol, SymbolInfo]) -> None:
        """Learn native ids (``BTCUSDT`` -> ``BTC/USDT``) for answers that list several symbols."""
        self.symbols.update(infos)

    # -- orders ---------------------------------------------------------------------------------------
    def build_order_params(
        self,
        symbol: Symbol,
        side: Side,
        quantity: Decimal,
        price: Decimal | None,
        order_type: OrderType,
        time_in_force: TimeInForce,
        client_order_id: str,
    ) -> Params:
        """Validate (before any network call) and return the ``POST /api/v3/order`` parameters in order."""
        validate_client_order_id(client_order_id)
        check_quantity_and_price(quantity, price)
        params: Params = [("symbol", self.symbols.add(symbol)), ("side", c.SIDE_TO_MEXC[side])]
        if order_type is OrderType.LIMIT:
            if price is None:
                raise InvalidPriceError("a limit order needs a price")
            params += [
                ("type", c.LIMIT_TYPE_BY_TIF[time_in_force]),
                ("quantity", _fmt(quantity)),
                ("price", _fmt(price)),
            ]
        else:
            if time_in_force is TimeInForce.POST_ONLY:
                raise InvalidOrderParamsError("a market order cannot be post-only")
            if time_in_force is TimeInForce.FOK:
                raise InvalidOrderParamsError("MEXC market orders are IOC; send a FILL_OR_KILL limit order instead")
            params += [("type", "MARKET"), ("quantity", _fmt(quantity))]
        params.append(("newClientOrderId", client_order_id))
        return params

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
        """Place one order (``POST /api/v3/order``, never retried: on a timeout or 5xx its fate is unknown)."""
        params = self.build_order_params(symbol, side, quantity, price, order_type, time_in_force, client_order_id)
        response = await self._signed("POST", c.ORDER, params, ORDERS)
        return schemas.order_ack_decoder.decode(response.body).to_domain(symbol, client_order_id)

    async def cancel_order(self, symbol: Symbol, order_id: str) -> Order:
        """Cancel by MEXC order id (``DELETE /api/v3/order``); ``OrderNotFoundError`` when unknown or done."""
        params = [("symbol", self.symbols.add(symbol)), ("orderId", _check_id(order_id, "order id"))]
        response = await self._signed("DELETE", c.ORDER, params, CANCELS)
        return schemas.order_decoder.decode(response.body).to_domain(symbol, cancelled=True)

    async def cancel_order_by_client_id(self, symbol: Symbol, client_order_id: str) -> Order:
        """Cancel by ``newClientOrderId`` (``origClientOrderId``)."""
        params = [
            ("symbol", self.symbols.add(symbol)),
            ("origClientOrderId", _check_id(client_order_id, "client order id")),
        ]
        response = await self._signed("DELETE", c.ORDER, params, CANCELS)
        return schemas.order_decoder.decode(response.body).to_domain(symbol, cancelled=True)

    async def cancel_all_orders(self, symbol: Symbol | None = None) -> list[Order]:
        """Cancel every open order of one symbol, or of every symbol with open orders (5 per request)."""
        if symbol is not None:
            natives = [self.symbols.add(symbol)]
        else:
            natives = list(dict.fromkeys(self.symbols.add(order.symbol) for order in await self.get_open_orders()))
        cancelled: list[Order] = []
        for start in range(0, len(natives), c.CANCEL_ALL_MAX_SYMBOLS):
            chunk = natives[start : start + c.CANCEL_ALL_MAX_SYMBOLS]
            response = await self._signed("DELETE", c.OPEN_ORDERS, [("symbol", ",".join(chunk))], CANCELS)
            cancelled += self._orders(schemas.orders_decoder.decode(response.body), cancelled=True)
        return cancelled

    async def get_order(self, symbol: Symbol, order_id: str) -> Order:
        """One order by MEXC order id (``GET /api/v3/order``)."""
        params = [("symbol", self.symbols.add(symbol)), ("orderId", _check_id(order_id, "order id"))]
        response = await self._signed("GET", c.ORDER, params, PRIVATE)
        return schemas.order_decoder.decode(response.body).to_domain(symbol)

    async def get_order_by_client_id(self, symbol: Symbol, client_order_id: str) -> Order:
        """One order by ``newClientOrderId`` (``origClientOrderId``): how an order of unknown fate is found."""
        params = [
            ("symbol", self.symbols.add(symbol)),
            ("origClientOrderId", _check_id(client_order_id, "client order id")),
        ]
        response = await self._signed("GET", c.ORDER, params, PRIVATE)
        return schemas.order_decoder.decode(response.body).to_domain(symbol)

    async def get_open_orders(self, symbol: Symbol | None = None) -> list[Order]:
        """Open orders of one symbol, or of all (``GET /api/v3/openOrders`` without ``symbol``)."""
        params = [("symbol", self.symbols.add(symbol))] if symbol is not None else None
        response = await self._signed("GET", c.OPEN_ORDERS, params, PRIVATE)
        return self._orders(schemas.orders_decoder.decode(response.body))

    # -- account --------------------------------------------------------------------------------------
    async def get_balance(self) -> dict[str, Balance]:
        """Spot balances by asset (``GET /api/v3/account``)."""
        response = await self._signed("GET", c.ACCOUNT, None, PRIVATE)
        return {item.asset.upper(): item.to_domain() for item in schemas.account_decoder.decode(response.body).balances}

    async def get_my_trades(self, symbol: Symbol, limit: int = 100) -> list[Execution]:
        """Our recent fills in one symbol (``GET /api/v3/myTrades``, at most 100)."""
        if not 1 <= limit <= c.MY_TRADES_LIMIT_MAX:
            raise ValidationError(f"myTrades limit must be 1..{c.MY_TRADES_LIMIT_MAX}, got {limit}")
        params = [("symbol", self.symbols.add(symbol)), ("limit", str(limit))]
        response = await self._signed("GET", c.MY_TRADES, params, PRIVATE)
        return [trade.to_domain(symbol) for trade in schemas.my_trades_decoder.decode(response.body)]

    # -- user data stream -------------------------------------------------------------------------------
    async def create_listen_key(self) -> str:
        """``POST /api/v3/userDataStream``: a key valid 60 minutes (extend with :meth:`keepalive_listen_key`)."""
        response = await self._signed("POST", c.USER_DATA_STREAM, None, PRIVATE)
        return schemas.listen_key_decoder.decode(response.body).listenKey

    async def keepalive_listen_key(self, listen_key: str) -> None:
        """``PUT /api/v3/userDataStream``: valid 60 more minutes."""
        params = [("listenKey", _check_id(listen_key, "listenKey"))]
        await self._signed("PUT", c.USER_DATA_STREAM, params, PRIVATE)

    async def delete_listen_key(self, listen_key: str) -> None:
        """``DELETE /api/v3/userDataStream``: closes the key's streams."""
        params = [("listenKey", _check_id(listen_key, "listenKey"))]
        await self._signed("DELETE", c.USER_DATA_STREAM, params, PRIVATE)

    async def get_listen_keys(self) -> list[str]:
        """``GET /api/v3/userDataStream``: the account's valid keys."""
        response = await self._signed("GET", c.USER_DATA_STREAM, None, PRIVATE)
        return schemas.listen_keys_decoder.decode(response.body).listenKey

    async def sync_time(self) -> None:
        """Measure the server-time offset (``GET /api/v3/time``) so ``timestamp`` stays inside recvWindow."""
        sent = time.monotonic()
        response = await self.transport.request("GET", c.TIME, bucket=PUBLIC)
        received = time.monotonic()
        self.clock.update_from_server(schemas.server_time_decoder.decode(response.body).serverTime, sent, received)

    # -- internals --------------------------------------------------------------------------------------
    async def _signed(
        self, method: str, path: str, params: Sequence[tuple[str, str]] | None, bucket: str
    ) -> RestResponse:
        return await self.transport.request(method, path, params=params, signed=True, bucket=bucket)

    def _orders(self, items: list[schemas.OrderRest], *, cancelled: bool = False) -> list[Order]:
        orders: list[Order] = []
        for item in items:
            symbol = self.symbols.get(item.symbol)
            if symbol is None:
                self.logger.warning(
                    "mexc order %s in unknown symbol %s skipped (load exchangeInfo)", item.orderId, item.symbol
                )
                continue
            orders.append(item.to_domain(symbol, cancelled=cancelled))
        return orders

    async def close(self) -> None:
        await self.transport.close()

    def __repr__(self) -> str:
        return f"MexcPrivateSpotRest({self.config.rest_url}, credentials=<hidden>)"
