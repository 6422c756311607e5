"""Part 2: order path, client CPU per ``create_order`` + ``cancel_order`` against the simulator on loopback."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from benchmarks.common import RunResult
from benchmarks.report import Report, Table, Target, num
from benchmarks.runner import PROJECT_PYTHON, ROOT, _env, bench_python, median_result, run_client

STREAM = "gateio-spot create+cancel"


@contextmanager
def simulator() -> Iterator[str]:
    proc = subprocess.Popen(
        [PROJECT_PYTHON, "-m", "benchmarks.order_sim"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
        cwd=ROOT,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("order simulator did not start")
        yield line.strip()
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run(report: Report, *, iterations: int, rounds: int) -> None:
    runs: dict[str, list[RunResult]] = {"ours-composite": [], "ours-rest": [], "ccxt": []}
    with simulator() as sim:
        json.loads(sim)  # fail early on a malformed line
        count = str(iterations)
        for _ in range(rounds):
            for layer in ("composite", "rest"):
                runs[f"ours-{layer}"].append(
                    run_client(
                        PROJECT_PYTHON,
                        "benchmarks.clients.orders_ours",
                        sim,
                        "--iterations",
                        count,
                        "--layer",
                        layer,
                        label=f"ours-{layer}",
                        stream=STREAM,
                    )
                )
            runs["ccxt"].append(
                run_client(
                    bench_python(),
                    "benchmarks.clients.orders_ccxt",
                    sim,
                    "--iterations",
                    count,
                    label="ccxt",
                    stream=STREAM,
                )
            )
    results = {label: median_result(r) for label, r in runs.items()}
    ccxt = results["ccxt"]
    table = Table(
        f"2. Order path ({iterations} create + cancel pairs per run, median of {rounds} rounds, simulator on loopback)",
        ["client", "CPU us / create+cancel", "wall ms / pair", "CPU vs ccxt", "check"],
    )
    for label, r in results.items():
        ok = r.messages > 0
        cpu = r.cpu_s * 1e6 / r.messages if ok else 0.0
        ccxt_cpu = ccxt.cpu_s * 1e6 / ccxt.messages if ccxt.messages else 0.0
        ratio = f"{cpu / ccxt_cpu:.2f}x" if ok and ccxt_cpu else "-"
        table.rows.append(
            [label, num(cpu, 0), num(r.wall_s * 1e3 / r.messages, 2) if ok else "-", ratio, (r.detail or "failed")[:60]]
        )
    table.notes += [
        "ours-composite: validation, client order id, signing, send, parse, order tracking; its private",
        "WebSocket (orders, balances, fills) runs and is included. ours-rest: the private REST client alone.",
    ]
    report.tables.append(table)
    ours = results["ours-composite"]
    if ours.messages and ccxt.messages:
        ratio = (ours.cpu_s / ours.messages) / (ccxt.cpu_s / ccxt.messages)
        rest = results["ours-rest"]
        rest_ratio = (rest.cpu_s / rest.messages) / (ccxt.cpu_s / ccxt.messages) if rest.messages else 0.0
        report.targets.append(
            Target(
                "order path: <= 1/3 of ccxt's CPU",
                ratio <= 1 / 3,
                f"composite {ratio:.2f}x, REST client {rest_ratio:.2f}x",
            )
        )
    else:
        report.targets.append(Target("order path: <= 1/3 of ccxt's CPU", None, "not measured"))
