"""The terminal view of the monitor: a rich live table on a terminal, plain text lines otherwise.

Both renderings show the same rows: per symbol and venue the best bid / ask, book age and validity; per
venue pair the executable spread after taker fees for the configured size (the better direction);
opportunities above the threshold, highlighted and listed with their timestamps; with ``--execute`` the
fills and the running PnL.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from app.monitor.monitor import ArbitrageMonitor
from app.monitor.opportunity import Opportunity
from app.monitor.spread import SpreadQuote

if TYPE_CHECKING:
    from app.monitor.executor import ArbitrageExecutor

BOOK_HEADER = ("venue", "symbol", "best bid", "best ask", "spread", "age", "state")
PAIR_HEADER = ("symbol", "buy on", "sell on", "qty", "buy vwap", "sell vwap", "gross", "net", "status")


def clock_text(wall: float) -> str:
    """``HH:MM:SS.mmm`` local time."""
    return time.strftime("%H:%M:%S", time.localtime(wall)) + f".{int(wall * 1000) % 1000:03d}"


def book_rows(monitor: ArbitrageMonitor, now: float) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for symbol in monitor.symbols:
        for venue in monitor.venues:
            state = monitor.books[(venue, symbol)]
            book = state.book
            age = state.age_s(now)
            age_text = "-" if age is None else f"{age * 1000:.0f}ms"
            if book is None or book.best_bid is None or book.best_ask is None:
                rows.append((venue, str(symbol), "-", "-", "-", age_text, "STALE"))
                continue
            fresh = age is not None and age <= monitor.config.max_book_age_s
            mid = (book.best_bid.price + book.best_ask.price) / 2
            spread = (book.best_ask.price - book.best_bid.price) / mid * 10_000
            state_text = "valid" if book.is_valid and fresh else ("OLD" if book.is_valid else "STALE")
            rows.append(
                (venue, str(symbol), str(book.best_bid.price), str(book.best_ask.price), f"{spread:.2f}bps", age_text,
                 state_text)
            )  # fmt: skip
    return rows


def pair_row(quote: SpreadQuote) -> tuple[str, ...]:
    return (
        str(quote.symbol),
        quote.buy_venue,
        quote.sell_venue,
        str(quote.quantity),
        _price(quote.buy.average_price),
        _price(quote.sell.average_price),
        f"{quote.gross_bps:+.2f}bps",
        f"{quote.spread_bps:+.2f}bps",
        quote.status.value,
    )


def opportunity_line(opportunity: Opportunity) -> str:
    return f"{clock_text(opportunity.opened_at)} OPPORTUNITY {opportunity.describe()}"


def summary_rows(
    monitor: ArbitrageMonitor, executor: ArbitrageExecutor | None, elapsed_s: float
) -> list[tuple[str, str]]:
    """The end-of-run summary: opportunities, executions, fills, PnL, reconnects, resyncs."""
    rows = [
        ("duration", f"{elapsed_s:.1f}s"),
        ("venues", ", ".join(monitor.venues)),
        ("symbols", ", ".join(str(s) for s in monitor.symbols)),
        ("spread recomputes", str(monitor.recomputes)),
        ("opportunities seen", str(monitor.tracker.seen)),
    ]
    if executor is None:
        rows.append(("executed", "0 (monitor only)"))
    else:
        stats = executor.stats
        halted = ", ".join(map(str, executor.halted))
        rows += [
            ("executed", f"{stats.executed} (skipped {stats.skipped})"),
            ("fills", f"{stats.fills} (partial {stats.partial_fills})"),
            ("hedged / rebalanced", f"{stats.hedged} / {stats.rebalances}"),
            ("one-legged", f"{stats.one_legged}" + (f" (halted: {halted})" if halted else "")),
            ("PnL", pnl_text(monitor, executor)),
            ("fees", fees_text(executor)),
        ]  # fmt: skip
    rows += [
        ("reconnects", str(monitor.total_reconnects())),
        ("resyncs", str(monitor.total_resyncs())),
    ]
    return rows


def pnl_text(monitor: ArbitrageMonitor, executor: ArbitrageExecutor) -> str:
    marks = {s: m for s in monitor.symbols if (m := monitor.mark_price(s)) is not None}
    quotes = {s.quote for s in monitor.symbols}
    quote = next(iter(quotes)) if len(quotes) == 1 else "USDT"
    unpriced = sorted(asset for asset, fee in executor.pnl.unpriced_fees.items() if fee)
    fees = f"incl. fees except those paid in {', '.join(unpriced)}" if unpriced else "incl. fees"
    return f"{executor.pnl.pnl(marks, quote):+.6f} {quote} ({fees}, inventory marked at mid)"


def fees_text(executor: ArbitrageExecutor) -> str:
    """Fees in the quote asset, plus those paid in another asset (GT, MX discounts) that no book prices."""
    unpriced = [f"{fee} {asset}" for asset, fee in sorted(executor.pnl.unpriced_fees.items()) if fee]
    return f"{executor.pnl.fees_quote:.6f}" + (f" + {' + '.join(unpriced)} (not priced)" if unpriced else "")


def _price(value: Decimal) -> str:
    return str(value.normalize()) if value else "-"


def _columns(rows: Iterable[tuple[str, ...]], header: tuple[str, ...]) -> list[str]:
    table = [header, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in table]


def render_plain(
    monitor: ArbitrageMonitor, executor: ArbitrageExecutor | None, new: list[Opportunity], now: float
) -> str:
    """One plain-text frame (lines start with the venue / symbol so they grep well)."""
    config = monitor.config
    lines = [f"{clock_text(time.time())} books"]
    lines += _columns(book_rows(monitor, now), BOOK_HEADER)
    lines.append(
        f"spreads: size {config.size_quote} quote, after taker fees, depth walked, threshold {config.threshold_bps} bps"
    )
    lines += ["  " + line for line in _columns((pair_row(q) for q in monitor.best_quotes()), PAIR_HEADER)]
    lines += [opportunity_line(o) for o in new]
    if executor is not None:
        stats = executor.stats
        lines.append(
            f"execution: executed {stats.executed} fills {stats.fills} one-legged {stats.one_legged} "
            f"PnL {pnl_text(monitor, executor)}"
        )
    return "\n".join(lines)


def render_rich(
    monitor: ArbitrageMonitor, executor: ArbitrageExecutor | None, recent: list[Opportunity], now: float
) -> Any:
    """The rich renderable of one frame (tables of books, spreads, recent opportunities)."""
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    config = monitor.config
    books = Table(title=f"books  {clock_text(time.time())}", title_justify="left", box=box.SIMPLE_HEAD)
    for name in BOOK_HEADER:
        books.add_column(name, justify="right" if name not in ("venue", "symbol", "state") else "left")
    for row in book_rows(monitor, now):
        style = "green" if row[-1] == "valid" else "bold red"
        books.add_row(*row[:-1], Text(row[-1], style=style))
    pairs = Table(
        title=f"executable spread: {config.size_quote} quote, taker fees, depth walked "
        f"(threshold {config.threshold_bps} bps)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
    )  # fmt: skip
    for name in PAIR_HEADER:
        pairs.add_column(name, justify="left" if name in ("symbol", "buy on", "sell on", "status") else "right")
    for quote in monitor.best_quotes():
        hot = quote.actionable and quote.spread_bps >= config.threshold_bps
        pairs.add_row(*pair_row(quote), style="bold black on green" if hot else None)
    parts: list[Any] = [books, pairs]
    if recent:
        parts.append(Text("opportunities", style="bold"))
        parts += [Text(opportunity_line(o), style="green" if o.is_open else "dim") for o in recent[-8:]]
    if executor is not None:
        stats = executor.stats
        parts.append(
            Text(
                f"execution: executed {stats.executed}  fills {stats.fills}  partial {stats.partial_fills}  "
                f"one-legged {stats.one_legged}  PnL {pnl_text(monitor, executor)}",
                style="bold",
            )
        )
    return Group(*parts)


def render_summary_rich(rows: list[tuple[str, str]]) -> Any:
    from rich.table import Table

    table = Table(title="summary", title_justify="left", show_header=False)
    table.add_column("")
    table.add_column("", justify="right")
    for key, value in rows:
        table.add_row(key, value)
    return table


def render_summary_plain(rows: list[tuple[str, str]]) -> str:
    width = max(len(key) for key, _ in rows)
    return "\n".join(["summary", *(f"  {key.ljust(width)}  {value}" for key, value in rows)])
