"""Venue-independent private logic: order validation, client order ids, the order/balance cache, and the
resolution of an order whose create request ended with an unknown outcome.

Number inputs: prices and quantities are accepted as ``Decimal``, ``int`` or ``str`` and converted to
``Decimal``; ``float`` (and ``bool``) is **rejected** with a validation error, because a binary float
(``0.1 + 0.2``) silently carries digits nobody meant to send. Convert with ``Decimal(str(x))`` if you
must start from a float.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation, localcontext
from enum import Enum
from typing import TypeVar

from app.domain.enums import OrderType, Side, TimeInForce, TradingStatus
from app.domain.models import Balance, Execution, Order, SymbolInfo
from app.domain.symbol import Symbol
from app.errors import (
    AuthenticationError,
    ExchangeUnavailableError,
    InvalidClientOrderIdError,
    InvalidOrderParamsError,
    InvalidPriceError,
    InvalidQuantityError,
    MinNotionalError,
    NetworkError,
    OrderNotFoundError,
    OrderStateUnknownError,
    RateLimitError,
    ValidationError,
)

E = TypeVar("E", bound=Enum)

#: Errors after which a create request may or may not have reached the matching engine.
UNKNOWN_OUTCOME_ERRORS: tuple[type[Exception], ...] = (NetworkError, ExchangeUnavailableError)


# --- numbers and enums ---------------------------------------------------------------------------
def to_decimal(value: object, name: str, error: type[ValidationError]) -> Decimal:
    """Convert a ``Decimal``/``int``/``str`` to a finite ``Decimal``; raise ``error`` otherwise."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool | float):
        raise error(
            f"{name} must be a Decimal, int or str, not {type(value).__name__} "
            f"(floats are rejected to avoid binary rounding; use Decimal({str(value)!r}))"
        )
    elif isinstance(value, int | str):
        try:
            result = Decimal(value)
        except (InvalidOperation, ValueError):
            raise error(f"{name} {value!r} is not a decimal number") from None
    else:
        raise error(f"{name} must be a Decimal, int or str, got {type(value).__name__}")
    if not result.is_finite():
        raise error(f"{name} must be finite, got {value!r}")
    return result


def coerce_enum(enum_type: type[E], value: object, name: str) -> E:
    """Return ``value`` as ``enum_type`` (accepts the member or its value, case-insensitive)."""
    if isinstance(value, enum_type):
        return value
    if isinstance(value, str):
        try:
            return enum_type(value.strip().lower())
        except ValueError:
            pass
    allowed = ", ".join(str(member.value) for member in enum_type)
    raise InvalidOrderParamsError(f"invalid {name} {value!r}; expected one of: {allowed}")


def is_multiple(value: Decimal, step: Decimal) -> bool:
    """Exact grid check ``value % step == 0`` (a non-positive step means no grid)."""
    if step <= 0:
        return True
    with localcontext() as ctx:
        ctx.prec = 80
        try:
            return value % step == 0
        except InvalidOperation:
            return False


# --- validation ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ValidatedOrder:
    """An order request that passed every local check; values are normalized ``Decimal``/enums."""

    symbol: Symbol
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce
    quantity: Decimal
    price: Decimal | None


def validate_order(
    info: SymbolInfo,
    side: Side | str,
    quantity: object,
    price: object | None,
    order_type: OrderType | str = OrderType.LIMIT,
    time_in_force: TimeInForce | str = TimeInForce.GTC,
) -> ValidatedOrder:
    """Check an order against the symbol's rules before anything is sent.

    Limit orders need a positive price on the tick grid. Market orders never rest: ``post_only`` is
    refused and the default ``gtc`` becomes ``ioc``; their optional ``price`` is a positive reference
    price (not tick-checked) used for the notional check and by venues that size market buys in quote.
    Raises ``InvalidOrderParamsError``, ``InvalidQuantityError``, ``InvalidPriceError`` or
    ``MinNotionalError``.
    """
    side_ = coerce_enum(Side, side, "side")
    type_ = coerce_enum(OrderType, order_type, "order_type")
    tif = coerce_enum(TimeInForce, time_in_force, "time_in_force")
    _check_status(info, side_)
    if type_ is OrderType.MARKET:
        if tif is TimeInForce.POST_ONLY:
            raise InvalidOrderParamsError("a market order cannot be post-only")
        if tif is TimeInForce.GTC:
            tif = TimeInForce.IOC

    qty = to_decimal(quantity, "quantity", InvalidQuantityError)
    if qty <= 0:
        raise InvalidQuantityError(f"quantity must be > 0, got {qty}")
    if qty < info.min_quantity:
        raise InvalidQuantityError(f"quantity {qty} is below the minimum {info.min_quantity} for {info.symbol}")
    if info.max_quantity is not None and qty > info.max_quantity:
        raise InvalidQuantityError(f"quantity {qty} is above the maximum {info.max_quantity} for {info.symbol}")
    if not is_multiple(qty, info.lot_size):
        raise InvalidQuantityError(f"quantity {qty} is not a multiple of the lot size {info.lot_size}")

    px: Decimal | None = None
    if price is not None:
        px = to_decimal(price, "price", InvalidPriceError)
        if px <= 0:
            raise InvalidPriceError(f"price must be > 0, got {px}")
    if type_ is OrderType.LIMIT:
        if px is None:
            raise InvalidPriceError("a limit order needs a price")
        if not is_multiple(px, info.tick_size):
            raise InvalidPriceError(f"price {px} is not a multiple of the tick size {info.tick_size}")
    if px is not None and info.min_notional > 0 and px * qty < info.min_notional:
        raise MinNotionalError(
            f"notional {px * qty} (price x quantity) is below the minimum {info.min_notional} for {info.symbol}"
        )
    return ValidatedOrder(info.symbol, side_, type_, tif, qty, px)


def _check_status(info: SymbolInfo, side: Side) -> None:
    status = info.status
    if status is TradingStatus.TRADING:
        return
    if (
        status is TradingStatus.HALTED
        or (status is TradingStatus.BUY_ONLY and side is Side.SELL)
        or (status is TradingStatus.SELL_ONLY and side is Side.BUY)
    ):
        raise InvalidOrderParamsError(f"{info.symbol} is {status.value}: {side.value} orders are not accepted")


# --- client order ids ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ClientOrderIdRule:
    """A venue's client order id rule: ``prefix`` + 1..``max_body_length`` bytes from ``charset``.

    Calling the rule with None generates a fresh id (``prefix`` + random hex); with a string it validates
    it, adding the prefix when it is missing (as ccxt does for Gate), or raises
    ``InvalidClientOrderIdError``.
    """

    prefix: str
    max_body_length: int
    charset: frozenset[str]
    generated_length: int = 20

    def generate(self) -> str:
        return self.prefix + uuid.uuid4().hex[: min(self.generated_length, self.max_body_length)]

    def normalize(self, value: object) -> str:
        if not isinstance(value, str):
            raise InvalidClientOrderIdError(f"client_order_id must be a str, got {type(value).__name__}")
        body = value[len(self.prefix) :] if value.startswith(self.prefix) else value
        if not body or len(body.encode()) > self.max_body_length:
            raise InvalidClientOrderIdError(
                f"client_order_id {value!r}: 1..{self.max_body_length} characters expected after {self.prefix!r}"
            )
        if not self.charset.issuperset(body):
            raise InvalidClientOrderIdError(
                f"client_order_id {value!r} has characters outside {''.join(sorted(self.charset))!r}"
            )
        return self.prefix + body

    def __call__(self, value: str | None = None) -> str:
        return self.generate() if value is None else self.normalize(value)


# --- order and balance cache ---------------------------------------------------------------------
def merge_order(old: Order, new: Order) -> Order:
    """Return the more recent of two reports of the same order (events can arrive out of order).

    A finished order never reopens, fills never go backwards, and a missing client id is kept from the
    older report.
    """
    if old.status.is_open != new.status.is_open:
        winner = old if not old.status.is_open else new
    elif new.filled_quantity < old.filled_quantity or (
        new.filled_quantity == old.filled_quantity and 0 < new.update_ms < old.update_ms
    ):
        winner = old
    else:
        winner = new
    if winner.client_order_id is None:
        other = old if winner is new else new
        if other.client_order_id is not None:
            winner = replace(winner, client_order_id=other.client_order_id)
    return winner


class OrderTracker:
    """Open orders, recently finished orders, balances and recent executions, kept from stream events.

    REST snapshots (at start and after a reconnect) are merged with :meth:`replace_open_orders` and
    :meth:`replace_balances`, which keep entries the stream updated after the snapshot request started.
    """

    def __init__(self, *, finished_capacity: int = 2000, executions_capacity: int = 2000) -> None:
        self._open: dict[str, Order] = {}
        self._finished: OrderedDict[str, Order] = OrderedDict()
        self._by_client_id: dict[str, str] = {}
        self._updated_at: dict[str, float] = {}
        self._balances: dict[str, Balance] = {}
        self._balance_updated_at: dict[str, float] = {}
        self._finished_capacity = finished_capacity
        self.executions: deque[Execution] = deque(maxlen=executions_capacity)

    # --- events ------------------------------------------------------------------------------------
    def on_order(self, order: Order) -> Order:
        """Record an order report; returns the merged current state of that order."""
        order_id = order.order_id
        previous = self._open.get(order_id) or self._finished.get(order_id)
        current = order if previous is None else merge_order(previous, order)
        if current.status.is_open:
            self._open[order_id] = current
        else:
            self._open.pop(order_id, None)
            self._finished[order_id] = current
            self._finished.move_to_end(order_id)
            while len(self._finished) > self._finished_capacity:
                old_id, old = self._finished.popitem(last=False)
                self._updated_at.pop(old_id, None)
                if old.client_order_id is not None and self._by_client_id.get(old.client_order_id) == old_id:
                    del self._by_client_id[old.client_order_id]
        if current.client_order_id is not None:
            self._by_client_id[current.client_order_id] = order_id
        self._updated_at[order_id] = time.monotonic()
        return current

    def on_balance(self, balance: Balance) -> None:
        self._balances[balance.asset] = balance
        self._balance_updated_at[balance.asset] = time.monotonic()

    def on_execution(self, execution: Execution) -> None:
        self.executions.append(execution)

    # --- snapshots ---------------------------------------------------------------------------------
    def replace_open_orders(
        self,
        orders: Iterable[Order],
        *,
        requested_at: float | None = None,
        symbols: Collection[Symbol] | None = None,
    ) -> list[Order]:
        """Merge a REST list of open orders (for ``symbols``, or all when None).

        Cached open orders absent from the list are returned (they finished while we were not listening)
        and removed, unless the stream updated them after ``requested_at`` (``time.monotonic()`` taken
        before the request).
        """
        listed: set[str] = set()
        for order in orders:
            listed.add(order.order_id)
            if order.order_id in self._finished:
                continue
            self.on_order(order)
        vanished: list[Order] = []
        for order_id, order in list(self._open.items()):
            if order_id in listed or (symbols is not None and order.symbol not in symbols):
                continue
            if requested_at is not None and self._updated_at.get(order_id, 0.0) > requested_at:
                continue
            vanished.append(self._open.pop(order_id))
        return vanished

    def replace_balances(self, balances: Iterable[Balance], *, requested_at: float | None = None) -> None:
        """Install a REST balance snapshot, keeping assets the stream updated after ``requested_at``."""
        fresh: dict[str, Balance] = {}
        for asset, balance in self._balances.items():
            if requested_at is not None and self._balance_updated_at.get(asset, 0.0) > requested_at:
                fresh[asset] = balance
        self._balances = {balance.asset: balance for balance in balances}
        self._balances.update(fresh)

    # --- reads -------------------------------------------------------------------------------------
    def open_orders(self, symbol: Symbol | None = None) -> list[Order]:
        if symbol is None:
            return list(self._open.values())
        return [order for order in self._open.values() if order.symbol == symbol]

    def balances(self) -> dict[str, Balance]:
        return dict(self._balances)

    def balance(self, asset: str) -> Balance | None:
        return self._balances.get(asset.upper())

    def get(self, order_id: str) -> Order | None:
        return self._open.get(order_id) or self._finished.get(order_id)

    def find_by_client_id(self, client_order_id: str) -> Order | None:
        order_id = self._by_client_id.get(client_order_id)
        return None if order_id is None else self.get(order_id)


# --- unknown outcome resolution ------------------------------------------------------------------
OrderLookup = Callable[[], Awaitable[Order]]


async def resolve_unknown_order(
    lookup: OrderLookup,
    *,
    cause: Exception,
    client_order_id: str,
    symbol: Symbol,
    tracker: OrderTracker | None = None,
    attempts: int = 3,
    base_delay_s: float = 0.25,
    max_delay_s: float = 2.0,
    logger: logging.Logger | None = None,
) -> Order:
    """Establish whether an order whose create request failed with ``cause`` exists; never re-send it.

    Each attempt first checks the stream-fed ``tracker`` by client order id, then calls ``lookup`` (a
    query by client order id). Found -> the order is returned. ``OrderNotFoundError`` on the last
    attempt -> the order was not placed: ``cause`` is re-raised (with a note), so a transport error from
    ``create_order`` always means "not placed". Any other lookup failure on the last attempt ->
    ``OrderStateUnknownError(client_order_id=...)``: the order may exist.
    """
    log = logger or logging.getLogger(__name__)
    last_error: Exception | None = None
    for attempt in range(1, max(1, attempts) + 1):
        if tracker is not None and (known := tracker.find_by_client_id(client_order_id)) is not None:
            return known
        try:
            return await lookup()
        except OrderNotFoundError as exc:
            last_error = exc
        except AuthenticationError as exc:
            last_error = exc
            break
        except (NetworkError, ExchangeUnavailableError, RateLimitError, OrderStateUnknownError) as exc:
            last_error = exc  # transient (a 429 on the lookup too): look again
        except Exception as exc:
            last_error = exc
            break
        log.warning(
            "order %s (%s) outcome unknown after %r; lookup %d/%d: %r",
            client_order_id,
            symbol,
            cause,
            attempt,
            attempts,
            last_error,
        )
        if attempt < attempts:
            await asyncio.sleep(min(max_delay_s, base_delay_s * 2 ** (attempt - 1)))
    if tracker is not None and (known := tracker.find_by_client_id(client_order_id)) is not None:
        return known
    if isinstance(last_error, OrderNotFoundError):
        cause.add_note(f"order {client_order_id} was looked up {attempts} times and not found: it was not placed")
        raise cause
    raise OrderStateUnknownError(
        f"create_order failed with {type(cause).__name__} and the order could not be looked up ({last_error!r})",
        client_order_id=client_order_id,
        symbol=str(symbol),
    ) from cause


async def place_order(
    send: OrderLookup,
    lookup: OrderLookup,
    *,
    client_order_id: str,
    symbol: Symbol,
    tracker: OrderTracker | None = None,
    attempts: int = 3,
    base_delay_s: float = 0.25,
    max_delay_s: float = 2.0,
    logger: logging.Logger | None = None,
) -> Order:
    """Send a create request once; on a timeout / network / 5xx outcome resolve it by lookup."""
    try:
        return await send()
    except UNKNOWN_OUTCOME_ERRORS as exc:
        return await resolve_unknown_order(
            lookup,
            cause=exc,
            client_order_id=client_order_id,
            symbol=symbol,
            tracker=tracker,
            attempts=attempts,
            base_delay_s=base_delay_s,
            max_delay_s=max_delay_s,
            logger=logger,
        )
