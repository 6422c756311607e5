"""The simulator's fault model: settings, per-venue merge, run-time switching over ``/__sim/faults``."""

from __future__ import annotations

import aiohttp
import pytest

from app.config import validate_settings
from app.errors import ConfigurationError
from app.simulator import ExchangeSimulator
from app.simulator.faults import ADMIN_PATH, FaultPlan, FaultSpec, RestFault, parse_plan
from tests.waiting import eventually


def test_a_plan_merges_all_with_each_venue_section() -> None:
    plan = parse_plan({"seed": 3, "all": {"gap_rate": 0.1, "drop_every_s": 5}, "mexc": {"gap_rate": 0.5}})
    assert plan.spec_for("mexc") == FaultSpec(gap_rate=0.5, drop_every_s=5)
    assert plan.spec_for("gateio") == FaultSpec(gap_rate=0.1, drop_every_s=5)
    assert parse_plan(None) == FaultPlan(enabled=False) and not FaultSpec().active


def test_bad_fault_settings_are_a_configuration_error_naming_the_key() -> None:
    with pytest.raises(ConfigurationError, match="gap_rate"):
        validate_settings({"exchanges": {}, "simulator": {"faults": {"all": {"gap_rate": 2}}}})
    with pytest.raises(ConfigurationError, match=r"simulator\.faults"):
        validate_settings({"exchanges": {}, "simulator": {"faults": {"gateio": {"no_such_fault": 1}}}})
    settings = validate_settings({"exchanges": {}, "simulator": {"faults": {"all": {"http_5xx_rate": 0.1}}}})
    assert parse_plan(settings.simulator.faults).spec_for("mexc").http_5xx_rate == 0.1


async def test_faults_from_the_constructor_reach_every_venue() -> None:
    sim = ExchangeSimulator(faults={"all": {"http_429_rate": 1.0}, "mexc": {"http_429_rate": 0.0}})
    assert sim.gateio.faults.rest_fault() is RestFault.TOO_MANY_REQUESTS
    assert sim.mexc.faults.rest_fault() is RestFault.NONE
    with pytest.raises(ValueError, match="unknown venues"):
        sim.faults.apply({"binance": {"gap_rate": 0.1}})


async def test_the_admin_endpoint_switches_faults_at_run_time(simulator: ExchangeSimulator) -> None:
    url = f"http://{simulator.host}:{simulator.port}{ADMIN_PATH}"
    async with aiohttp.ClientSession() as http:
        async with http.post(url, json={"venues": {"gateio": {"http_5xx_rate": 1.0}}}) as reply:
            assert reply.status == 200
            assert (await reply.json())["venues"]["gateio"]["spec"] == {"http_5xx_rate": 1.0}
        async with http.get(simulator.endpoints["gateio"].rest_url + "/spot/time") as reply:
            assert reply.status == 502 and (await reply.json())["label"] == "SERVER_ERROR"
        async with http.post(url, json={"venues": {"all": {"gap_rate": 5}}}) as reply:
            assert reply.status == 400 and "gap_rate" in (await reply.json())["error"]
        async with http.post(url, json={"actions": [{"venue": "mexc", "action": "restart"}]}) as reply:
            assert reply.status == 200
        assert not simulator.mexc.faults.accepting_connections()
        async with http.get(simulator.endpoints["mexc"].rest_url + "/api/v3/time") as reply:
            assert reply.status == 503
        async with http.delete(url) as reply:
            assert reply.status == 200 and (await reply.json())["plan"] == {"enabled": False}
        async with http.get(simulator.endpoints["gateio"].rest_url + "/spot/time") as reply:
            assert reply.status == 200
        async with http.get(url) as reply:
            injected = (await reply.json())["venues"]
            assert injected["gateio"]["injected"]["http_5xx"] == 1 and injected["mexc"]["injected"]["restart"] == 1


async def test_suspending_stops_every_fault_and_the_clock_skew(simulator: ExchangeSimulator) -> None:
    simulator.faults.apply({"clock_skew_s": 90.0, "all": {"http_429_rate": 1.0}})
    await eventually(lambda: simulator.clock.offset_s == 90.0, what="the skew applied by the fault controller")
    simulator.faults.suspend(True)
    assert simulator.gateio.faults.rest_fault() is RestFault.NONE and simulator.clock.offset_s == 0.0
    simulator.faults.suspend(False)
    assert simulator.gateio.faults.rest_fault() is RestFault.TOO_MANY_REQUESTS
