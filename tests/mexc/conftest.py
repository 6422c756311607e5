"""MEXC fixtures: recorded payloads, and the venue of ``tests/venue_fixtures.py`` (a simulator running MEXC
only, its config with short timeouts, the real clients and composites over loopback)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.domain.symbol import Symbol
from tests.venue_fixtures import MEXC_SPOT, VenueKit

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mexc"
BTC = Symbol("BTC", "USDT")
ETH = Symbol("ETH", "USDT")


def fixture_bytes(name: str) -> bytes:
    """A REST fixture's raw bytes (``rest/depth.json``) or a WS frame (``ws/aggre_depth.hex``, decoded)."""
    raw = (FIXTURES / name).read_text().strip()
    return bytes.fromhex(raw) if name.endswith(".hex") else raw.encode()


def fixture_json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture
def venue_kit() -> VenueKit:
    return MEXC_SPOT
