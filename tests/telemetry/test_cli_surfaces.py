"""`cex-arb health` and `cex-arb run --serve-port` as a user starts them (development: embedded simulator)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from app.telemetry.health_command import format_table

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "CEX_ENV": "development", "PYTHONWARNINGS": "error::ResourceWarning"}


def test_health_json_reports_ready_and_exits_zero() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "dev", "-m", "app.cli", "health", "--json", "--symbols", "BTC/USDT"],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr[-3000:] + result.stdout[-3000:]
    data = json.loads(result.stdout)
    assert data["ready"] is True and data["live"] is True and data["startup_errors"] == []
    keys = {check["key"]: check for check in data["keys"]}
    assert keys["gateio:public"]["books_valid"] is True and keys["gateio:private"]["authenticated"] is True
    assert "gateio" in data["factory"]["supported_exchanges"] and data["factory"]["average_creation_time"] > 0
    assert "Unclosed" not in result.stderr and "Task was destroyed" not in result.stderr
    table = format_table(data)
    assert table.splitlines()[0].endswith("READY, live=yes") and "gateio:public:ws" in table


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_run_serves_health_and_metrics_while_it_runs() -> None:
    port = _free_port()
    command = [sys.executable, "-m", "app.cli", "run", "--duration", "6", "--plain", "--serve-port", str(port)]
    with subprocess.Popen(
        command, cwd=ROOT, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        try:
            deadline = time.monotonic() + 20
            health: tuple[int, str] = (0, "")
            while time.monotonic() < deadline:
                try:
                    health = _get(f"http://127.0.0.1:{port}/health")
                except OSError:
                    health = (0, "")
                if health[0] == 200:
                    break
                time.sleep(0.2)
            assert health[0] == 200, health
            assert json.loads(health[1])["ready"] is True
            status, metrics = _get(f"http://127.0.0.1:{port}/metrics")
            assert (
                status == 200 and "cex_ws_messages_total" in metrics and "cex_rest_duration_seconds_bucket" in metrics
            )
        finally:
            _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr[-3000:]
