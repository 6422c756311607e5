"""The soak run: every venue on the embedded simulator with a fault mix, the monitor and paper execution
running, a paper order flow per venue, checks all along, one table at the end.

The composites come from the real :class:`~containers.application.ApplicationContainer` (settings pointed
at the simulator, short timeouts); the monitor's executor trades through the same private composites.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from dependency_injector import providers

from app.composite.book import BookSynchronizer
from app.composite.interfaces import CompositePrivateExchange, CompositePublicExchange
from app.config import AppSettings, MonitorSettings, RateLimitConfig
from app.domain.enums import Domain, ExchangeEnum
from app.monitor.executor import ArbitrageExecutor, ExecutionLimits
from app.monitor.monitor import ArbitrageMonitor, MonitorConfig, to_decimal
from app.simulator.common import RateLimitRule
from app.simulator.server import ExchangeSimulator
from app.soak.checks import AccountChecker, BookChecker, instances, open_sessions, pending_tasks, rss_bytes
from app.soak.mixes import mix
from app.soak.orders import GuardedPrivate, OrderFlow
from app.soak.report import SoakReport
from app.soak.venues import sim_views
from app.transport.rate_limit import RateLimiter
from app.transport.websocket import ReconnectingWebSocket

log = logging.getLogger("app.soak")

FAST: dict[str, Any] = {
    "request_timeout_s": 3.0,
    "connect_timeout_s": 2.0,
    "ws_ping_interval_s": 1.0,
    "ws_idle_timeout_s": 4.0,  # a silent stream is noticed after this long
    "ws_reconnect_max_delay_s": 1.0,
    "book_depth": 100,
}


@dataclass(frozen=True, slots=True)
class SoakOptions:
    """What one soak runs."""

    duration_s: float = 60.0
    faults: str = "every"
    venues: tuple[str, ...] = ("gateio", "gateio_futures", "mexc")
    symbols: tuple[str, ...] = ("BTC/USDT", "ETH/USDT")
    checkpoint_every_s: float = 30.0
    checkpoint_timeout_s: float = 20.0
    order_interval_s: float = 0.3
    execute: bool = True
    max_rss_growth_mb: float = 200.0
    seed: int = 7
    tick_interval_s: float = 0.05
    rest_backend: Literal["aiohttp", "lean"] = "aiohttp"


@dataclass(slots=True)
class _Run:
    sim: ExchangeSimulator
    container: Any
    publics: dict[str, CompositePublicExchange]
    privates: dict[str, CompositePrivateExchange]
    monitor: ArbitrageMonitor
    executor: ArbitrageExecutor | None
    flows: list[OrderFlow]
    tasks: list[asyncio.Task[None]] = field(default_factory=list)


def _venue_limits(config: RateLimitConfig) -> dict[str, RateLimitRule]:
    """The venue's enforced budget: what the client's buckets allow at worst in one window (burst + refill).

    A 429 from these limits means the client broke its own configured budget."""
    public = 2 * config.public_per_10s
    private = 2 * config.private_per_10s
    orders = 2 * (config.orders_per_second + config.cancels_per_second)
    return {
        "public": RateLimitRule(public, 10.0),
        "private": RateLimitRule(private, 10.0),
        "place": RateLimitRule(orders, 1.0),
        "cancel": RateLimitRule(orders, 1.0),
        "ip": RateLimitRule(public + private, 10.0),
        "uid": RateLimitRule(public + private, 10.0),
        "order": RateLimitRule(orders, 1.0),
    }


def _settings(sim: ExchangeSimulator, options: SoakOptions) -> AppSettings:
    base = AppSettings(env="testing", exchanges={}, monitor=MonitorSettings())
    exchanges = {}
    for name in options.venues:
        exchange = ExchangeEnum(name)
        config = sim.exchange_config(exchange)
        exchanges[exchange] = config.model_copy(update={**FAST, "rest_backend": options.rest_backend})
    monitor = MonitorSettings(
        symbols=list(options.symbols),
        venues=[ExchangeEnum(v) for v in options.venues],
        size_quote=50.0,
        threshold_bps=2.0,
        cooldown_s=1.0,
        max_position_quote=500.0,
    )
    return base.model_copy(update={"exchanges": exchanges, "monitor": monitor})


async def run_soak(options: SoakOptions, *, progress: Any = None) -> SoakReport:
    """Run the soak and return its report (``report.ok`` False when any check failed)."""
    from containers.application import ApplicationContainer
    from containers.factory import shutdown_container

    loop = asyncio.get_running_loop()
    loop_errors: list[str] = []
    previous_handler = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: loop_errors.append(str(context.get("message"))))
    report = SoakReport(options=options, rss_start=rss_bytes())
    started = time.monotonic()
    sim = ExchangeSimulator(venues=options.venues, seed=options.seed, tick_interval_s=options.tick_interval_s)
    container = ApplicationContainer()
    run: _Run | None = None
    try:
        await sim.start()
        settings = _settings(sim, options)
        for name in options.venues:
            limits = _venue_limits(settings.exchange(name).rate_limits)
            rate_limits = sim.venue(name).rate_limits
            rate_limits.categories = {k: v for k, v in limits.items() if k in rate_limits.categories}
        container.core.settings.override(providers.Object(settings))
        run = await _start(container, sim, settings, options, report)
        plan = dict(mix(options.faults))
        plan["venues"] = {k: v for k, v in plan.get("venues", {}).items() if k in ("all", *options.venues)}
        sim.faults.apply(plan)
        report.rss_warm = rss_bytes()
        await _soak(run, options, report, progress)
        await _finish(run, options, report)
    finally:
        with contextlib.suppress(Exception):
            report.fault_totals = sim.faults.totals()
        if run is not None:
            for task in run.tasks:
                task.cancel()
            await asyncio.gather(*run.tasks, return_exceptions=True)
            if run.executor is not None:
                await run.executor.close()
            await run.monitor.close()
        await shutdown_container(container)
        await sim.stop()
        report.pending_tasks = await pending_tasks()
        report.open_sessions = open_sessions()
        report.loop_errors = loop_errors
        loop.set_exception_handler(previous_handler)
        report.rss_end = rss_bytes()
        report.elapsed_s = time.monotonic() - started
    return report


async def _start(
    container: Any, sim: ExchangeSimulator, settings: AppSettings, options: SoakOptions, report: SoakReport
) -> _Run:
    publics: dict[str, CompositePublicExchange] = {
        v: container.composites(f"{v}:{Domain.PUBLIC.value}") for v in options.venues
    }
    monitor = ArbitrageMonitor(publics, MonitorConfig.from_settings(settings.monitor))
    await monitor.start()
    privates: dict[str, CompositePrivateExchange] = {
        v: container.composites(f"{v}:{Domain.PRIVATE.value}") for v in options.venues
    }
    await asyncio.gather(*(p.initialize(list(options.symbols)) for p in privates.values()))
    ledger, gate = report.ledger, report.gate
    executor = None
    if options.execute:
        guarded_for_executor = {v: GuardedPrivate(p, v, ledger, gate, "executor") for v, p in privates.items()}
        limits = ExecutionLimits(max_position_quote=to_decimal(settings.monitor.max_position_quote), cooldown_s=1.0)
        executor = ArbitrageExecutor(monitor, guarded_for_executor, limits)  # type: ignore[arg-type]
        monitor.subscribe(executor.on_opportunity)
    rng = random.Random(options.seed)
    flows = [
        OrderFlow(
            v,
            publics[v],
            GuardedPrivate(privates[v], v, ledger, gate, "flow"),
            monitor.symbols[0],
            interval_s=options.order_interval_s,
            seed=rng.randrange(1 << 30),
        )
        for v in options.venues
    ]
    run = _Run(sim, container, publics, privates, monitor, executor, flows)
    report.views = sim_views(sim, list(options.venues))
    report.books = BookChecker(publics, report.views, monitor.symbols)
    report.accounts = AccountChecker(privates, report.views)
    return run


async def _soak(run: _Run, options: SoakOptions, report: SoakReport, progress: Any) -> None:
    run.tasks = [asyncio.get_running_loop().create_task(f.run(), name=f"soak-flow-{f.venue}") for f in run.flows]
    deadline = time.monotonic() + options.duration_s
    next_checkpoint = time.monotonic() + options.checkpoint_every_s
    next_progress = time.monotonic() + 30.0
    while time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        report.books.sample()
        now = time.monotonic()
        if now >= next_checkpoint and deadline - now > options.checkpoint_every_s / 3:
            await _checkpoint(run, options, report)
            next_checkpoint = time.monotonic() + options.checkpoint_every_s
        if progress is not None and now >= next_progress:
            next_progress = now + 30.0
            report.fault_totals = Counter(run.sim.faults.totals())
            progress(f"{now - (deadline - options.duration_s):6.0f}s {report.progress_line()}")
    for flow in run.flows:
        flow.stop()
    _done, pending = await asyncio.wait(run.tasks, timeout=options.checkpoint_timeout_s)
    for task in pending:  # a step stuck past the timeout: abandoned (its orders are still reconciled)
        task.cancel()
    await asyncio.gather(*run.tasks, return_exceptions=True)
    run.tasks = []


async def _checkpoint(run: _Run, options: SoakOptions, report: SoakReport) -> None:
    """Faults off, trading held, markets paused: books, accounts and order records must all agree."""
    report.checkpoints += 1
    run.sim.faults.suspend(True)
    report.gate.close()
    try:
        if not await report.gate.wait_idle(options.checkpoint_timeout_s):
            report.accounts.counts.record(False, "order calls still in flight after the checkpoint timeout")
        views = report.views.values()
        for view in views:
            view.pause_market()
            view.nudge_market()
        try:
            await report.books.at_checkpoint(options.checkpoint_timeout_s)
            await report.accounts.at_checkpoint(options.checkpoint_timeout_s)
            report.reconcile(run.privates)
        finally:
            for view in views:
                view.resume_market()
    finally:
        report.gate.open()
        run.sim.faults.suspend(False)
    _collect(run, report)


async def _finish(run: _Run, options: SoakOptions, report: SoakReport) -> None:
    run.sim.faults.suspend(True)
    for flow in run.flows:
        await flow.cancel_all()
        report.flow_actions.update(flow.actions)
        report.flow_errors.update(flow.errors)
    if run.executor is not None:
        await run.executor.close()
        report.executor_stats = run.executor.stats
    await _checkpoint(run, options, report)
    report.monitor_quotes = run.monitor.recomputes


def _collect(run: _Run, report: SoakReport) -> None:
    """Counters of every live socket, book synchronizer and rate limiter (read through ``gc``)."""
    sockets = instances(ReconnectingWebSocket)
    report.messages = max(report.messages, sum(ws.messages for ws in sockets))
    report.reconnects = max(report.reconnects, sum(ws.reconnect_count for ws in sockets))
    report.idle_timeouts = max(report.idle_timeouts, sum(ws.idle_timeouts for ws in sockets))
    syncs = instances(BookSynchronizer)
    report.resyncs = max(report.resyncs, sum(s.resyncs for s in syncs))
    report.gaps = max(report.gaps, sum(s.gaps for s in syncs))
    report.client_429 = max(report.client_429, sum(r.rate_limited for r in instances(RateLimiter)))
    report.fault_totals = Counter(run.sim.faults.totals())
