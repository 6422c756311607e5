"""Health per key against the simulator: ready, unready while a stream is down, ready after the
reconnect; stale streams by the venue's threshold; rejected credentials; the factory figures."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from app.errors import AuthenticationError
from app.middleware.health import HealthReport
from app.simulator import ExchangeSimulator
from containers.application import ApplicationContainer
from containers.factory import shutdown_container
from tests.middleware.helpers import eventually, make_container, settings_for


def report_of(container: ApplicationContainer) -> HealthReport:
    report: HealthReport = container.core.health().report(["gateio"])
    return report


def by_key(report: HealthReport) -> dict[str, object]:
    return {check.key: check for check in report.keys}


async def start_both(container: ApplicationContainer) -> None:
    public = container.composites("gateio:public")
    await public.initialize(["BTC/USDT"])
    assert await public.wait_ready(5)
    await container.composites("gateio:private").initialize(["BTC/USDT"])


async def test_nothing_created_is_not_ready(container: ApplicationContainer) -> None:
    report = report_of(container)
    assert report.live and not report.ready and report.keys == []


async def test_unready_while_a_stream_is_down_and_ready_after_the_reconnect(
    container: ApplicationContainer, simulator: ExchangeSimulator
) -> None:
    await start_both(container)
    report = report_of(container)
    assert report.ready, [(c.key, c.reasons) for c in report.keys]
    checks = by_key(report)
    public = checks["gateio:public"]
    assert public.created and public.connected and public.books_valid and public.stream_fresh  # type: ignore[attr-defined]
    assert checks["gateio:private"].authenticated is True  # type: ignore[attr-defined]
    assert checks["gateio:private:rest"].error_rate == 0.0  # type: ignore[attr-defined]

    seen: list[HealthReport] = []

    def unready() -> bool:
        seen.append(report_of(container))
        return not seen[-1].ready

    await simulator.gateio.faults.drop_ws_connections(abrupt=True)
    await eventually(unready, timeout_s=3.0, interval_s=0.002)
    unhealthy = [check for check in seen[-1].keys if not check.healthy]
    assert unhealthy and all(check.reasons for check in unhealthy)
    assert any(check.connected is False or check.books_valid is False for check in unhealthy)

    await eventually(lambda: report_of(container).ready, timeout_s=5.0)
    again = by_key(report_of(container))
    assert again["gateio:public"].books_valid and again["gateio:public:ws"].connected  # type: ignore[attr-defined]


async def test_a_stream_older_than_the_venue_threshold_is_not_fresh(simulator: ExchangeSimulator) -> None:
    container = make_container(settings_for(simulator, stream_max_age_by_venue={"gateio": 1e-9}))
    try:
        public = container.composites("gateio:public")
        await public.initialize(["BTC/USDT"])
        check = by_key(report_of(container))["gateio:public:ws"]
        assert check.stream_fresh is False and not check.healthy  # type: ignore[attr-defined]
        assert any("no stream message" in reason for reason in check.reasons)  # type: ignore[attr-defined]
    finally:
        await shutdown_container(container)


async def test_rejected_credentials_make_the_private_key_unauthenticated(simulator: ExchangeSimulator) -> None:
    settings = settings_for(simulator)
    gate = settings.exchange("gateio")
    wrong = gate.model_copy(update={"credentials": gate.credentials.model_copy(update={"api_secret": SecretStr("x")})})
    container = make_container(settings.with_exchange(wrong))
    try:
        rest = container.transports("gateio:private:rest")
        with pytest.raises(AuthenticationError):
            await rest.get_balance()
        check = by_key(report_of(container))["gateio:private:rest"]
        assert check.authenticated is False and "authentication rejected" in check.reasons  # type: ignore[attr-defined]
    finally:
        await shutdown_container(container)


async def test_factory_figures(container: ApplicationContainer, simulator: ExchangeSimulator) -> None:
    await start_both(container)
    for _ in range(8):
        container.composites("gateio:public")
    factory = container.core.health().factory_health(["gateio"])
    assert factory.supported_exchanges == ["gateio"]
    assert 0 < factory.cache_efficiency < 1
    assert factory.average_creation_time > 0 and factory.error_rate == 0
    assert factory.keys["gateio:public"]["hits"] == 8 and factory.keys["gateio:public"]["misses"] == 1
