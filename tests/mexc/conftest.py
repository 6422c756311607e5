"""MEXC fixtures: a simulator running MEXC only, configs pointed at it, the real clients over loopback."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from app.config import ExchangeConfig
from app.domain.enums import ExchangeEnum
from app.domain.symbol import Symbol
from app.exchanges.mexc.spot.rest_private import MexcPrivateSpotRest
from app.exchanges.mexc.spot.rest_public import MexcPublicSpotRest
from app.simulator import ExchangeSimulator
from app.simulator.mexc.venue import MexcSpotVenue
from app.transport.session import HttpSessionManager

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
async def mexc_sim() -> AsyncIterator[ExchangeSimulator]:
    """A started simulator serving MEXC only (fast ticks)."""
    async with ExchangeSimulator(venues=("mexc",), tick_interval_s=0.02) as sim:
        yield sim


@pytest.fixture
def venue(mexc_sim: ExchangeSimulator) -> MexcSpotVenue:
    return mexc_sim.mexc


@pytest.fixture
def mexc_config(mexc_sim: ExchangeSimulator) -> ExchangeConfig:
    """MEXC settings pointed at the simulator with short timeouts and reconnect delays."""
    return mexc_sim.exchange_config(ExchangeEnum.MEXC).model_copy(
        update={
            "request_timeout_s": 2.0,
            "ws_reconnect_max_delay_s": 0.2,
            "book_depth": 50,
            "max_retries": 0,
            "ws_ping_interval_s": 0.5,
        }
    )


@pytest.fixture
async def sessions() -> AsyncIterator[HttpSessionManager]:
    manager = HttpSessionManager()
    yield manager
    await manager.close()


@pytest.fixture
async def public_rest(mexc_config: ExchangeConfig, sessions: HttpSessionManager) -> AsyncIterator[MexcPublicSpotRest]:
    rest = MexcPublicSpotRest(mexc_config.public_view(), sessions)
    yield rest
    await rest.close()


@pytest.fixture
async def private_rest(
    mexc_config: ExchangeConfig, sessions: HttpSessionManager, public_rest: MexcPublicSpotRest
) -> AsyncIterator[MexcPrivateSpotRest]:
    rest = MexcPrivateSpotRest(mexc_config, sessions)
    rest.set_symbol_info(await public_rest.get_exchange_info())
    yield rest
    await rest.close()
