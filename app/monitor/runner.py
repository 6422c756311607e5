"""`cex-arb run`: the monitor (and with ``--execute`` the executor) over the container's composites.

Venues are data: ``settings.monitor.venues`` (or ``--venues``) names them, the container's keyed
``composites("<venue>:public")`` / ``("<venue>:private")`` provides them. A configured venue with no
container entry yet (or, on the simulator, no simulated venue) is left out with a note; one asked for
explicitly is an error. Execution runs against the simulator freely; against real venues only with a
second flag (``--allow-live-trading``) and credentials; without credentials the run is read-only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

from app.composite.interfaces import CompositePrivateExchange, CompositePublicExchange
from app.config import AppSettings
from app.domain.enums import Domain, ExchangeEnum
from app.errors import ConfigurationError, CredentialsRequiredError
from app.monitor.executor import ArbitrageExecutor, ExecutionLimits
from app.monitor.monitor import ArbitrageMonitor, MonitorConfig, to_decimal
from app.monitor.view import (
    render_plain,
    render_rich,
    render_summary_plain,
    render_summary_rich,
    summary_rows,
)

LIVE_TRADING_FLAG = "--allow-live-trading"


@dataclass(frozen=True, slots=True)
class RunOptions:
    """The command-line choices of one run (None = take the setting)."""

    symbols: Sequence[str] | None = None
    venues: Sequence[str] | None = None
    threshold_bps: float | None = None
    size_quote: float | None = None
    duration_s: float | None = None
    execute: bool = False
    allow_live: bool = False
    rich: bool | None = None  # None: rich when the output is a terminal


@dataclass(slots=True)
class RunResult:
    """What a run leaves behind (for the CLI's exit code and for tests)."""

    monitor: ArbitrageMonitor
    executor: ArbitrageExecutor | None
    summary: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def select_venues(
    available: Collection[str], settings: AppSettings, requested: Sequence[str] | None
) -> tuple[list[str], list[str]]:
    """The venues to run (``available``: the container's composite keys), and notes on ones left out."""
    explicit = requested is not None
    names = list(requested) if requested is not None else [v.value for v in settings.monitor.venues]
    simulated: set[str] | None = None
    if settings.simulator.enabled:
        from app.simulator.server import VENUES

        simulated = {spec.exchange.value for spec in VENUES.values()}
    chosen, notes = [], []
    for name in dict.fromkeys(n.strip().lower() for n in names if n.strip()):
        try:
            exchange = ExchangeEnum(name)
        except ValueError:
            raise ConfigurationError(f"unknown venue {name!r}; expected one of {[e.value for e in ExchangeEnum]}",
                                     key="monitor.venues") from None  # fmt: skip
        why = None
        if f"{exchange.value}:{Domain.PUBLIC.value}" not in available:
            why = "not wired into the container yet"
        elif exchange not in settings.exchanges:
            why = f"no [exchanges.{exchange.value}] settings"
        elif simulated is not None and exchange.value not in simulated:
            why = "not served by the embedded simulator"
        if why is None:
            chosen.append(exchange.value)
        elif explicit:
            raise ConfigurationError(f"venue {exchange.value} cannot run: {why}", key="monitor.venues")
        else:
            notes.append(f"{exchange.value} left out: {why}")
    if not chosen:
        raise ConfigurationError("no venue to run", key="monitor.venues")
    return chosen, notes


def execution_venues(settings: AppSettings, venues: Sequence[str], options: RunOptions) -> tuple[bool, str]:
    """Whether to execute, and the sentence that says which mode the run is in."""
    live = not settings.simulator.enabled
    missing = [v for v in venues if not settings.exchange(v).has_credentials()]
    if not options.execute:
        if live and missing:
            return False, f"read-only: no credentials for {', '.join(missing)} (monitor only)"
        return False, "monitor only (add --execute to trade the opportunities)"
    if live and not options.allow_live:
        raise ConfigurationError(
            f"--execute against real venues ({settings.env}) also needs {LIVE_TRADING_FLAG}", key="execute"
        )
    if missing:
        raise CredentialsRequiredError(
            "--execute needs api_key and api_secret for every venue", key=f"exchanges.{missing[0]}.api_key"
        )
    disabled = [v for v in venues if not settings.exchange(v).private_enabled]
    if disabled:
        raise ConfigurationError("--execute needs the private domain", key=f"exchanges.{disabled[0]}.private_enabled")
    where = "LIVE on real venues" if live else "against the embedded simulator (paper)"
    return True, f"executing {where}: IOC limits on both legs"


async def run_monitor(
    container: Any,
    settings: AppSettings,
    options: RunOptions,
    *,
    out: TextIO | None = None,
    stop: asyncio.Event | None = None,
    on_ready: Callable[[RunResult], Any] | None = None,
) -> RunResult:
    """Run until ``options.duration_s`` passes, ``stop`` is set or Ctrl-C; print the summary; return the result.

    ``on_ready(result)`` is called once the monitor (and executor) run. The caller owns the container
    (and shuts it down afterwards: composites, transports, session).
    """
    out = out or sys.stdout
    venues, notes = select_venues(container.composites.providers, settings, options.venues)
    config = MonitorConfig.from_settings(
        settings.monitor,
        symbols=options.symbols,
        threshold_bps=options.threshold_bps,
        size_quote=options.size_quote,
    )
    execute, mode = execution_venues(settings, venues, options)
    publics: dict[str, CompositePublicExchange] = {
        v: container.composites(f"{v}:{Domain.PUBLIC.value}") for v in venues
    }
    monitor = ArbitrageMonitor(publics, config)
    result = RunResult(monitor, None, notes=[*notes, mode])
    for note in result.notes:
        print(note, file=out, flush=True)
    await monitor.start()
    executor: ArbitrageExecutor | None = None
    try:
        if execute:
            privates: dict[str, CompositePrivateExchange] = {
                v: container.composites(f"{v}:{Domain.PRIVATE.value}") for v in venues
            }
            await asyncio.gather(*(p.initialize(list(config.symbols)) for p in privates.values()))
            executor = ArbitrageExecutor(monitor, privates, _limits(settings))
            result.executor = executor
            monitor.subscribe(executor.on_opportunity)
        print(
            f"tracking {', '.join(map(str, monitor.symbols))} on {', '.join(venues)}; "
            f"size {config.size_quote} {monitor.symbols[0].quote if monitor.symbols else ''}, "
            f"threshold {config.threshold_bps} bps (Ctrl-C to stop)",
            file=out,
            flush=True,
        )
        if on_ready is not None:
            on_ready(result)
        started = time.monotonic()
        await _show(monitor, executor, options, settings.monitor.refresh_s, out, stop or asyncio.Event())
        if executor is not None:
            await executor.close()
        await monitor.close()
        result.summary = summary_rows(monitor, executor, time.monotonic() - started)
        _print_summary(result.summary, out, _use_rich(options, out))
    finally:
        if executor is not None:
            await executor.close()
        await monitor.close()
    return result


def _limits(settings: AppSettings) -> ExecutionLimits:
    monitor = settings.monitor
    return ExecutionLimits(
        max_position_quote=to_decimal(monitor.max_position_quote),
        cooldown_s=monitor.cooldown_s,
        rebalance_slippage_bps=to_decimal(monitor.rebalance_slippage_bps),
    )


def _use_rich(options: RunOptions, out: TextIO) -> bool:
    return options.rich if options.rich is not None else bool(getattr(out, "isatty", lambda: False)())


async def _show(
    monitor: ArbitrageMonitor,
    executor: ArbitrageExecutor | None,
    options: RunOptions,
    refresh_s: float,
    out: TextIO,
    stop: asyncio.Event,
) -> None:
    deadline = None if options.duration_s is None else time.monotonic() + options.duration_s
    with _stop_on_signals(stop):
        if _use_rich(options, out):
            await _show_rich(monitor, executor, refresh_s, out, stop, deadline)
        else:
            await _show_plain(monitor, executor, refresh_s, out, stop, deadline)


async def _wait(stop: asyncio.Event, refresh_s: float, deadline: float | None) -> bool:
    """Sleep one refresh (shorter at the deadline); True when the run should end."""
    timeout = refresh_s if deadline is None else max(0.0, min(refresh_s, deadline - time.monotonic()))
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout)
    return stop.is_set() or (deadline is not None and time.monotonic() >= deadline)


async def _show_plain(
    monitor: ArbitrageMonitor,
    executor: ArbitrageExecutor | None,
    refresh_s: float,
    out: TextIO,
    stop: asyncio.Event,
    deadline: float | None,
) -> None:
    shown = 0
    while True:
        done = await _wait(stop, refresh_s, deadline)
        recent = list(monitor.tracker.recent)
        new = recent[len(recent) - min(len(recent), monitor.tracker.seen - shown) :]
        shown = monitor.tracker.seen
        print(render_plain(monitor, executor, new, time.monotonic()), file=out, flush=True)
        if done:
            return


async def _show_rich(
    monitor: ArbitrageMonitor,
    executor: ArbitrageExecutor | None,
    refresh_s: float,
    out: TextIO,
    stop: asyncio.Event,
    deadline: float | None,
) -> None:
    from rich.console import Console
    from rich.live import Live

    console = Console(file=out)

    def frame() -> Any:
        return render_rich(monitor, executor, list(monitor.tracker.recent), time.monotonic())

    with Live(frame(), console=console, refresh_per_second=4, transient=False) as live, _logs_above(live):
        while not await _wait(stop, min(refresh_s, 0.25), deadline):
            live.update(frame())
        live.update(frame())


@contextlib.contextmanager
def _logs_above(live: Any) -> Iterator[None]:
    """Route log records through the live display (printed above it) instead of tearing it.

    Inside ``Live``, ``sys.stderr`` is rich's proxy that prints above the display.
    """
    handlers = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    previous = [h.setStream(sys.stderr) for h in handlers]
    try:
        yield
    finally:
        for handler, stream in zip(handlers, previous, strict=True):
            if stream is not None:
                handler.setStream(stream)


@contextlib.contextmanager
def _stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """Ctrl-C / SIGTERM end the run in order (summary, shutdown) instead of interrupting it."""
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread / platform
            pass
    try:
        yield
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


def _print_summary(rows: list[tuple[str, str]], out: TextIO, rich: bool) -> None:
    if rich:
        from rich.console import Console

        Console(file=out).print(render_summary_rich(rows))
    else:
        print(render_summary_plain(rows), file=out, flush=True)


__all__ = ["LIVE_TRADING_FLAG", "RunOptions", "RunResult", "run_monitor", "select_venues"]
