"""Execution of opportunities through the private composites: both legs as IOC limits at the walked prices.

On an opportunity the executor re-quotes from the current books (never acting on a stale or too-old book),
checks the per-venue balances and position limits, and sends both legs at once. Each leg's final state is
established (an IOC never rests; an open one is looked up, then cancelled). Unequal fills are rebalanced:
first by completing the hedge on the short venue, then by unwinding on the long one, each at the current
book plus a slippage allowance. What remains above a venue's minimum is flagged as a one-legged position
and halts execution of that symbol; an order whose outcome is unknown halts it too (it is never re-sent).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from app.composite.interfaces import CompositePrivateExchange
from app.domain.enums import OrderType, Side, TimeInForce
from app.domain.models import Order, SymbolInfo
from app.domain.symbol import Symbol
from app.errors import CexArbError, OrderStateUnknownError, ValidationError
from app.monitor.monitor import ArbitrageMonitor
from app.monitor.opportunity import Opportunity
from app.monitor.pnl import PnlBook
from app.monitor.spread import BPS, SpreadQuote, order_step, round_down, walk_depth

ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True, slots=True)
class ExecutionLimits:
    """Risk limits of the executor."""

    max_position_quote: Decimal = Decimal(1000)  # |net inventory| per venue and symbol, in quote units
    cooldown_s: float = 0.5  # between two executions of the same venue pair and symbol
    rebalance_slippage_bps: Decimal = Decimal(30)
    settle_timeout_s: float = 2.0
    balance_buffer: Decimal = Decimal("1.02")  # required free balance = cost x fees x buffer


@dataclass(slots=True)
class LegOutcome:
    """One order of an execution and what became of it."""

    venue: str
    side: Side
    quantity: Decimal
    price: Decimal
    order: Order | None = None
    error: str | None = None
    unknown: bool = False

    @property
    def filled(self) -> Decimal:
        return self.order.filled_quantity if self.order is not None else ZERO


@dataclass(slots=True)
class ExecutionReport:
    """The result of acting on one opportunity."""

    symbol: Symbol
    buy_venue: str
    sell_venue: str
    quote: SpreadQuote | None
    started_at: float
    legs: list[LegOutcome] = field(default_factory=list)
    rebalances: list[LegOutcome] = field(default_factory=list)
    skipped: str | None = None
    residual: Decimal = ZERO  # base bought minus base sold after rebalancing
    one_legged: bool = False

    @property
    def executed(self) -> bool:
        return self.skipped is None


@dataclass(slots=True)
class ExecutionStats:
    attempts: int = 0
    executed: int = 0
    skipped: int = 0
    fills: int = 0
    partial_fills: int = 0
    hedged: int = 0
    rebalances: int = 0
    one_legged: int = 0
    unknown: int = 0
    errors: int = 0


class ArbitrageExecutor:
    """Places both legs of an opportunity; keeps the PnL book and the risk state."""

    def __init__(
        self,
        monitor: ArbitrageMonitor,
        privates: Mapping[str, CompositePrivateExchange],
        limits: ExecutionLimits | None = None,
        *,
        pnl: PnlBook | None = None,
        logger: logging.Logger | None = None,
    ) -> None:
        self.monitor = monitor
        self.privates = dict(privates)
        self.limits = limits or ExecutionLimits()
        self.pnl = pnl or PnlBook()
        self.stats = ExecutionStats()
        self.reports: list[ExecutionReport] = []
        self.halted: dict[Symbol, str] = {}
        self._busy: set[Symbol] = set()
        self._last: dict[tuple[Symbol, str, str], float] = {}
        self._tasks: set[asyncio.Task[ExecutionReport]] = set()
        self._closed = False
        self._log = logger or logging.getLogger("app.monitor.executor")

    # --- scheduling ---------------------------------------------------------------------------------
    def on_opportunity(self, opportunity: Opportunity) -> None:
        """Monitor listener (sync): start an execution unless the symbol is busy, halted or cooling down."""
        if self._closed or opportunity.symbol in self._busy or opportunity.symbol in self.halted:
            return
        key = (opportunity.symbol, opportunity.buy_venue, opportunity.sell_venue)
        if time.monotonic() - self._last.get(key, -1e9) < self.limits.cooldown_s:
            return
        if opportunity.buy_venue not in self.privates or opportunity.sell_venue not in self.privates:
            return
        self._busy.add(opportunity.symbol)
        task = asyncio.get_running_loop().create_task(self.execute(opportunity), name=f"execute:{opportunity.symbol}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self, timeout_s: float = 10.0) -> None:
        """Stop taking opportunities and let in-flight executions finish (orders are never abandoned)."""
        self._closed = True
        if self._tasks:
            _done, pending = await asyncio.wait(set(self._tasks), timeout=timeout_s)
            for task in pending:
                task.cancel()
            if pending:
                await asyncio.gather(*pending, return_exceptions=True)

    async def drain(self) -> None:
        """Wait until no execution is in flight (tests)."""
        while self._tasks:
            await asyncio.gather(*set(self._tasks), return_exceptions=True)

    # --- one execution --------------------------------------------------------------------------------
    async def execute(self, opportunity: Opportunity) -> ExecutionReport:
        """Re-quote, check limits, place both legs, settle them, rebalance, record fills."""
        symbol = opportunity.symbol
        self._busy.add(symbol)
        key = (symbol, opportunity.buy_venue, opportunity.sell_venue)
        report = ExecutionReport(symbol, opportunity.buy_venue, opportunity.sell_venue, None, time.time())
        self.stats.attempts += 1
        try:
            quote = self.monitor.quote_now(symbol, opportunity.buy_venue, opportunity.sell_venue, fresh_books=True)
            report.quote = quote
            reason = await self._pre_trade_check(quote)
            if reason is not None:
                report.skipped = reason
                self.stats.skipped += 1
                self._log.info("execution of %s %s->%s skipped: %s", symbol, *key[1:], reason)
                return report
            assert quote is not None
            self._last[key] = time.monotonic()
            opportunity.executions += 1
            self.stats.executed += 1
            buy = LegOutcome(quote.buy_venue, Side.BUY, quote.quantity, quote.buy.worst_price)
            sell = LegOutcome(quote.sell_venue, Side.SELL, quote.quantity, quote.sell.worst_price)
            report.legs = [buy, sell]
            await asyncio.gather(self._place(symbol, buy), self._place(symbol, sell))
            await self._rebalance(symbol, report)
            self._log.info(
                "executed %s buy %s %s/%s @ %s, sell %s %s/%s @ %s, residual %s",
                symbol,
                buy.venue,
                buy.filled,
                buy.quantity,
                buy.price,
                sell.venue,
                sell.filled,
                sell.quantity,
                sell.price,
                report.residual,
            )
            return report
        finally:
            self.reports.append(report)
            self._busy.discard(symbol)

    async def _pre_trade_check(self, quote: SpreadQuote | None) -> str | None:
        if quote is None:
            return "no quote"
        if quote.symbol in self.halted:
            return f"halted: {self.halted[quote.symbol]}"
        if not quote.actionable:
            return f"quote {quote.status.value}"  # stale / too old / no depth: never acted upon
        if quote.spread_bps < self.monitor.config.threshold_bps:
            return f"spread gone ({quote.spread_bps:.2f} bps)"
        price = quote.buy.average_price
        for venue, side in ((quote.buy_venue, Side.BUY), (quote.sell_venue, Side.SELL)):
            inventory = self.pnl.inventory(quote.symbol, venue)
            after = inventory + quote.quantity if side is Side.BUY else inventory - quote.quantity
            if abs(after) * price > self.limits.max_position_quote:
                return f"position limit on {venue} ({after} {quote.symbol.base})"
        return await self._balance_check(quote)

    async def _balance_check(self, quote: SpreadQuote) -> str | None:
        symbol = quote.symbol
        buy_private, sell_private = self.privates[quote.buy_venue], self.privates[quote.sell_venue]
        buy_balances, sell_balances = await asyncio.gather(buy_private.get_balances(), sell_private.get_balances())
        buy_info = self.monitor.symbol_info(quote.buy_venue, symbol)
        fee = ONE + (buy_info.taker_fee if buy_info else ZERO)
        need_quote = quote.quantity * quote.buy.worst_price * fee * self.limits.balance_buffer
        have = buy_balances.get(symbol.quote)
        if have is None or have.free < need_quote:
            return f"{quote.buy_venue} {symbol.quote} free {have.free if have else 0} < {need_quote:.4f}"
        if _is_derivative(sell_private, self.monitor.symbol_info(quote.sell_venue, symbol)):
            need = quote.quantity * quote.sell.worst_price * self.limits.balance_buffer  # margin at 1x
            have = sell_balances.get(symbol.quote)
            if have is None or have.free < need:
                return f"{quote.sell_venue} {symbol.quote} margin free {have.free if have else 0} < {need:.4f}"
        else:
            have = sell_balances.get(symbol.base)
            if have is None or have.free < quote.quantity:
                return f"{quote.sell_venue} {symbol.base} free {have.free if have else 0} < {quote.quantity}"
        return None

    async def _place(self, symbol: Symbol, leg: LegOutcome) -> None:
        """Send one IOC limit, establish its final state, record its fill."""
        private = self.privates[leg.venue]
        try:
            order = await private.create_order(
                symbol, leg.side, leg.quantity, leg.price, OrderType.LIMIT, TimeInForce.IOC
            )
            leg.order = await self._settle(private, symbol, order)
        except OrderStateUnknownError as exc:
            leg.unknown = True
            leg.error = f"outcome unknown (client id {exc.client_order_id})"
            self.stats.unknown += 1
        except ValidationError as exc:
            leg.error = f"not sent: {exc}"
            self.stats.errors += 1
        except CexArbError as exc:
            leg.error = f"{type(exc).__name__}: {exc}"
            self.stats.errors += 1
        if leg.order is not None and leg.filled > 0:
            self.pnl.record(leg.venue, leg.order)
            self.stats.fills += 1
            if leg.filled < leg.quantity:
                self.stats.partial_fills += 1
        if leg.error:
            self._log.warning("%s %s %s %s @ %s: %s", leg.venue, symbol, leg.side, leg.quantity, leg.price, leg.error)

    async def _settle(self, private: CompositePrivateExchange, symbol: Symbol, order: Order) -> Order:
        """An IOC should come back final; if it does not, look it up, and cancel what still rests."""
        deadline = time.monotonic() + self.limits.settle_timeout_s
        while order.is_open and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            order = await private.get_order(symbol, order.order_id)
        if order.is_open:
            order = await private.cancel_order(symbol, order.order_id)
        return order

    # --- rebalancing ----------------------------------------------------------------------------------
    async def _rebalance(self, symbol: Symbol, report: ExecutionReport) -> None:
        buy, sell = report.legs
        if buy.unknown or sell.unknown:
            report.one_legged = True
            report.residual = buy.filled - sell.filled
            self._flag(symbol, report, "an order's outcome is unknown")
            return
        if buy.filled == sell.filled:
            if buy.filled > 0:
                self.stats.hedged += 1
            return
        self.stats.rebalances += 1
        imbalance = buy.filled - sell.filled  # > 0: long on the buy venue, complete by selling on the sell venue
        attempts = (
            [(report.sell_venue, Side.SELL), (report.buy_venue, Side.SELL)]
            if imbalance > 0
            else [(report.buy_venue, Side.BUY), (report.sell_venue, Side.BUY)]
        )
        for venue, side in attempts:
            remaining = abs(imbalance)
            leg = self._rebalance_leg(symbol, venue, side, remaining)
            if leg is None:
                continue
            report.rebalances.append(leg)
            await self._place(symbol, leg)
            if leg.unknown:
                break
            imbalance += -leg.filled if side is Side.SELL else leg.filled
            if imbalance == 0:
                break
        report.residual = imbalance
        if imbalance != 0:
            report.one_legged = True
            if any(leg.unknown for leg in report.rebalances) or self._tradable(symbol, abs(imbalance)):
                self._flag(symbol, report, f"one-legged {imbalance} {symbol.base} after rebalancing")
            else:
                self.stats.one_legged += 1
                self._log.warning("%s: residual %s %s is below every venue's minimum", symbol, imbalance, symbol.base)
        else:
            self.stats.hedged += 1

    def _rebalance_leg(self, symbol: Symbol, venue: str, side: Side, quantity: Decimal) -> LegOutcome | None:
        """An IOC for ``quantity`` on ``venue`` priced through the current book plus the slippage allowance."""
        info = self.monitor.symbol_info(venue, symbol)
        state = self.monitor.books.get((venue, symbol))
        book = None if state is None else self.monitor.venues[venue].get_orderbook(symbol, None)
        if info is None or book is None or not book.is_valid:
            return None
        quantity = round_down(quantity, order_step(info))
        walk = walk_depth(book.asks if side is Side.BUY else book.bids, quantity)
        if quantity <= 0 or quantity < info.min_quantity or not walk.complete:
            return None
        slip = self.limits.rebalance_slippage_bps / BPS
        raw = walk.worst_price * (ONE + slip if side is Side.BUY else ONE - slip)
        price = _to_tick(raw, info.tick_size, up=side is Side.BUY)
        if info.min_notional and price * quantity < info.min_notional:
            return None
        return LegOutcome(venue, side, quantity, price)

    def _tradable(self, symbol: Symbol, quantity: Decimal) -> bool:
        for venue in self.privates:
            info = self.monitor.symbol_info(venue, symbol)
            if info is not None and round_down(quantity, order_step(info)) >= max(info.min_quantity, order_step(info)):
                return True
        return False

    def _flag(self, symbol: Symbol, report: ExecutionReport, why: str) -> None:
        self.stats.one_legged += 1
        self.halted[symbol] = why
        self._log.error("%s: %s; execution of %s halted (needs attention)", symbol, why, symbol)


def _to_tick(price: Decimal, tick: Decimal, *, up: bool) -> Decimal:
    steps = (price / tick).to_integral_value(rounding=ROUND_CEILING if up else ROUND_FLOOR)
    return steps * tick


def _is_derivative(private: CompositePrivateExchange, info: SymbolInfo | None) -> bool:
    return hasattr(private, "get_positions") or (info is not None and info.contract_size != ONE)
