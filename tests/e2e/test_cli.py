"""The main job end to end: `cex-arb run` against the embedded simulator, as a user starts it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_run_shows_live_best_bid_ask_for_two_symbols_and_shuts_down_cleanly() -> None:
    env = {**os.environ, "CEX_ENV": "development", "PYTHONWARNINGS": "error::ResourceWarning"}
    result = subprocess.run(
        [sys.executable, "-X", "dev", "-m", "app.cli", "run", "--duration", "2.5"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    btc = [line for line in lines if line.startswith("gateio") and "BTC/USDT" in line]
    eth = [line for line in lines if line.startswith("gateio") and "ETH/USDT" in line]
    assert btc and eth, result.stdout
    assert "valid" in btc[-1] and "valid" in eth[-1]
    assert "Unclosed" not in result.stderr
    assert "Task was destroyed" not in result.stderr


def test_simulator_json_prints_one_line_keyed_by_venue() -> None:
    import json

    with subprocess.Popen(
        [sys.executable, "-m", "app.cli", "simulator", "--json", "--seed", "3"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            data = json.loads(proc.stdout.readline())
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    gate = data["gateio"]
    assert gate["rest_url"].startswith("http://127.0.0.1:")
    assert gate["ws_url"].startswith("ws://127.0.0.1:")
    assert gate["api_key"] and gate["api_secret"]
