"""A minimal live view: best bid / ask per venue and symbol, refreshed on an interval.

The full arbitrage monitor (spreads after fees, depth walks, paper execution) is built on top of this
in the main-job issue; this view proves the whole path: settings -> container -> composite -> local book.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Sequence
from typing import Any, TextIO

from app.config import AppSettings
from app.domain.enums import Domain, ExchangeEnum
from app.domain.symbol import Symbol
from containers.application import ApplicationContainer


def format_row(exchange: ExchangeEnum, symbol: Symbol, book: Any, now_ms: int) -> str:
    """One line: venue, symbol, best bid / ask, spread in bps, age and validity of the local book."""
    bid, ask = book.best_bid, book.best_ask
    if bid is None or ask is None:
        return f"{exchange.value:<15} {symbol!s:<10} {'-':>14} {'-':>14}  {'valid' if book.is_valid else 'STALE'}"
    mid = (bid.price + ask.price) / 2
    spread_bps = (ask.price - bid.price) / mid * 10_000
    age_ms = max(0, now_ms - book.timestamp_ms) if book.timestamp_ms else 0
    state = "valid" if book.is_valid else "STALE"
    return (
        f"{exchange.value:<15} {symbol!s:<10} {bid.price:>14} {ask.price:>14} {spread_bps:>8.2f}bps "
        f"{age_ms:>6}ms  seq={book.sequence} {state}"
    )


async def run_live_view(
    container: ApplicationContainer,
    settings: AppSettings,
    symbols: Sequence[str],
    *,
    duration_s: float | None,
    out: TextIO = sys.stdout,
) -> int:
    """Initialize the public composites of the configured venues and print their books until done."""
    venues = [v for v in settings.monitor.venues if v in settings.exchanges]
    composites = []
    for venue in venues:
        composite = container.composites(f"{venue.value}:{Domain.PUBLIC.value}")
        await composite.initialize(list(symbols))
        composites.append((venue, composite))
    print(f"tracking {', '.join(symbols)} on {', '.join(v.value for v in venues)} (Ctrl-C to stop)", file=out)
    header = f"{'venue':<15} {'symbol':<10} {'best bid':>14} {'best ask':>14} {'spread':>11} {'age':>8}"
    deadline = None if duration_s is None else time.monotonic() + duration_s
    while deadline is None or time.monotonic() < deadline:
        await asyncio.sleep(settings.monitor.refresh_s)
        now_ms = int(time.time() * 1000)
        lines = [time.strftime("%H:%M:%S"), header]
        for venue, composite in composites:
            for raw in symbols:
                symbol = composite.resolve(raw)
                lines.append(format_row(venue, symbol, composite.get_orderbook(symbol), now_ms))
        print("\n".join(lines), file=out, flush=True)
    return 0
