"""Part 4: ingest with 1, 10, 50, 200 subscribed symbols on one venue; tick-to-handler latency."""

from __future__ import annotations

import json

from benchmarks.common import RunResult
from benchmarks.report import Report, Table, Target, num
from benchmarks.runner import PROJECT_PYTHON, median_result, run_client, stream_server

STREAM = "gateio-spot-book"
SYMBOL_COUNTS = (1, 10, 50, 200)
LATENCY_RATE = 2_000.0  # msgs/s, steady
LATENCY_SECONDS = 5.0


def _ours(info: dict[str, object], *args: str) -> RunResult:
    return run_client(
        PROJECT_PYTHON, "benchmarks.clients.ours", json.dumps(info), *args, label="ours-aiohttp", stream=STREAM
    )


def run(report: Report, *, messages: int, quick: bool) -> None:
    table = Table(
        f"4. Scaling ({STREAM}, ours, {messages:,} measured frames spread over the symbols, median of 3)",
        ["symbols", "msgs/s", "CPU us/msg", "vs 1 symbol", "RSS growth MB", "final books"],
    )
    base: float | None = None
    worst = 1.0
    for count in SYMBOL_COUNTS[:2] if quick else SYMBOL_COUNTS:
        with stream_server(STREAM, messages, symbols=count) as info:
            result = median_result([_ours(info) for _ in range(1 if quick else 3)])
        ok = result.messages > 0 and result.verified
        cpu = result.cpu_us_per_msg
        if ok and base is None:
            base = cpu
        ratio = cpu / base if ok and base else 0.0
        worst = max(worst, ratio)
        table.rows.append(
            [
                str(count),
                num(result.msgs_per_s, 0),
                num(cpu, 2),
                f"{ratio:.2f}x" if ratio else "-",
                num(result.extra.get("rss_mb", 0.0), 1),
                "verified" if ok else (result.detail or "failed")[:50],
            ]
        )
    report.tables.append(table)
    report.targets.append(
        Target(
            "scaling: CPU/msg flat within 20% (1 -> 200 symbols)",
            worst <= 1.2 if base else None,
            f"worst {worst:.2f}x of 1 symbol",
        )
    )

    latency = Table(
        f"4b. Tick-to-handler latency (steady {LATENCY_RATE:,.0f} msgs/s for {LATENCY_SECONDS:.0f}s, one symbol)",
        ["client", "p50 us", "p99 us", "samples", "final books"],
    )
    frames = int(LATENCY_RATE * (1.0 if quick else LATENCY_SECONDS))
    with stream_server(STREAM, frames, rate=LATENCY_RATE) as info:
        result = _ours(info, "--latency")
    extra = result.extra
    latency.rows.append(
        [
            "ours-aiohttp",
            num(extra.get("p50_us", 0.0), 0),
            num(extra.get("p99_us", 0.0), 0),
            str(extra.get("samples", 0)),
            "verified" if result.verified else (result.detail or "failed")[:50],
        ]
    )
    latency.notes.append("server send time (just before the socket write) to our handler call, one monotonic clock")
    report.tables.append(latency)
