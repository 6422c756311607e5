"""Containers: one instance per key, overriding leaf providers, lazy venue imports, credentials rules."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator

import pytest
from dependency_injector import providers
from pytest_mock import MockerFixture

from app.config import AppSettings, validate_settings
from app.errors import CredentialsRequiredError
from containers.application import ApplicationContainer
from containers.factory import shutdown_container

SECRET = "9f8e7d6c5b4a-test-secret"


def _settings(with_credentials: bool) -> AppSettings:
    gate: dict[str, object] = {"rest_url": "http://127.0.0.1:9/api/v4", "ws_url": "ws://127.0.0.1:9/ws/v4/"}
    if with_credentials:
        gate |= {"api_key": "test-key", "api_secret": SECRET}
    return validate_settings({"env": "testing", "exchanges": {"gateio": gate}})


@pytest.fixture
async def container() -> AsyncIterator[ApplicationContainer]:
    c = ApplicationContainer()
    c.core.settings.override(providers.Object(_settings(with_credentials=True)))
    yield c
    await shutdown_container(c)
    c.unwire()


def test_one_instance_per_key(container: ApplicationContainer) -> None:
    public = container.composites("gateio:public")
    assert container.composites("gateio:public") is public
    assert container.composite.gateio_public_composite() is public
    assert container.transports("gateio:public:rest") is container.transport.gateio_public_rest()
    assert container.composites("gateio:private") is not public


def test_overriding_a_leaf_transport_with_a_mock(container: ApplicationContainer, mocker: MockerFixture) -> None:
    from app.exchanges.gateio.spot.rest_public import GateioPublicSpotRest

    fake_rest = mocker.AsyncMock(spec=GateioPublicSpotRest)
    with container.transport.gateio_public_rest.override(providers.Object(fake_rest)):
        assert container.transports("gateio:public:rest") is fake_rest
        loader = container.composite.gateio_private_composite.kwargs["symbol_info_loader"]()
        assert loader == fake_rest.get_exchange_info
    assert container.transports("gateio:public:rest") is not fake_rest


def test_public_objects_hold_no_credentials(container: ApplicationContainer) -> None:
    public = container.composites("gateio:public")
    rest = container.transports("gateio:public:rest")
    for obj in (public, rest):
        config = obj.config if hasattr(obj, "config") else obj._config
        assert not config.has_credentials()
        assert SECRET not in repr(vars(obj))


async def test_private_domain_requires_credentials() -> None:
    c = ApplicationContainer()
    c.core.settings.override(providers.Object(_settings(with_credentials=False)))
    try:
        c.composites("gateio:public")  # public is fine without credentials
        with pytest.raises(CredentialsRequiredError):
            c.transports("gateio:private:rest")
    finally:
        await shutdown_container(c)


async def test_shutdown_closes_owned_objects_and_clears_the_cache(container: ApplicationContainer) -> None:
    first = container.composites("gateio:public")
    registry = container.core.closables()
    assert len(registry) >= 2  # session manager, rest, composite
    await shutdown_container(container)
    assert len(registry) == 0
    assert container.composites("gateio:public") is not first


def test_a_venue_is_imported_only_when_first_created() -> None:
    code = (
        "import sys\n"
        "from dependency_injector import providers\n"
        "from containers.application import ApplicationContainer\n"
        "from app.config import validate_settings\n"
        "mod = 'app.exchanges.gateio.spot.rest_public'\n"
        "assert mod not in sys.modules, 'imported too early'\n"
        "c = ApplicationContainer()\n"
        "c.core.settings.override(providers.Object(validate_settings({'exchanges': {'gateio': "
        "{'rest_url': 'http://127.0.0.1:9/api/v4', 'ws_url': 'ws://127.0.0.1:9/ws/v4/'}}})))\n"
        "c.transports('gateio:public:rest')\n"
        "assert mod in sys.modules\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
