"""Process plumbing for the orchestrator: start the stream server, run one client, parse its result."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.common import RESULT_PREFIX, RunResult

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
PROJECT_PYTHON = sys.executable
CLIENT_TIMEOUT_S = 300


def bench_python() -> str | None:
    """The benchmark environment's interpreter (ccxt, orjson), set by ``scripts/bench``."""
    path = os.environ.get("BENCH_PYTHON")
    return path if path and Path(path).exists() else None


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SCRIPTS), str(ROOT)])
    return env


@contextmanager
def stream_server(stream: str, messages: int, *, symbols: int = 1, rate: float = 0.0) -> Iterator[dict[str, Any]]:
    """Start ``benchmarks.server`` in its own process; yields its info; stops it by closing its stdin."""
    cmd = [PROJECT_PYTHON, "-m", "benchmarks.server", "--stream", stream, "--messages", str(messages)]
    cmd += ["--symbols", str(symbols), "--rate", str(rate)]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=_env(), cwd=ROOT)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"stream server for {stream} did not start")
        yield json.loads(line)
    finally:
        if proc.stdin is not None:
            proc.stdin.close()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run_client(python: str | None, module: str, *args: str, label: str, stream: str) -> RunResult:
    """Run ``python -m module args...``; returns its parsed result (or a failed one)."""
    if python is None:
        return RunResult(client=label, stream=stream, detail="skipped: no benchmark environment")
    try:
        proc = subprocess.run(
            [python, "-m", module, *args],
            capture_output=True,
            text=True,
            timeout=CLIENT_TIMEOUT_S,
            env=_env(),
            cwd=ROOT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return RunResult(client=label, stream=stream, detail=f"timed out after {CLIENT_TIMEOUT_S}s")
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT_PREFIX):
            return RunResult.parse(line)
    tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
    return RunResult(client=label, stream=stream, detail=f"exit {proc.returncode}: {' | '.join(tail)}"[:300])


def median_result(results: list[RunResult]) -> RunResult:
    """The run with the median CPU per message among the verified ones (else the first)."""
    good = [r for r in results if r.messages > 0 and r.verified]
    if not good:
        return results[0]
    good.sort(key=lambda r: r.cpu_us_per_msg)
    chosen = good[len(good) // 2]
    chosen.extra["runs"] = len(results)
    chosen.extra["cpu_us_all"] = [round(r.cpu_us_per_msg, 2) for r in results if r.messages]
    return chosen
