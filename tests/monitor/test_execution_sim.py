"""Monitor + executor against two simulated venues through the container-built composites.

A dislocation forced on one venue (markets paused, so it holds) opens an opportunity; the executor buys on
the cheap venue and sells on the dear one with IOC limits; the PnL book must match what the simulators'
own ledgers say our account gained and lost.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal
from typing import Any

from pytest_mock import MockerFixture

from app.domain.symbol import Symbol
from app.monitor.executor import ArbitrageExecutor, ExecutionLimits
from app.monitor.monitor import ArbitrageMonitor, MonitorConfig
from app.monitor.opportunity import Opportunity
from tests.monitor.conftest import SimVenue

BTC = Symbol("BTC", "USDT")
TOLERANCE = Decimal("1e-12")


async def _wait_for(predicate: Any, timeout_s: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


async def _start(a: SimVenue, b: SimVenue, **config: Any) -> tuple[ArbitrageMonitor, ArbitrageExecutor]:
    settings: dict[str, Any] = {
        "symbols": ("BTC/USDT", "ETH/USDT"),
        "threshold_bps": Decimal(60),  # only the forced dislocation (not natural drift) opens one
        "size_quote": Decimal(100),
        "recompute_interval_s": 0.02,
    }
    settings.update(config)
    monitor = ArbitrageMonitor({a.name: a.public(), b.name: b.public()}, MonitorConfig(**settings))  # type: ignore[dict-item]
    await monitor.start()
    await _wait_for(lambda: all(s.book is not None and s.book.is_valid for s in monitor.books.values()))
    privates = {a.name: a.private(), b.name: b.private()}
    await asyncio.gather(*(p.initialize(["BTC/USDT", "ETH/USDT"]) for p in privates.values()))  # type: ignore[attr-defined]
    executor = ArbitrageExecutor(monitor, privates, ExecutionLimits(cooldown_s=5.0))  # type: ignore[arg-type]
    return monitor, executor


async def _freeze(monitor: ArbitrageMonitor, *venues: SimVenue) -> None:
    """Pause the markets, then wait until every client book shows the engine's top (nothing in flight)."""
    for venue in venues:
        venue.sim.prices.frozen = True
        venue.sim.gateio.market.pause()

    def synced() -> bool:
        for venue in venues:
            engine = venue.sim.gateio.engines["BTC_USDT"]
            book = monitor.venues[venue.name].get_orderbook(BTC, 1)
            if not (book.is_valid and book.best_bid and book.best_ask):
                return False
            if (book.best_bid.price, book.best_ask.price) != (engine.bids.best(), engine.asks.best()):
                return False
        return True

    await _wait_for(synced)


def _dislocate(venue: SimVenue) -> None:
    """Lift the venue's BTC quotes ~1.5 % (its market paused: the jump holds)."""
    venue.sim.gateio.market.dislocate("BTC_USDT", 150.0)
    venue.sim.gateio.market.step(1)


async def _first_opportunity(monitor: ArbitrageMonitor, a: SimVenue, b: SimVenue) -> Opportunity:
    """Freeze both markets, dislocate ``b`` above ``a`` and wait for the monitor to open the opportunity."""
    await _freeze(monitor, a, b)
    _dislocate(b)
    await _wait_for(lambda: monitor.tracker.seen >= 1)
    opportunity: Opportunity = monitor.tracker.recent[0]
    return opportunity


def _ledger(venue: SimVenue) -> dict[str, Decimal]:
    return {
        asset: venue.sim.gateio.balance(asset).free + venue.sim.gateio.balance(asset).locked
        for asset in ("BTC", "USDT")
    }


async def test_a_dislocation_is_detected_executed_on_both_legs_and_pnl_matches_the_ledgers(
    two_venues: tuple[SimVenue, SimVenue],
) -> None:
    a, b = two_venues
    monitor, executor = await _start(a, b)
    monitor.subscribe(executor.on_opportunity)
    try:
        await _freeze(monitor, a, b)
        before = {v.name: _ledger(v) for v in (a, b)}
        _dislocate(b)  # gate_b's BTC quotes jump ~1.5 % above gate_a's
        await _wait_for(lambda: executor.reports and not executor._tasks)
        await executor.drain()
    finally:
        await executor.close()
        await monitor.close()

    assert monitor.tracker.seen >= 1
    opened = monitor.tracker.recent[0]
    assert (opened.symbol, opened.buy_venue, opened.sell_venue) == (BTC, "gate_a", "gate_b")
    assert opened.first.spread_bps > 50
    report = executor.reports[0]
    assert report.executed and not report.one_legged and report.residual == 0
    buy, sell = report.legs
    assert buy.venue == "gate_a" and sell.venue == "gate_b"
    assert buy.filled == sell.filled == report.quote.quantity > 0  # type: ignore[union-attr]
    assert executor.stats.fills == 2 and executor.stats.hedged == 1 and executor.stats.one_legged == 0

    for venue in (a, b):  # our PnL book == the simulator's own account records
        after = _ledger(venue)
        for asset in ("BTC", "USDT"):
            delta = after[asset] - before[venue.name][asset]
            assert abs(delta - executor.pnl.change(venue.name, asset)) < TOLERANCE, (venue.name, asset)
    mark = monitor.mark_price(BTC)
    assert mark is not None
    pnl = executor.pnl.pnl({BTC: mark})
    ledger_pnl = sum(
        (
            _ledger(v)["USDT"] - before[v.name]["USDT"] + (_ledger(v)["BTC"] - before[v.name]["BTC"]) * mark
            for v in (a, b)
        ),
        Decimal(0),
    )
    assert abs(pnl - ledger_pnl) < TOLERANCE
    assert pnl > 0  # the dislocation outweighs both 0.2 % taker fees


async def test_a_stale_book_is_never_traded(two_venues: tuple[SimVenue, SimVenue], mocker: MockerFixture) -> None:
    a, b = two_venues
    monitor, executor = await _start(a, b)
    try:
        opportunity = await _first_opportunity(monitor, a, b)
        public = monitor.venues["gate_b"]
        real = public.get_orderbook
        mocker.patch.object(public, "get_orderbook", lambda s, d=None: replace(real(s, d), is_valid=False))
        before = _ledger(a), _ledger(b)
        report = await executor.execute(opportunity)
    finally:
        await executor.close()
        await monitor.close()
    assert report.skipped == "quote stale" and not report.legs
    assert (_ledger(a), _ledger(b)) == before
    assert not a.sim.gateio.user_orders(a.sim.gateio.user, is_open=False)


async def test_position_limits_and_balances_are_checked_before_any_order(
    two_venues: tuple[SimVenue, SimVenue],
) -> None:
    a, b = two_venues
    monitor, executor = await _start(a, b)
    try:
        opportunity = await _first_opportunity(monitor, a, b)
        executor.limits = ExecutionLimits(max_position_quote=Decimal(50))  # below one 100 USDT trade
        limited = await executor.execute(opportunity)
        executor.limits = ExecutionLimits()
        gate_b = b.sim.gateio
        gate_b.ledger.move(gate_b.user.uid, "BTC", -gate_b.balance("BTC").free, Decimal(0), _reason())
        for _ in range(250):  # until the private stream has delivered the balance change
            balance = (await executor.privates["gate_b"].get_balances()).get("BTC")
            if balance is not None and balance.free == 0:
                break
            await asyncio.sleep(0.02)
        broke = await executor.execute(opportunity)
    finally:
        await executor.close()
        await monitor.close()
    assert limited.skipped is not None and limited.skipped.startswith("position limit")
    assert broke.skipped is not None and "gate_b BTC free 0" in broke.skipped
    assert executor.stats.fills == 0


def _reason() -> Any:
    from app.simulator.matching import BalanceReason

    return BalanceReason.ORDER_MATCH
