"""A short soak in the suite: every venue, every fault (compressed timers), monitor and paper execution, with
the same checks and exit verdict as ``scripts/soak``."""

from __future__ import annotations

from app.soak.__main__ import main
from app.soak.runner import SoakOptions, run_soak


async def test_a_short_soak_with_every_fault_passes_every_check() -> None:
    options = SoakOptions(duration_s=14.0, faults="short", checkpoint_every_s=6.0, order_interval_s=0.2)
    report = await run_soak(options)
    assert report.ok, report.table()
    counts = report.ledger.counts()
    assert counts["placed"] >= 10 and not report.reconciliation.duplicated and not report.reconciliation.lost
    assert report.books.live.passed + report.books.checkpoint.passed >= 10
    assert report.reconnects >= 3 and report.resyncs >= 1 and sum(report.fault_totals.values()) >= 20
    assert report.pending_tasks == [] and report.open_sessions == 0 and report.loop_errors == []


def test_the_soak_command_line_refuses_an_unknown_mix(capsys: object) -> None:
    import pytest

    with pytest.raises(SystemExit):
        main(["--faults", "no-such-mix"])
