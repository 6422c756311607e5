"""The functional API's cache-hit shortcut: hits still counted by the middleware, stale shortcuts never used."""

from __future__ import annotations

import pytest
from dependency_injector import providers

from app.config import ExchangeConfig
from app.domain.enums import ExchangeEnum
from app.errors import ConfigurationError, UnsupportedExchangeError
from containers import factory

pytestmark = pytest.mark.usefixtures("fresh_factory")


def _config(rest_url: str = "http://127.0.0.1:9/api/v4") -> ExchangeConfig:
    return ExchangeConfig.model_validate(
        {"name": "gateio", "rest_url": rest_url, "ws_url": "ws://127.0.0.1:9/ws/v4/", "api_key": "k", "api_secret": "s"}
    )


def _counts(key: str) -> tuple[int, int]:
    figures = factory.get_factory_health().keys[key]
    return figures["hits"], figures["misses"]


def test_every_shortcut_hit_is_counted_by_the_middleware() -> None:
    config = _config()
    first = factory.create_composite_exchange(ExchangeEnum.GATEIO, config)
    for _ in range(5):
        assert factory.create_composite_exchange(ExchangeEnum.GATEIO, config) is first
    assert factory.create_composite_exchange("gateio", None) is first  # another call shape, same instance
    rest = factory.create_rest_client(ExchangeEnum.GATEIO, config, is_private=False)
    assert factory.create_rest_client(ExchangeEnum.GATEIO, config, is_private=False) is rest
    assert _counts("gateio:public") == (6, 1)
    assert _counts("gateio:public:rest")[0] >= 1  # the composite's own lookup may also hit it


def test_a_config_for_another_venue_is_still_refused_after_a_hit() -> None:
    config = _config()
    factory.create_composite_exchange(ExchangeEnum.GATEIO, config)
    mexc = ExchangeConfig.model_validate({"name": "mexc", "rest_url": "http://127.0.0.1:9", "ws_url": "ws://x/ws"})
    with pytest.raises(ConfigurationError):
        factory.create_composite_exchange(ExchangeEnum.GATEIO, mexc)


async def test_close_all_forgets_the_shortcut_so_the_next_config_is_bound() -> None:
    config = _config()
    first = factory.create_composite_exchange(ExchangeEnum.GATEIO, config)
    await factory.close_all_exchanges()
    other = _config("http://127.0.0.1:8/api/v4")
    second = factory.create_composite_exchange(ExchangeEnum.GATEIO, other)
    assert second is not first
    assert second.config.rest_url == other.rest_url  # the public composite gets a credential-free copy


def test_a_changed_config_binding_or_reset_singleton_bypasses_the_shortcut() -> None:
    config = _config()
    first = factory.create_composite_exchange(ExchangeEnum.GATEIO, config)
    container = factory.get_container()
    replacement = _config("http://127.0.0.1:7/api/v4")
    container.transport.gateio_config.override(providers.Object(replacement))
    container.composite.gateio_public_composite_raw.reset()
    rebuilt = factory.create_composite_exchange(ExchangeEnum.GATEIO, config)
    assert rebuilt is not first
    assert rebuilt.config.rest_url == replacement.rest_url
    assert _counts("gateio:public") == (0, 2)


def test_overriding_the_provider_is_honoured_on_the_hit_path() -> None:
    config = _config()
    factory.create_composite_exchange(ExchangeEnum.GATEIO, config)
    fake = object()
    container = factory.get_container()
    container.composite.gateio_public_composite.override(providers.Object(fake))
    try:
        assert factory.create_composite_exchange(ExchangeEnum.GATEIO, config) is fake
    finally:
        container.composite.gateio_public_composite.reset_override()


def test_a_new_container_is_never_served_from_the_old_shortcut() -> None:
    config = _config()
    first = factory.create_composite_exchange(ExchangeEnum.GATEIO, config)
    factory.set_container(None)
    assert factory.create_composite_exchange(ExchangeEnum.GATEIO, config) is not first


def test_odd_arguments_are_still_checked_not_cached_wrongly() -> None:
    config = _config()
    with pytest.raises(UnsupportedExchangeError):
        factory.create_composite_exchange(["gateio"], config)  # type: ignore[arg-type]
    private = factory.create_composite_exchange(ExchangeEnum.GATEIO, config, is_private=True)
    assert factory.create_composite_exchange(ExchangeEnum.GATEIO, config, is_private=1) is private  # type: ignore[arg-type]
    assert factory.create_composite_exchange(ExchangeEnum.GATEIO, config, is_private=False) is not private
