"""The soak's figures and its one table; :attr:`SoakReport.ok` is what ``scripts/soak``'s exit code says."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app.soak.orders import OrderLedger, Outcome, Reconciliation, TradingGate

if TYPE_CHECKING:
    from app.soak.checks import AccountChecker, BookChecker
    from app.soak.runner import SoakOptions
    from app.soak.venues import SimVenueView

MB = 1024 * 1024


@dataclass
class SoakReport:
    options: SoakOptions
    rss_start: int = 0
    rss_warm: int = 0
    rss_end: int = 0
    elapsed_s: float = 0.0
    checkpoints: int = 0
    messages: int = 0
    reconnects: int = 0
    idle_timeouts: int = 0
    resyncs: int = 0
    gaps: int = 0
    client_429: int = 0
    monitor_quotes: int = 0
    executor_stats: Any = None
    ledger: OrderLedger = field(default_factory=OrderLedger)
    gate: TradingGate = field(default_factory=TradingGate)
    reconciliation: Reconciliation = field(default_factory=Reconciliation)
    views: dict[str, SimVenueView] = field(default_factory=dict)
    books: BookChecker = field(default=None)  # type: ignore[assignment]
    accounts: AccountChecker = field(default=None)  # type: ignore[assignment]
    fault_totals: Counter[str] = field(default_factory=Counter)
    flow_actions: Counter[str] = field(default_factory=Counter)
    flow_errors: Counter[str] = field(default_factory=Counter)
    pending_tasks: list[str] = field(default_factory=list)
    open_sessions: int = 0
    loop_errors: list[str] = field(default_factory=list)

    def reconcile(self, privates: dict[str, Any]) -> None:
        self.reconciliation = self.ledger.reconcile(self.views, privates)

    # --- verdict ------------------------------------------------------------------------------------
    @property
    def rss_growth_mb(self) -> float:
        return max(0, self.rss_end - (self.rss_warm or self.rss_start)) / MB

    def failures(self) -> list[str]:
        """Every failed check, in words (empty = the soak passed)."""
        out: list[str] = []
        books_failed = (self.books.live.failed + self.books.checkpoint.failed) if self.books else 0
        if books_failed:
            out.append(
                f"{books_failed} book checks failed: {(self.books.live.failures + self.books.checkpoint.failures)[:5]}"
            )
        if self.accounts is not None and self.accounts.counts.failed:
            out.append(f"{self.accounts.counts.failed} account checks failed: {self.accounts.counts.failures[:3]}")
        if self.reconciliation.duplicated:
            out.append(f"duplicated orders: {self.reconciliation.duplicated[:5]}")
        if self.reconciliation.lost:
            out.append(f"lost orders: {self.reconciliation.lost[:5]}")
        if self.ledger.clock_failures:
            out.append(f"{self.ledger.clock_failures} orders failed on authentication (clock)")
        if self.fault_totals.get("enforced_429"):
            out.append(f"{self.fault_totals['enforced_429']} requests over the venue's limit (client broke its budget)")
        if self.pending_tasks:
            out.append(f"tasks pending at exit: {self.pending_tasks[:10]}")
        if self.open_sessions:
            out.append(f"{self.open_sessions} HTTP sessions open at exit")
        if self.loop_errors:
            out.append(f"event-loop errors: {self.loop_errors[:5]}")
        if self.rss_growth_mb > self.options.max_rss_growth_mb:
            out.append(f"RSS grew {self.rss_growth_mb:.0f} MB (bound {self.options.max_rss_growth_mb:.0f} MB)")
        if self.books is not None and self.books.live.passed + self.books.checkpoint.passed == 0:
            out.append("no book check ran")
        return out

    @property
    def ok(self) -> bool:
        return not self.failures()

    # --- output -------------------------------------------------------------------------------------
    def progress_line(self) -> str:
        counts = self.ledger.counts()
        books = self.books
        return (
            f"orders {sum(counts.values())} (placed {counts.get('placed', 0)}), "
            f"book checks {books.live.passed + books.checkpoint.passed if books else 0} ok / "
            f"{books.live.failed + books.checkpoint.failed if books else 0} failed, "
            f"faults {sum(self.fault_totals.values())}"
        )

    def rows(self) -> list[tuple[str, str]]:
        counts = self.ledger.counts()
        rec = self.reconciliation
        books = self.books
        executor = self.executor_stats
        faults = _wrap([f"{k} {v}" for k, v in sorted(self.fault_totals.items()) if k != "enforced_429"])
        venues = ", ".join(self.options.venues)
        placed, refused = counts.get(Outcome.PLACED, 0), counts.get(Outcome.REFUSED, 0)
        checkpoint = f"{books.checkpoint.passed} / {books.checkpoint.failed}" if books else "-"
        return [
            ("duration / fault mix", f"{self.elapsed_s:.0f} s / {self.options.faults} on {venues}"),
            ("REST backend", self.options.rest_backend),
            ("faults injected", faults or "none"),
            ("messages received", f"{self.messages:,}"),
            ("reconnects (idle timeouts)", f"{self.reconnects:,} ({self.idle_timeouts})"),
            ("book resyncs (gaps seen)", f"{self.resyncs:,} ({self.gaps:,})"),
            ("book checks live passed / failed", f"{books.live.passed:,} / {books.live.failed}" if books else "-"),
            ("book checks checkpoint passed / failed",
             f"{checkpoint} ({self.checkpoints} checkpoints)"),
            ("stale books never offered as valid", f"{books.stale_seen:,} stale reads" if books else "-"),
            ("account checks passed / failed",
             f"{self.accounts.counts.passed} / {self.accounts.counts.failed}" if self.accounts else "-"),
            ("orders requested", f"{sum(counts.values()):,} (flow {self._by_source('flow')}, executor "
                                 f"{self._by_source('executor')})"),
            ("orders placed / refused / not placed",
             f"{placed:,} / {refused} / {counts.get(Outcome.NOT_PLACED, 0)}"),
            ("unknown outcome (unresolved)", f"{counts.get(Outcome.UNKNOWN, 0)} ({rec.unresolved})"),
            ("orders duplicated / lost", f"{len(rec.duplicated)} / {len(rec.lost)}"),
            ("orders failed on the clock", str(self.ledger.clock_failures)),
            ("429s seen by the client / over budget",
             f"{self.client_429} / {self.fault_totals.get('enforced_429', 0)}"),
            ("executor attempts / executed / fills",
             f"{executor.attempts} / {executor.executed} / {executor.fills}" if executor else "-"),
            ("RSS start / warm / end",
             f"{self.rss_start / MB:.0f} / {self.rss_warm / MB:.0f} / {self.rss_end / MB:.0f} MB "
             f"(+{self.rss_growth_mb:.0f} MB)"),
            ("tasks / sessions open at exit", f"{len(self.pending_tasks)} / {self.open_sessions}"),
            ("event-loop errors", str(len(self.loop_errors))),
            ("verdict", "PASS" if self.ok else "FAIL"),
        ]  # fmt: skip

    def _by_source(self, source: str) -> int:
        return sum(1 for record in self.ledger.records.values() if record.source == source)

    def table(self) -> str:
        rows = self.rows()
        width = max(len(name) for name, _ in rows)
        pad = "\n" + " " * (width + 2)
        lines = [f"{name.ljust(width)}  {value.replace(chr(10), pad)}" for name, value in rows]
        bar = "-" * max(len(part) for line in lines for part in line.split("\n"))
        text = "\n".join([bar, *lines, bar])
        failures = self.failures()
        if failures:
            text += "\nFAILED CHECKS:\n" + "\n".join(f"  - {item}" for item in failures)
        return text


def _wrap(items: list[str], width: int = 80) -> str:
    """``a 1, b 2, ...`` in lines of at most ``width`` characters."""
    lines: list[str] = []
    for item in items:
        if lines and len(lines[-1]) + len(item) + 2 <= width:
            lines[-1] += ", " + item
        else:
            lines.append(item)
    return ",\n".join(lines)
