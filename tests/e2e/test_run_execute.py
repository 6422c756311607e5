"""`cex-arb run --execute` in-process against the embedded simulator, through the container.

The run is started the way the CLI starts it (``run_monitor`` over an ApplicationContainer whose venues
point at the simulator); the test forces a dislocation on one venue (markets paused so it holds), waits for
the executor, ends the run and checks the summary, both legs' fills and the PnL against the simulator's
own account records.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator, Callable
from decimal import Decimal
from typing import Any

import pytest
from dependency_injector import providers

from app.config import AppSettings, load_settings
from app.domain.enums import ExchangeEnum
from app.domain.symbol import Symbol
from app.monitor.runner import RunOptions, RunResult, run_monitor
from app.simulator.server import VENUES, ExchangeSimulator
from containers.application import ApplicationContainer
from containers.factory import shutdown_container

BTC = Symbol("BTC", "USDT")
TOLERANCE = Decimal("1e-12")


def _sim_name(exchange: ExchangeEnum) -> str:
    return next(spec.name for spec in VENUES.values() if spec.exchange is exchange)


def _btc_key(venue: Any) -> str:
    return next(key for key in venue.market.params if key.startswith("BTC"))


async def _wait_for(predicate: Callable[[], object], timeout_s: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.02)


def _books_match_engines(sim: ExchangeSimulator, monitor: Any, venues: list[ExchangeEnum]) -> bool:
    for exchange in venues:
        venue = sim.venue(_sim_name(exchange))
        engine = venue.engines[_btc_key(venue)]
        book = monitor.venues[exchange.value].get_orderbook(BTC, 1)
        if not book.is_valid or not book.best_bid or not book.best_ask:
            return False
        if (book.best_bid.price, book.best_ask.price) != (engine.bids.best(), engine.asks.best()):
            return False
    return True


@pytest.fixture
async def sim() -> AsyncIterator[ExchangeSimulator]:
    async with ExchangeSimulator(tick_interval_s=0.02) as simulator:
        yield simulator


def _settings(sim: ExchangeSimulator) -> AppSettings:
    settings = load_settings("testing", require_private_credentials=False)
    for exchange, config in settings.exchanges.items():
        if exchange.value in sim.endpoints:
            settings = settings.with_exchange(sim.exchange_config(exchange, base=config))
    return settings


async def _run_and_dislocate(
    sim: ExchangeSimulator, venues: list[ExchangeEnum], dear: ExchangeEnum
) -> tuple[RunResult, str]:
    container = ApplicationContainer()
    settings = _settings(sim)
    container.core.settings.override(providers.Object(settings))
    ready: asyncio.Future[RunResult] = asyncio.get_running_loop().create_future()
    stop = asyncio.Event()
    out = io.StringIO()
    options = RunOptions(
        symbols=["BTC/USDT"],
        venues=[v.value for v in venues],
        threshold_bps=60,  # far above the simulator's natural dislocations: only the forced one trades
        execute=True,
        duration_s=60,
        rich=False,
    )
    task = asyncio.create_task(run_monitor(container, settings, options, out=out, stop=stop, on_ready=ready.set_result))
    try:
        result = await asyncio.wait_for(asyncio.shield(ready), 20)
        monitor = result.monitor
        await _wait_for(lambda: all(s.book is not None and s.book.is_valid for s in monitor.books.values()))
        sim.prices.frozen = True
        for name in sim.venues:
            sim.venue(name).market.pause()
        await _wait_for(lambda: _books_match_engines(sim, monitor, venues))  # nothing left in flight
        dear_venue = sim.venue(_sim_name(dear))
        dear_venue.market.dislocate(_btc_key(dear_venue), 150.0)  # ~1.5 % above the others
        dear_venue.market.step(1)
        executor = result.executor
        assert executor is not None
        await _wait_for(lambda: any(r.executed for r in executor.reports))
        stop.set()
        await task
    finally:
        stop.set()
        if not task.done():
            task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await shutdown_container(container)
    return result, out.getvalue()


async def test_run_execute_spot_pair_fills_both_legs_and_pnl_matches_the_simulator(sim: ExchangeSimulator) -> None:
    gate, mexc = sim.venue(_sim_name(ExchangeEnum.GATEIO)), sim.venue(_sim_name(ExchangeEnum.MEXC))
    initial = {name: {a: v.balance(a).free + v.balance(a).locked for a in ("BTC", "USDT")}
               for name, v in (("gateio", gate), ("mexc", mexc))}  # fmt: skip
    result, text = await _run_and_dislocate(sim, [ExchangeEnum.GATEIO, ExchangeEnum.MEXC], dear=ExchangeEnum.MEXC)

    executor = result.executor
    assert executor is not None and result.monitor.tracker.seen >= 1
    report = next(r for r in executor.reports if r.executed)
    assert (report.buy_venue, report.sell_venue) == ("gateio", "mexc")
    buy, sell = report.legs
    assert buy.filled == sell.filled > 0 and not report.one_legged
    for name, venue in (("gateio", gate), ("mexc", mexc)):  # PnL book == the simulator's account records
        for asset in ("BTC", "USDT"):
            delta = venue.balance(asset).free + venue.balance(asset).locked - initial[name][asset]
            assert abs(delta - executor.pnl.change(name, asset)) < TOLERANCE, (name, asset)
    assert executor.pnl.pnl({BTC: report.quote.sell.average_price}) > 0  # type: ignore[union-attr]
    summary = dict(result.summary)
    assert int(summary["opportunities seen"]) >= 1
    assert summary["executed"].startswith(str(executor.stats.executed))
    assert summary["fills"].startswith(str(executor.stats.fills)) and executor.stats.fills >= 2
    assert "OPPORTUNITY" in text and "summary" in text and "PnL" in text


async def test_run_execute_against_the_perpetual_trades_whole_contracts(sim: ExchangeSimulator) -> None:
    gate = sim.venue(_sim_name(ExchangeEnum.GATEIO))
    initial = {a: gate.balance(a).free + gate.balance(a).locked for a in ("BTC", "USDT")}
    result, _text = await _run_and_dislocate(
        sim, [ExchangeEnum.GATEIO, ExchangeEnum.GATEIO_FUTURES], dear=ExchangeEnum.GATEIO_FUTURES
    )
    executor = result.executor
    assert executor is not None
    report = next(r for r in executor.reports if r.executed)
    assert (report.buy_venue, report.sell_venue) == ("gateio", "gateio_futures")  # buy spot, short the perp
    buy, sell = report.legs
    assert buy.filled == sell.filled > 0 and not report.one_legged
    assert sell.filled % Decimal("0.0001") == 0  # whole contracts of 0.0001 BTC
    futures = sim.venue(_sim_name(ExchangeEnum.GATEIO_FUTURES))
    contracts = sum(p.size for p in futures.positions(futures.user) if p.contract.startswith("BTC"))
    assert contracts < 0 and Decimal(contracts) * Decimal("0.0001") == executor.pnl.change("gateio_futures", "BTC")
    for asset in ("BTC", "USDT"):  # the spot leg matches the spot account to the last unit
        delta = gate.balance(asset).free + gate.balance(asset).locked - initial[asset]
        assert abs(delta - executor.pnl.change("gateio", asset)) < TOLERANCE, asset
