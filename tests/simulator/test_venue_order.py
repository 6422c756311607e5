"""The venues start in any order: both Gate venues answer, and an unknown path gets Gate's 404, whichever
venue mounted its routes first."""

from __future__ import annotations

import aiohttp
import pytest

from app.domain.enums import ExchangeEnum
from app.simulator import ExchangeSimulator


@pytest.mark.parametrize("venues", [("gateio", "gateio_futures"), ("gateio_futures", "gateio")])
async def test_gate_spot_and_futures_start_in_either_order(venues: tuple[str, str]) -> None:
    async with ExchangeSimulator(venues=venues, tick_interval_s=0.05) as sim:
        spot = sim.exchange_config(ExchangeEnum.GATEIO).rest_url
        futures = sim.exchange_config(ExchangeEnum.GATEIO_FUTURES).rest_url
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{spot}/spot/currency_pairs/BTC_USDT") as response:
                assert response.status == 200 and (await response.json())["id"] == "BTC_USDT"
            async with http.get(f"{futures}/futures/usdt/contracts/BTC_USDT") as response:
                assert response.status == 200 and (await response.json())["name"] == "BTC_USDT"
            async with http.get(f"{spot}/spot/no_such_endpoint") as response:
                assert response.status == 404 and (await response.json())["label"] == "NOT_FOUND"
