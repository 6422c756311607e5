"""Synthetic market: a seeded random-walk mid per market, a market-maker ladder around it, random taker flow.

Venue-independent: it only submits and cancels :class:`SimOrder` through :class:`MatchingEngine`. Each tick
moves the mid, pulls quotes that the new spread crosses, re-quotes a few levels and keeps ``levels`` per side,
and sometimes sends a small market order so trades flow. ``pause()``/``step()`` make tests deterministic.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from app.composite.tasks import cancel_and_wait
from app.domain.enums import OrderType, Side, TimeInForce
from app.simulator.matching import MatchingEngine, OrderRejected, SimOrder
from app.simulator.price_path import VenueNoise

MARKET_MAKER_ACCOUNT = "market-maker"
TOP_LEVELS_KEPT = 3  # the best few target levels are always quoted, so the spread stays tight


@dataclass(frozen=True, slots=True)
class MarketParams:
    """How one market moves: start price, per-tick volatility (bps), ladder spacing, sizes, trade odds."""

    start_price: Decimal
    volatility_bps: float = 0.6
    level_step_ticks: int = 5
    half_spread_ticks: int = 1
    min_size: Decimal = Decimal("0.01")
    max_size: Decimal = Decimal("1")
    requotes_per_tick: int = 2
    trade_probability: float = 0.3


class MarketDriver:
    """Drives every market of a venue from one seeded RNG and one background task."""

    def __init__(
        self,
        engines: Mapping[str, MatchingEngine],
        params: Mapping[str, MarketParams],
        *,
        next_order_id: Callable[[], str],
        seed: int,
        tick_interval_s: float,
        levels: int = 25,
        account_id: str = MARKET_MAKER_ACCOUNT,
        anchor: Callable[[str], Decimal | None] | None = None,
    ) -> None:
        self.engines = engines
        self.params = params
        self.levels = levels
        self.tick_interval_s = tick_interval_s
        self.account_id = account_id
        self.mid: dict[str, Decimal] = {symbol: p.start_price for symbol, p in params.items()}
        self.ticks = 0
        self._rng = random.Random(seed)
        # With an anchor (the simulator's shared underlying path), the mid follows it with this venue's own
        # noise and dislocations; without one, the mid is this driver's own random walk.
        self._anchor = anchor
        self._noise = VenueNoise(random.Random(seed * 31 + 17))
        self._next_order_id = next_order_id
        self._quotes: dict[str, dict[Side, dict[Decimal, SimOrder]]] = {
            symbol: {Side.BUY: {}, Side.SELL: {}} for symbol in params
        }
        self._task: asyncio.Task[None] | None = None
        self._running = asyncio.Event()
        self._running.set()

    # --- lifecycle ----------------------------------------------------------------------------------
    def bootstrap(self) -> None:
        """Build the full ladders synchronously (the books are deep before the server answers)."""
        for symbol in self.params:
            self._refill(symbol)

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="simulator-market")

    async def stop(self) -> None:
        task, self._task = self._task, None
        await cancel_and_wait(task)

    def pause(self) -> None:
        """Freeze the market (no ticks) until :meth:`resume`; :meth:`step` still works."""
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def step(self, ticks: int = 1) -> None:
        """Run ``ticks`` market ticks now (synchronously)."""
        for _ in range(ticks):
            self.tick()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.tick_interval_s)
            await self._running.wait()
            self.tick()

    def dislocate(self, symbol: str, bps: float) -> None:
        """Shift this venue's deviation of ``symbol`` by ``bps`` from the next tick on (with an anchor only)."""
        self._noise.shift(symbol, bps)

    # --- one tick -----------------------------------------------------------------------------------
    def tick(self) -> None:
        self.ticks += 1
        for symbol, params in self.params.items():
            self._move_mid(symbol, params)
            self._pull_crossed(symbol)
            self._requote(symbol, params)
            self._refill(symbol)
            if self._rng.random() < params.trade_probability:
                self._taker_flow(symbol, params)

    def _move_mid(self, symbol: str, params: MarketParams) -> None:
        tick = self.engines[symbol].spec.price_tick
        underlying = self._anchor(symbol) if self._anchor is not None else None
        if underlying is not None:
            mid = (underlying * Decimal(repr(self._noise.step(symbol)))).quantize(tick / 1000)
        else:
            change = math.exp(self._rng.gauss(0.0, params.volatility_bps / 10_000))
            mid = (self.mid[symbol] * Decimal(repr(change))).quantize(tick / 1000)  # quoted prices are rounded
        self.mid[symbol] = max(mid, tick * 1000)

    def _targets(self, symbol: str, side: Side) -> list[Decimal]:
        params, tick = self.params[symbol], self.engines[symbol].spec.price_tick
        first = params.half_spread_ticks * tick
        step = params.level_step_ticks * tick
        sign = -1 if side is Side.BUY else 1
        center = self.mid[symbol].quantize(tick, ROUND_HALF_UP)
        return [center + sign * (first + i * step) for i in range(self.levels)]

    def _pull_crossed(self, symbol: str) -> None:
        bids, asks = self._targets(symbol, Side.BUY), self._targets(symbol, Side.SELL)
        quotes = self._quotes[symbol]
        for price in [p for p in quotes[Side.BUY] if p > bids[0] or p < bids[-1]]:
            self._cancel(symbol, Side.BUY, price)
        for price in [p for p in quotes[Side.SELL] if p < asks[0] or p > asks[-1]]:
            self._cancel(symbol, Side.SELL, price)
        for side in (Side.BUY, Side.SELL):
            prices = sorted(quotes[side], reverse=side is Side.BUY)
            for price in prices[self.levels :]:
                self._cancel(symbol, side, price)

    def _requote(self, symbol: str, params: MarketParams) -> None:
        for _ in range(params.requotes_per_tick):
            side = Side.BUY if self._rng.random() < 0.5 else Side.SELL
            price = self._rng.choice(self._targets(symbol, side)[: max(1, self.levels // 2)])
            if price in self._quotes[symbol][side]:
                self._cancel(symbol, side, price)
            self._place(symbol, side, price, params)

    def _refill(self, symbol: str) -> None:
        params = self.params[symbol]
        for side in (Side.BUY, Side.SELL):
            quotes = self._quotes[symbol][side]
            for index, price in enumerate(self._targets(symbol, side)):
                if len(quotes) >= self.levels and index >= TOP_LEVELS_KEPT:
                    break
                if price not in quotes:
                    self._place(symbol, side, price, params)

    def _taker_flow(self, symbol: str, params: MarketParams) -> None:
        engine = self.engines[symbol]
        side = Side.BUY if self._rng.random() < 0.5 else Side.SELL
        order = self._order(symbol, side, self._size(params, engine.spec.lot_size, small=True))
        with contextlib.suppress(OrderRejected):
            engine.submit(order)
        engine.orders.pop(order.order_id, None)
        self._forget_filled(symbol)

    # --- helpers ------------------------------------------------------------------------------------
    def _size(self, params: MarketParams, lot: Decimal, *, small: bool = False) -> Decimal:
        high = params.min_size * 3 if small else params.max_size
        raw = Decimal(repr(self._rng.uniform(float(params.min_size), float(high))))
        return max(lot, raw.quantize(lot))

    def _order(self, symbol: str, side: Side, quantity: Decimal, price: Decimal | None = None) -> SimOrder:
        """A market-maker order: a GTC limit order at ``price``, or without a price an IOC market order."""
        return SimOrder(
            order_id=self._next_order_id(),
            account_id=self.account_id,
            symbol=symbol,
            side=side,
            order_type=OrderType.MARKET if price is None else OrderType.LIMIT,
            time_in_force=TimeInForce.IOC if price is None else TimeInForce.GTC,
            quantity=quantity,
            price=price,
        )

    def _place(self, symbol: str, side: Side, price: Decimal, params: MarketParams) -> None:
        engine = self.engines[symbol]
        if price <= 0:
            return
        order = self._order(symbol, side, self._size(params, engine.spec.lot_size), price)
        engine.submit(order)
        if order.is_open:
            self._quotes[symbol][side][price] = order
        self._forget_filled(symbol)

    def _cancel(self, symbol: str, side: Side, price: Decimal) -> None:
        order = self._quotes[symbol][side].pop(price)
        engine = self.engines[symbol]
        if order.is_open:
            engine.cancel(order.order_id)
        engine.orders.pop(order.order_id, None)

    def _forget_filled(self, symbol: str) -> None:
        for quotes in self._quotes[symbol].values():
            for price in [p for p, o in quotes.items() if not o.is_open]:
                self.engines[symbol].orders.pop(quotes.pop(price).order_id, None)
