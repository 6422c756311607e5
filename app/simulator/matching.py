"""Venue-independent price-time matching engine (Decimal) with accounts, fees and change events.

One :class:`MatchingEngine` per market. Orders are generic (:class:`SimOrder`); venues translate their wire
formats to and from it. Every change of a price level's total advances the market's book ``sequence`` by
one, which is what venues publish as order-book update ids. Balances move between ``free`` and ``locked``
in a shared :class:`Ledger`; fees are charged in the asset the account receives.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum
from typing import Any

from app.domain.enums import OrderType, Side, TimeInForce

ZERO = Decimal(0)


class OrderState(StrEnum):
    OPEN = "open"
    FILLED = "filled"
    CANCELLED = "cancelled"


class FinishReason(StrEnum):
    """Why an order left the book (``OPEN`` while it has not)."""

    OPEN = "open"
    FILLED = "filled"
    CANCELLED = "cancelled"
    IOC = "ioc"
    FOK = "fok"
    POST_ONLY = "poc"
    NO_LIQUIDITY = "depth_not_enough"


class OrderEvent(StrEnum):
    NEW = "new"
    FILL = "fill"
    DONE = "done"


class BalanceReason(StrEnum):
    DEPOSIT = "deposit"
    ORDER_CREATE = "order_create"
    ORDER_MATCH = "order_match"
    ORDER_CANCEL = "order_cancel"


class RejectReason(StrEnum):
    INSUFFICIENT_BALANCE = "insufficient_balance"
    POST_ONLY_WOULD_TAKE = "post_only_would_take"
    NO_LIQUIDITY = "no_liquidity"


class OrderRejected(Exception):
    """The engine refused an order before it was accepted (nothing changed)."""

    def __init__(self, reason: RejectReason, message: str = "") -> None:
        super().__init__(message or reason.value)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class MarketSpec:
    """Trading rules of one market; ``maker_fee``/``taker_fee`` are rates (0.001 = 0.1 %)."""

    symbol: str
    base: str
    quote: str
    price_tick: Decimal
    lot_size: Decimal
    min_base: Decimal
    min_quote: Decimal
    maker_fee: Decimal = Decimal("0.001")
    taker_fee: Decimal = Decimal("0.002")


@dataclass(slots=True, eq=False)
class SimOrder:
    """A generic order. ``quantity`` is base; a market buy may give ``quote_quantity`` instead."""

    order_id: str
    account_id: str
    symbol: str
    side: Side
    order_type: OrderType
    time_in_force: TimeInForce
    quantity: Decimal
    price: Decimal | None = None
    quote_quantity: Decimal | None = None
    client_order_id: str | None = None
    filled: Decimal = ZERO
    filled_quote: Decimal = ZERO
    fee: Decimal = ZERO
    fee_asset: str = ""
    state: OrderState = OrderState.OPEN
    finish_reason: FinishReason = FinishReason.OPEN
    locked: Decimal = ZERO
    created_us: int = 0
    updated_us: int = 0
    finished_us: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def remaining(self) -> Decimal:
        return self.quantity - self.filled

    @property
    def remaining_quote(self) -> Decimal:
        return (self.quote_quantity or ZERO) - self.filled_quote

    @property
    def is_open(self) -> bool:
        return self.state is OrderState.OPEN

    @property
    def average_price(self) -> Decimal:
        return self.filled_quote / self.filled if self.filled else ZERO


@dataclass(frozen=True, slots=True)
class Fill:
    """One match between a resting (maker) and an incoming (taker) order."""

    trade_id: str
    market_trade_seq: int
    symbol: str
    price: Decimal
    quantity: Decimal
    taker_side: Side
    maker: SimOrder
    taker: SimOrder
    maker_fee: Decimal
    taker_fee: Decimal
    ts_us: int

    @property
    def quote_quantity(self) -> Decimal:
        return self.price * self.quantity


@dataclass(frozen=True, slots=True)
class BalanceChange:
    """Free/locked change of one asset of one account after ``reason``."""

    account_id: str
    asset: str
    free: Decimal
    locked: Decimal
    delta_free: Decimal
    delta_locked: Decimal
    reason: BalanceReason
    version: int
    ts_us: int


class EngineListener:
    """Receives every change the engine makes; venues override what they publish. Calls are synchronous."""

    def on_book_change(self, symbol: str, side: Side, price: Decimal, total: Decimal, sequence: int) -> None:
        """A price level's total changed (``0`` = level removed); ``sequence`` is the new book id."""

    def on_trade(self, fill: Fill) -> None:
        """A match happened (published before the matched orders' FILL events)."""

    def on_order(self, order: SimOrder, event: OrderEvent) -> None:
        """An order was accepted (NEW), (partially) filled (FILL) or finished (DONE)."""

    def on_balance(self, change: BalanceChange) -> None:
        """An account's balance moved."""


@dataclass(slots=True)
class AssetBalance:
    free: Decimal = ZERO
    locked: Decimal = ZERO
    version: int = 0


@dataclass(slots=True)
class Account:
    """Balances of one account; an ``unlimited`` account (synthetic liquidity) is never checked or changed."""

    account_id: str
    unlimited: bool = False
    balances: dict[str, AssetBalance] = field(default_factory=dict)

    def balance(self, asset: str) -> AssetBalance:
        entry = self.balances.get(asset)
        if entry is None:
            entry = self.balances[asset] = AssetBalance()
        return entry


class Ledger:
    """All accounts of one venue; every movement is reported to the listener."""

    def __init__(self, listener: EngineListener, clock_us: Callable[[], int]) -> None:
        self.accounts: dict[str, Account] = {}
        self.listener = listener
        self._clock_us = clock_us

    def open_account(self, account_id: str, *, unlimited: bool = False) -> Account:
        account = self.accounts.get(account_id)
        if account is None:
            account = self.accounts[account_id] = Account(account_id, unlimited=unlimited)
        return account

    def deposit(self, account_id: str, asset: str, amount: Decimal) -> None:
        self.move(account_id, asset, amount, ZERO, BalanceReason.DEPOSIT)

    def can_lock(self, account_id: str, asset: str, amount: Decimal) -> bool:
        account = self.accounts[account_id]
        return account.unlimited or account.balance(asset).free >= amount

    def move(
        self, account_id: str, asset: str, delta_free: Decimal, delta_locked: Decimal, reason: BalanceReason
    ) -> None:
        account = self.accounts[account_id]
        if account.unlimited or (not delta_free and not delta_locked):
            return
        entry = account.balance(asset)
        entry.free += delta_free
        entry.locked += delta_locked
        entry.version += 1
        self.listener.on_balance(
            BalanceChange(
                account_id,
                asset,
                entry.free,
                entry.locked,
                delta_free,
                delta_locked,
                reason,
                entry.version,
                self._clock_us(),
            )
        )


class BookSide:
    """Price levels of one side with FIFO queues; ``prices`` kept ascending."""

    def __init__(self, side: Side) -> None:
        self.side = side
        self.prices: list[Decimal] = []
        self.levels: dict[Decimal, deque[SimOrder]] = {}
        self.totals: dict[Decimal, Decimal] = {}

    def best(self) -> Decimal | None:
        if not self.prices:
            return None
        return self.prices[-1] if self.side is Side.BUY else self.prices[0]

    def iter_prices(self) -> Iterator[Decimal]:
        """Best first."""
        return reversed(self.prices) if self.side is Side.BUY else iter(self.prices)

    def depth(self, limit: int | None = None) -> list[tuple[Decimal, Decimal]]:
        out: list[tuple[Decimal, Decimal]] = []
        for price in self.iter_prices():
            if limit is not None and len(out) >= limit:
                break
            out.append((price, self.totals[price]))
        return out

    def add(self, order: SimOrder, price: Decimal) -> Decimal:
        queue = self.levels.get(price)
        if queue is None:
            queue = self.levels[price] = deque()
            self.totals[price] = ZERO
            bisect.insort(self.prices, price)
        queue.append(order)
        self.totals[price] += order.remaining
        return self.totals[price]

    def reduce(self, price: Decimal, quantity: Decimal) -> Decimal:
        total = self.totals[price] - quantity
        self.totals[price] = total
        return total

    def remove(self, order: SimOrder, price: Decimal) -> Decimal:
        queue = self.levels[price]
        queue.remove(order)
        total = self.reduce(price, order.remaining)
        if not queue:
            self.drop_level(price)
            return ZERO
        return total

    def drop_level(self, price: Decimal) -> None:
        del self.levels[price]
        del self.totals[price]
        self.prices.pop(bisect.bisect_left(self.prices, price))


def _crosses(side: Side, limit: Decimal | None, opposite_best: Decimal) -> bool:
    if limit is None:
        return True
    return opposite_best <= limit if side is Side.BUY else opposite_best >= limit


class MatchingEngine:
    """Price-time priority book of one market: limit/market, GTC/IOC/FOK/post-only, partial fills, fees."""

    def __init__(
        self,
        spec: MarketSpec,
        ledger: Ledger,
        *,
        next_trade_id: Callable[[], str],
        clock_us: Callable[[], int],
        start_sequence: int = 1,
    ) -> None:
        self.spec = spec
        self.ledger = ledger
        self.bids = BookSide(Side.BUY)
        self.asks = BookSide(Side.SELL)
        self.sequence = start_sequence
        self.trade_seq = 0
        self.last_update_us = clock_us()
        self.orders: dict[str, SimOrder] = {}
        self._next_trade_id = next_trade_id
        self._clock_us = clock_us

    @property
    def listener(self) -> EngineListener:
        return self.ledger.listener

    def side(self, side: Side) -> BookSide:
        return self.bids if side is Side.BUY else self.asks

    def open_orders(self, account_id: str | None = None) -> list[SimOrder]:
        return [o for o in self.orders.values() if o.is_open and (account_id is None or o.account_id == account_id)]

    # --- entry points ------------------------------------------------------------------------------
    def submit(self, order: SimOrder) -> SimOrder:
        """Accept, match and (GTC/post-only remainder) rest ``order``; raise :class:`OrderRejected`."""
        now = self._clock_us()
        order.created_us = order.updated_us = now
        opposite = self.side(order.side.opposite)
        best = opposite.best()
        crossing = best is not None and _crosses(order.side, order.price, best)
        if order.time_in_force is TimeInForce.POST_ONLY and crossing:
            raise OrderRejected(RejectReason.POST_ONLY_WOULD_TAKE, "post-only order would take liquidity")
        lock_asset, lock_amount = self._required_lock(order)
        if not self.ledger.can_lock(order.account_id, lock_asset, lock_amount):
            raise OrderRejected(RejectReason.INSUFFICIENT_BALANCE, "not enough balance")
        order.fee_asset = self.spec.base if order.side is Side.BUY else self.spec.quote
        order.locked = lock_amount
        self.orders[order.order_id] = order
        self.ledger.move(order.account_id, lock_asset, -lock_amount, lock_amount, BalanceReason.ORDER_CREATE)
        self.listener.on_order(order, OrderEvent.NEW)
        if order.time_in_force is TimeInForce.FOK and not self._fok_fillable(order):
            self._finish(order, OrderState.CANCELLED, FinishReason.FOK)
            return order
        if crossing:
            self._match(order)
        if not order.is_open:
            return order
        if self._done_filling(order):
            self._finish(order, OrderState.FILLED, FinishReason.FILLED)
        elif order.order_type is OrderType.MARKET or order.time_in_force in (TimeInForce.IOC, TimeInForce.FOK):
            reason = (
                FinishReason.IOC if order.filled or order.order_type is OrderType.LIMIT else FinishReason.NO_LIQUIDITY
            )
            self._finish(order, OrderState.CANCELLED, reason)
        else:
            assert order.price is not None
            total = self.side(order.side).add(order, order.price)
            self._book_changed(order.side, order.price, total)
        return order

    def cancel(self, order_id: str) -> SimOrder:
        """Cancel an open order; ``KeyError`` when unknown or already finished."""
        order = self.orders[order_id]
        if not order.is_open:
            raise KeyError(order_id)
        assert order.price is not None
        total = self.side(order.side).remove(order, order.price)
        self._book_changed(order.side, order.price, total)
        self._finish(order, OrderState.CANCELLED, FinishReason.CANCELLED)
        return order

    # --- internals ----------------------------------------------------------------------------------
    def _required_lock(self, order: SimOrder) -> tuple[str, Decimal]:
        if order.side is Side.SELL:
            return self.spec.base, order.quantity
        if order.order_type is OrderType.LIMIT:
            assert order.price is not None
            return self.spec.quote, order.quantity * order.price
        if order.quote_quantity is not None:
            return self.spec.quote, order.quote_quantity
        return self.spec.quote, self._sweep_cost(order.quantity)

    def _sweep_cost(self, quantity: Decimal) -> Decimal:
        cost, left = ZERO, quantity
        for price, total in self.asks.depth():
            take = min(left, total)
            cost += take * price
            left -= take
            if not left:
                break
        return cost

    def _fok_fillable(self, order: SimOrder) -> bool:
        need = order.remaining_quote if self._by_quote(order) else order.remaining
        for price, total in self.side(order.side.opposite).depth():
            if not _crosses(order.side, order.price, price):
                return False
            need -= total * price if self._by_quote(order) else total
            if need <= 0:
                return True
        return False

    @staticmethod
    def _by_quote(order: SimOrder) -> bool:
        return order.order_type is OrderType.MARKET and order.quote_quantity is not None

    def _done_filling(self, order: SimOrder) -> bool:
        if not self._by_quote(order):
            return order.remaining <= 0
        best = self.asks.best()  # a quote-sized market buy is done when the rest cannot buy one lot
        return order.filled > 0 and best is not None and self._affordable(order, best) <= 0

    def _affordable(self, order: SimOrder, price: Decimal) -> Decimal:
        lots = (order.remaining_quote / price / self.spec.lot_size).to_integral_value(ROUND_DOWN)
        return lots * self.spec.lot_size

    def _match(self, taker: SimOrder) -> None:
        book = self.side(taker.side.opposite)
        while taker.is_open:
            price = book.best()
            if price is None or not _crosses(taker.side, taker.price, price):
                return
            wanted = self._affordable(taker, price) if self._by_quote(taker) else taker.remaining
            if wanted <= 0:
                return
            queue = book.levels[price]
            maker = queue[0]
            quantity = min(wanted, maker.remaining)
            self._execute(maker, taker, price, quantity)
            if maker.remaining <= 0:
                queue.popleft()
            total = book.reduce(price, quantity)
            if not queue:
                book.drop_level(price)
                total = ZERO
            self._book_changed(book.side, price, total)
            if maker.remaining <= 0:
                self._finish(maker, OrderState.FILLED, FinishReason.FILLED)

    def _execute(self, maker: SimOrder, taker: SimOrder, price: Decimal, quantity: Decimal) -> None:
        now = self._clock_us()
        quote = price * quantity
        fees: dict[str, Decimal] = {}
        for order, rate in ((maker, self.spec.maker_fee), (taker, self.spec.taker_fee)):
            received = quantity if order.side is Side.BUY else quote
            fee = received * rate
            fees[order.order_id] = fee
            order.filled += quantity
            order.filled_quote += quote
            order.fee += fee
            order.updated_us = now
            self._settle(order, quantity, quote, price, fee)
        self.trade_seq += 1
        fill = Fill(
            self._next_trade_id(),
            self.trade_seq,
            self.spec.symbol,
            price,
            quantity,
            taker.side,
            maker,
            taker,
            fees[maker.order_id],
            fees[taker.order_id],
            now,
        )
        self.listener.on_trade(fill)
        self.listener.on_order(maker, OrderEvent.FILL)
        self.listener.on_order(taker, OrderEvent.FILL)

    def _settle(self, order: SimOrder, quantity: Decimal, quote: Decimal, price: Decimal, fee: Decimal) -> None:
        spec, ledger, account = self.spec, self.ledger, order.account_id
        if order.side is Side.BUY:
            release = quote if order.price is None else quantity * order.price
            release = min(release, order.locked)
            order.locked -= release
            ledger.move(account, spec.quote, release - quote, -release, BalanceReason.ORDER_MATCH)
            ledger.move(account, spec.base, quantity - fee, ZERO, BalanceReason.ORDER_MATCH)
        else:
            order.locked -= quantity
            ledger.move(account, spec.base, ZERO, -quantity, BalanceReason.ORDER_MATCH)
            ledger.move(account, spec.quote, quote - fee, ZERO, BalanceReason.ORDER_MATCH)

    def _finish(self, order: SimOrder, state: OrderState, reason: FinishReason) -> None:
        order.state = state
        order.finish_reason = reason
        order.updated_us = order.finished_us = self._clock_us()
        if order.locked > 0:
            asset = self.spec.base if order.side is Side.SELL else self.spec.quote
            why = BalanceReason.ORDER_MATCH if state is OrderState.FILLED else BalanceReason.ORDER_CANCEL
            self.ledger.move(order.account_id, asset, order.locked, -order.locked, why)
            order.locked = ZERO
        self.listener.on_order(order, OrderEvent.DONE)

    def _book_changed(self, side: Side, price: Decimal, total: Decimal) -> None:
        self.sequence += 1
        self.last_update_us = self._clock_us()
        self.listener.on_book_change(self.spec.symbol, side, price, total, self.sequence)
