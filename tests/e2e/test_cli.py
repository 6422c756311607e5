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
    for venue in ("gateio", "gateio_futures", "mexc"):  # the default venues: live prices from all three
        rows = [line.split() for line in lines if line.startswith(venue + " ")]
        assert {row[1] for row in rows} == {"BTC/USDT", "ETH/USDT"}, result.stdout
        assert rows[-1][-1] == "valid" and rows[-2][-1] == "valid", rows[-2:]
    assert "summary" in lines and any(line.strip().startswith("opportunities seen") for line in lines)
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


def _cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("CEX_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_execute_against_production_needs_credentials_and_a_second_flag() -> None:
    no_keys = _cli("run", "--execute", "--allow-live-trading", "--venues", "gateio", env={"CEX_ENV": "production"})
    assert no_keys.returncode == 2 and "exchanges.gateio.api_key" in no_keys.stderr
    keys = {
        "CEX_ENV": "production",
        "CEX_EXCHANGES__GATEIO__API_KEY": "k" * 32,
        "CEX_EXCHANGES__GATEIO__API_SECRET": "s" * 64,
    }
    no_flag = _cli("run", "--execute", "--venues", "gateio", env=keys)
    assert no_flag.returncode == 2 and "--allow-live-trading" in no_flag.stderr
    assert "k" * 32 not in no_flag.stderr + no_flag.stdout and "s" * 64 not in no_flag.stderr + no_flag.stdout


def test_serve_exposes_live_books_as_json() -> None:
    import json
    import urllib.request

    env = {k: v for k, v in os.environ.items() if not k.startswith("CEX_")}
    with subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", "0", "--duration", "20", "--venues", "gateio"],
        cwd=ROOT,
        env={**env, "CEX_ENV": "testing"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            assert line.startswith("serving http://127.0.0.1:"), line + (proc.stderr.read() if proc.stderr else "")
            base = line.split()[1].rstrip("/")
            books: list[dict[str, object]] = []
            for _ in range(100):
                with urllib.request.urlopen(f"{base}/books", timeout=5) as answer:
                    books = json.loads(answer.read())["books"]
                if books and all(b["valid"] for b in books):
                    break
                import time

                time.sleep(0.1)
            with urllib.request.urlopen(f"{base}/spreads", timeout=5) as answer:
                spreads = json.loads(answer.read())
        finally:
            proc.terminate()
            _out, err = proc.communicate(timeout=20)
    assert books and all(b["valid"] for b in books), books
    assert {b["symbol"] for b in books} == {"BTC/USDT", "ETH/USDT"}
    assert spreads["threshold_bps"] == "5.0"
    assert proc.returncode == 0, err[-2000:]
    assert "Unclosed" not in err and "Task was destroyed" not in err
