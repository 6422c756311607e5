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
BACKENDS = ("aiohttp", "lean")  # ExchangeConfig.rest_backend; aiohttp is the default


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
    labels = {(layer, backend): row_label(layer, backend) for backend in BACKENDS for layer in ("composite", "rest")}
    runs: dict[str, list[RunResult]] = {name: [] for name in labels.values()}
    runs["ccxt"] = []
    with simulator() as sim:
        json.loads(sim)  # fail early on a malformed line
        count = str(iterations)
        for _ in range(rounds):
            for (layer, backend), name in labels.items():
                runs[name].append(
                    run_client(
                        PROJECT_PYTHON,
                        "benchmarks.clients.orders_ours",
                        sim,
                        "--iterations",
                        count,
                        "--layer",
                        layer,
                        "--backend",
                        backend,
                        label=name,
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
    results = {name: median_result(r) for name, r in runs.items()}
    ccxt = results["ccxt"]
    table = Table(
        f"2. Order path ({iterations} create + cancel pairs per run, median of {rounds} rounds, simulator on loopback)",
        ["client", "CPU us / create+cancel", "wall ms / pair", "CPU vs ccxt", "check"],
    )
    for name, r in results.items():
        ok = r.messages > 0
        cpu = r.cpu_s * 1e6 / r.messages if ok else 0.0
        ccxt_cpu = ccxt.cpu_s * 1e6 / ccxt.messages if ccxt.messages else 0.0
        ratio = f"{cpu / ccxt_cpu:.2f}x" if ok and ccxt_cpu else "-"
        table.rows.append(
            [name, num(cpu, 0), num(r.wall_s * 1e3 / r.messages, 2) if ok else "-", ratio, (r.detail or "failed")[:60]]
        )
    table.notes += [
        "ours-composite: validation, client order id, signing, send, parse, order tracking; its private",
        "WebSocket (orders, balances, fills) runs and is included. ours-rest: the private REST client alone.",
        "Without a suffix: rest_backend = aiohttp (the default); -lean: rest_backend = lean (the HTTP/1.1",
        "client on asyncio.Protocol, app/transport/http_lean.py). The WebSocket is aiohttp in every row.",
    ]
    report.tables.append(table)

    def vs_ccxt(name: str) -> float | None:
        r = results[name]
        return (r.cpu_s / r.messages) / (ccxt.cpu_s / ccxt.messages) if r.messages and ccxt.messages else None

    def text(ratios: dict[str, float | None]) -> str:
        return ", ".join(
            f"{backend}{' (default)' if backend == BACKENDS[0] else ''} "
            + (f"{ratio:.2f}x" if ratio is not None else "-")
            for backend, ratio in ratios.items()
        )

    # The order path is the REST client's work (validation, signing, serialisation, send, parse);
    # the composite adds order tracking and its private stream, which ccxt does not run: shown on its own row.
    for layer, title in (
        ("rest", "order path (REST client): <= 1/3 of ccxt's CPU"),
        ("composite", "order path via the composite (+ tracking, private stream): <= 1/3 of ccxt's CPU"),
    ):
        ratios = {backend: vs_ccxt(labels[layer, backend]) for backend in BACKENDS}
        measured = {backend: ratio for backend, ratio in ratios.items() if ratio is not None}
        if not measured:
            report.targets.append(Target(title, None, "not measured"))
            continue
        best = min(measured, key=lambda backend: measured[backend])
        report.targets.append(Target(title, measured[best] <= 1 / 3, f"{text(ratios)}; best: {best}"))


def row_label(layer: str, backend: str) -> str:
    """The row name: ``ours-<layer>`` for the default backend, ``ours-<layer>-<backend>`` otherwise."""
    return f"ours-{layer}" if backend == BACKENDS[0] else f"ours-{layer}-{backend}"
