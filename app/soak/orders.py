"""The soak's order side: every create request recorded with its client id and outcome, a paper order flow
per venue, and the reconciliation against the simulator's records (duplicated / lost orders).

:class:`GuardedPrivate` wraps a private composite (for the flow and for the monitor's executor): it gives
every order a client id before sending (so even a request that raised can be found on the venue), records
the outcome, and holds new calls while a checkpoint runs.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from enum import StrEnum
from typing import Any

from app.composite.interfaces import CompositePrivateExchange, CompositePublicExchange
from app.domain.enums import OrderType, Side, TimeInForce
from app.domain.models import Order, SymbolInfo
from app.domain.symbol import Symbol
from app.errors import (
    AuthenticationError,
    CexArbError,
    ExchangeAPIError,
    ExchangeUnavailableError,
    NetworkError,
    OrderNotFoundError,
    OrderStateUnknownError,
    RateLimitError,
    ValidationError,
)
from app.soak.venues import SimVenueView

log = logging.getLogger("app.soak.orders")


class Outcome(StrEnum):
    PLACED = "placed"  # the call returned the order
    REFUSED = "refused"  # the venue answered no (4xx, 429): not placed
    NOT_PLACED = "not_placed"  # transport error, and the lookup by client id proved it was not placed
    UNKNOWN = "unknown"  # OrderStateUnknownError: it may exist
    INVALID = "invalid"  # refused locally (ValidationError): nothing sent
    PENDING = "pending"  # the call has not returned yet


@dataclass(slots=True)
class OrderRecord:
    venue: str
    client_order_id: str
    source: str
    outcome: Outcome = Outcome.PENDING
    order_id: str | None = None
    error: str | None = None
    clock_error: bool = False


@dataclass(slots=True)
class Reconciliation:
    """Orders checked against the venue's records."""

    checked: int = 0
    duplicated: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    unresolved: int = 0


class OrderLedger:
    """Every order request of the soak, by (venue, client id)."""

    def __init__(self) -> None:
        self.records: dict[tuple[str, str], OrderRecord] = {}
        self.cancels: Counter[str] = Counter()

    def open(self, venue: str, client_order_id: str, source: str) -> OrderRecord:
        record = OrderRecord(venue, client_order_id, source)
        self.records[(venue, client_order_id)] = record
        return record

    def counts(self) -> Counter[str]:
        return Counter(record.outcome.value for record in self.records.values())

    @property
    def clock_failures(self) -> int:
        return sum(1 for record in self.records.values() if record.clock_error)

    def reconcile(
        self, views: dict[str, SimVenueView], privates: dict[str, CompositePrivateExchange]
    ) -> Reconciliation:
        """Each finished request against the venue: more than one order per client id is a duplicate; an
        order the caller was told is not placed (or a placed one the venue does not have) is lost."""
        result = Reconciliation()
        on_venue = {name: view.orders_by_client_id() for name, view in views.items()}
        for (venue, client_id), record in self.records.items():
            if record.outcome is Outcome.PENDING or venue not in on_venue:
                continue
            result.checked += 1
            found = on_venue[venue].get(client_id, [])
            if len(found) > 1:
                result.duplicated.append(f"{venue}:{client_id}")
            if record.outcome is Outcome.PLACED:
                if not found:
                    result.lost.append(f"{venue}:{client_id} (reported placed, not on the venue)")
            elif record.outcome is Outcome.UNKNOWN:
                tracker = getattr(privates.get(venue), "tracker", None)
                known = tracker is not None and tracker.find_by_client_id(client_id) is not None
                if found and not known:
                    result.lost.append(f"{venue}:{client_id} (unknown outcome, on the venue, never learned)")
                elif not found:
                    result.unresolved += 1
            elif found:
                result.lost.append(f"{venue}:{client_id} ({record.outcome.value}: {record.error}, yet on the venue)")
        return result


class TradingGate:
    """Holds new private calls while a checkpoint runs, and counts the calls in flight."""

    def __init__(self) -> None:
        self._open = asyncio.Event()
        self._open.set()
        self._idle = asyncio.Event()
        self._idle.set()
        self.in_flight = 0

    def close(self) -> None:
        self._open.clear()

    def open(self) -> None:
        self._open.set()

    async def enter(self) -> None:
        await self._open.wait()
        self.in_flight += 1
        self._idle.clear()

    def leave(self) -> None:
        self.in_flight -= 1
        if self.in_flight == 0:
            self._idle.set()

    async def wait_idle(self, timeout_s: float) -> bool:
        try:
            await asyncio.wait_for(self._idle.wait(), timeout_s)
        except TimeoutError:
            return False
        return True


def classify(exc: BaseException) -> Outcome:
    if isinstance(exc, OrderStateUnknownError):
        return Outcome.UNKNOWN
    if isinstance(exc, ValidationError):
        return Outcome.INVALID
    if isinstance(exc, RateLimitError) or not isinstance(exc, NetworkError | ExchangeUnavailableError):
        return Outcome.REFUSED
    return Outcome.NOT_PLACED


class GuardedPrivate:
    """A private composite that records every order (client id generated here) and obeys the gate."""

    def __init__(
        self, inner: CompositePrivateExchange, venue: str, ledger: OrderLedger, gate: TradingGate, source: str
    ) -> None:
        self._inner = inner
        self._venue = venue
        self._ledger = ledger
        self._gate = gate
        self._source = source
        self._new_id = getattr(inner, "_client_order_ids", None)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def create_order(self, symbol: Any, side: Any, quantity: Any, *args: Any, **kwargs: Any) -> Order:
        client_order_id = kwargs.pop("client_order_id", None)
        if client_order_id is None and len(args) >= 4:
            args, client_order_id = args[:3], args[3]
        if client_order_id is None and self._new_id is not None:
            client_order_id = self._new_id(None)
        await self._gate.enter()
        record = self._ledger.open(self._venue, str(client_order_id), self._source)
        try:
            create: Any = self._inner.create_order
            order: Order = await create(symbol, side, quantity, *args, client_order_id=client_order_id, **kwargs)
        except BaseException as exc:  # CancelledError: the caller abandoned the request, outcome unknown
            record.outcome = classify(exc) if isinstance(exc, Exception) else Outcome.UNKNOWN
            record.error = f"{type(exc).__name__}: {exc}"[:300]
            record.clock_error = isinstance(exc, AuthenticationError)
            raise
        finally:
            self._gate.leave()
        record.outcome, record.order_id = Outcome.PLACED, order.order_id
        return order

    async def cancel_order(self, symbol: Any, order_id: str) -> Order:
        await self._gate.enter()
        try:
            return await self._inner.cancel_order(symbol, order_id)
        finally:
            self._gate.leave()


def _on_step(value: Decimal, step: Decimal, *, up: bool) -> Decimal:
    units = (value / step).to_integral_value(rounding=ROUND_CEILING if up else ROUND_FLOOR)
    return units * step


def minimum_quantity(info: SymbolInfo, price: Decimal) -> Decimal:
    needed = max(info.min_quantity, info.lot_size, info.min_notional * Decimal("1.2") / price)
    return _on_step(needed, info.lot_size, up=True)


class OrderFlow:
    """Paper orders on one venue: resting bids far from the market, cancels, crossing IOCs, bursts."""

    def __init__(
        self,
        venue: str,
        public: CompositePublicExchange,
        private: GuardedPrivate,
        symbol: Symbol,
        *,
        interval_s: float = 0.25,
        max_resting: int = 4,
        seed: int = 1,
    ) -> None:
        self.venue = venue
        self._public = public
        self._private = private
        self._symbol = symbol
        self._interval_s = interval_s
        self._max_resting = max_resting
        self._rng = random.Random(seed)
        self._resting: list[str] = []
        self._side = Side.BUY
        self._stopping = False
        self.actions: Counter[str] = Counter()
        self.errors: Counter[str] = Counter()

    def stop(self) -> None:
        """Finish the current step, then return from :meth:`run` (never abandon an order mid-request)."""
        self._stopping = True

    async def run(self) -> None:
        while not self._stopping:
            await asyncio.sleep(self._interval_s * self._rng.uniform(0.5, 1.5))
            if self._stopping:
                return
            try:
                await self.step()
            except asyncio.CancelledError:
                raise
            except CexArbError as exc:
                self.errors[type(exc).__name__] += 1
            except Exception:  # a bug in the soak itself must show, not stop the run
                self.errors["unexpected"] += 1
                log.exception("%s order flow step failed", self.venue)

    async def step(self) -> None:
        book = self._public.get_orderbook(self._symbol, 5)
        if not book.is_valid or not book.bids or not book.asks:
            self.actions["skipped_stale_book"] += 1
            return
        info = self._public.symbol_info[self._symbol]
        roll = self._rng.random()
        if len(self._resting) > self._max_resting or (self._resting and roll < 0.25):
            await self._cancel(self._resting.pop(self._rng.randrange(len(self._resting))))
        elif roll < 0.55:
            await self._rest(info, book.bids[0].price)
        elif roll < 0.95:
            await self._cross(info, book.bids[0].price, book.asks[0].price)
        else:  # a burst beyond the order budget: the client's limiter must pace it, never a 429
            self.actions["burst"] += 1
            await asyncio.gather(*(self._rest(info, book.bids[0].price) for _ in range(8)), return_exceptions=True)

    async def _rest(self, info: SymbolInfo, best_bid: Decimal) -> None:
        price = _on_step(best_bid * Decimal("0.85"), info.tick_size, up=False)
        self.actions["rest"] += 1
        try:
            order = await self._private.create_order(
                self._symbol, Side.BUY, minimum_quantity(info, price), price, OrderType.LIMIT, TimeInForce.GTC
            )
        except CexArbError as exc:
            self.errors[type(exc).__name__] += 1
            return
        if order.is_open:
            self._resting.append(order.order_id)

    async def _cross(self, info: SymbolInfo, best_bid: Decimal, best_ask: Decimal) -> None:
        side, self._side = self._side, Side.SELL if self._side is Side.BUY else Side.BUY
        if side is Side.BUY:
            price = _on_step(best_ask * Decimal("1.002"), info.tick_size, up=True)
        else:
            price = _on_step(best_bid * Decimal("0.998"), info.tick_size, up=False)
        self.actions["ioc"] += 1
        try:
            await self._private.create_order(
                self._symbol, side, minimum_quantity(info, price), price, OrderType.LIMIT, TimeInForce.IOC
            )
        except CexArbError as exc:
            self.errors[type(exc).__name__] += 1

    async def _cancel(self, order_id: str) -> None:
        self.actions["cancel"] += 1
        try:
            await self._private.cancel_order(self._symbol, order_id)
        except OrderNotFoundError:
            self.actions["cancel_already_done"] += 1
        except ExchangeAPIError as exc:
            self.errors[f"cancel {type(exc).__name__}"] += 1
            if isinstance(exc, ExchangeUnavailableError | RateLimitError):
                self._resting.append(order_id)  # try again later
        except NetworkError as exc:
            self.errors[f"cancel {type(exc).__name__}"] += 1
            self._resting.append(order_id)

    async def cancel_all(self) -> None:
        """Cancel what this flow left resting (the end of the run)."""
        for order_id in list(self._resting):
            self._resting.remove(order_id)
            await self._cancel(order_id)
