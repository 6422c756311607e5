"""Simulator lifecycle, config hand-off and the standalone entry point."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json

import aiohttp
import pytest

from app.domain.enums import ExchangeEnum
from app.errors import UnsupportedExchangeError
from app.simulator import ExchangeSimulator
from app.simulator.standalone import serve


async def test_exchange_config_points_at_the_simulator(simulator: ExchangeSimulator) -> None:
    endpoints = simulator.endpoints["gateio"]
    assert endpoints.rest_url == f"http://127.0.0.1:{simulator.port}/api/v4"
    assert endpoints.ws_url == f"ws://127.0.0.1:{simulator.port}/ws/v4/"
    assert len(endpoints.api_key) == 32 and len(endpoints.api_secret) == 64 and endpoints.uid == "10000001"
    assert endpoints.api_secret not in repr(endpoints) and endpoints.api_key not in repr(endpoints)
    config = simulator.exchange_config(ExchangeEnum.GATEIO)
    assert (config.rest_url, config.ws_url) == (endpoints.rest_url, endpoints.ws_url)
    assert config.credentials.api_secret is not None
    assert config.credentials.api_secret.get_secret_value() == endpoints.api_secret
    assert config.credentials.uid == "10000001"
    tuned = simulator.exchange_config(ExchangeEnum.GATEIO, config.model_copy(update={"book_depth": 20}))
    assert tuned.book_depth == 20 and tuned.rest_url == endpoints.rest_url
    with pytest.raises(UnsupportedExchangeError):  # a venue this simulator does not run
        ExchangeSimulator(venues=("gateio",)).exchange_config(ExchangeEnum.MEXC)


async def test_credentials_are_deterministic_per_seed() -> None:
    async with (
        ExchangeSimulator(seed=11) as one,
        ExchangeSimulator(seed=11) as two,
        ExchangeSimulator(seed=12) as three,
    ):
        assert one.endpoints["gateio"].api_key == two.endpoints["gateio"].api_key
        assert one.endpoints["gateio"].api_key != three.endpoints["gateio"].api_key
        assert one.port != two.port


async def test_stop_is_idempotent_and_frees_the_port() -> None:
    sim = ExchangeSimulator()
    await sim.start()
    url = sim.endpoints["gateio"].rest_url
    await sim.stop()
    await sim.stop()
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.get(url + "/spot/time")


def test_unknown_venue_is_refused() -> None:
    with pytest.raises(UnsupportedExchangeError):
        ExchangeSimulator(venues=("binance",))


@pytest.mark.parametrize("as_json", [True, False])
async def test_standalone_prints_endpoints_until_cancelled(as_json: bool) -> None:
    out = io.StringIO()
    task = asyncio.create_task(serve("127.0.0.1", 0, 7, as_json, out=out))
    for _ in range(100):
        if out.getvalue():
            break
        await asyncio.sleep(0.02)
    text = out.getvalue()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    if as_json:
        gateio = json.loads(text.strip())["gateio"]
        assert set(gateio) == {"rest_url", "ws_url", "api_key", "api_secret", "uid"}
    else:
        assert "rest_url" in text and "api_secret" in text and "/ws/v4/" in text
