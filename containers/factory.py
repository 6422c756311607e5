"""The functional factory API, thin over one process-wide :class:`ApplicationContainer`.

```python
public = create_public_composite_exchange(ExchangeEnum.GATEIO, config)
await public.initialize(["BTC/USDT"])
...
await close_all_exchanges()
```
A cache hit returns the same instance; ``use_cache=False`` returns a fresh one (also closed by
:func:`close_all_exchanges`). The first config given for an exchange is the one its cached objects use
until :func:`close_all_exchanges`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dependency_injector import providers

from app.config import AppSettings, ExchangeConfig
from app.domain.enums import Domain, ExchangeEnum
from app.domain.handlers import (
    PrivateWebsocketHandlers,
    PublicWebsocketHandlers,
    require_private,
    require_public,
)
from app.errors import ConfigurationError, UnsupportedExchangeError
from containers.application import ApplicationContainer
from containers.middleware import Decorated
from containers.ownership import ClosableRegistry

if TYPE_CHECKING:
    from app.middleware.health import FactoryHealthStatus, HealthReport

_container: ApplicationContainer | None = None


def get_container() -> ApplicationContainer:
    """Return the process-wide container (created on first use)."""
    global _container
    if _container is None:
        _container = ApplicationContainer()
    return _container


def set_container(container: ApplicationContainer | None) -> None:
    """Replace the process-wide container (host applications and tests)."""
    global _container
    _container = container
    _forget_resolved()


class _Resolved:
    """A cache-hit shortcut for one (exchange as given, domain): the config it was validated with and the
    provider it resolved to. Valid while the container and the config binding are the ones it saw; the
    middleware chain still sees every call, so hits are counted and a reset singleton is rebuilt."""

    __slots__ = ("binding", "config", "config_provider", "container", "get", "provider")

    def __init__(
        self,
        container: ApplicationContainer,
        config: ExchangeConfig | None,
        config_provider: providers.Provider[Any],
        provider: providers.Provider[Any],
    ) -> None:
        self.container = container
        self.config = config
        self.config_provider = config_provider
        self.binding = config_provider.last_overriding
        self.provider = provider
        self.get: Callable[[], Any] = provider.provide_hit if isinstance(provider, Decorated) else provider


# [is_private][exchange as given] -> shortcut, per function. Measured in scripts/bench: the checks and the
# container attribute walk cost 6-8 us per call; the shortcut is a dict lookup plus the chain's hit path.
_rest_clients: tuple[dict[object, _Resolved], dict[object, _Resolved]] = ({}, {})
_composites: tuple[dict[object, _Resolved], dict[object, _Resolved]] = ({}, {})
_SHORTCUTS = (*_rest_clients, *_composites)


def _forget_resolved() -> None:
    for shortcuts in _SHORTCUTS:
        shortcuts.clear()


def _remember(
    shortcuts: dict[object, _Resolved],
    exchange: object,
    ex: ExchangeEnum,
    config: ExchangeConfig | None,
    provider: providers.Provider[Any],
) -> None:
    container = get_container()
    config_provider: providers.Provider[Any] = getattr(container.transport, f"{ex.value}_config")
    shortcuts[exchange] = _Resolved(container, config, config_provider, provider)


_supported: tuple[object, list[ExchangeEnum]] | None = None  # (container, its venues): asked on every call


def get_supported_exchanges() -> list[ExchangeEnum]:
    """Exchanges that have a venue implementation wired into the containers."""
    global _supported
    container = get_container()
    if _supported is None or _supported[0] is not container:  # scanning the providers cost ~5 us per call
        transport = container.transport
        _supported = (container, [ex for ex in ExchangeEnum if hasattr(transport, f"{ex.value}_public_rest")])
    return list(_supported[1])


def _exchange(exchange: ExchangeEnum | str) -> ExchangeEnum:
    try:
        ex = ExchangeEnum(exchange.lower() if isinstance(exchange, str) else exchange)
    except ValueError:
        raise UnsupportedExchangeError(f"unknown exchange {exchange!r}") from None
    if ex not in get_supported_exchanges():
        raise UnsupportedExchangeError(f"{ex.value} is not supported yet; supported: {get_supported_exchanges()}")
    return ex


def _bind(exchange: ExchangeEnum, config: ExchangeConfig | None) -> providers.Provider[Any]:
    """Point the exchange's config provider at ``config`` (first one wins while objects are cached)."""
    config_provider: providers.Provider[Any] = getattr(get_container().transport, f"{exchange.value}_config")
    if config is not None:
        if not isinstance(config, ExchangeConfig):
            raise ConfigurationError(f"config must be an ExchangeConfig, got {type(config).__name__}")
        if config.name is not exchange:
            raise ConfigurationError(f"config is for {config.name.value}, not {exchange.value}", key="name")
        if not config_provider.overridden:
            config_provider.override(providers.Object(config))
    return config_provider


def _provider(group: str, name: str) -> providers.Provider[Any]:
    return getattr(getattr(get_container(), group), name)  # type: ignore[no-any-return]


def _fresh(provider: providers.Provider[Any], **kwargs: Any) -> Any:
    """Build a new instance with the same recipe as a cached Singleton (``use_cache=False``)."""
    if isinstance(provider, Decorated):  # the fresh raw instance still goes through the middleware
        return provider.decorate_instance(_fresh(provider.inner, **kwargs))
    recipe = providers.Factory(provider.provides, *provider.args, **{**provider.kwargs, **kwargs})  # type: ignore[attr-defined]
    return recipe()


def create_rest_client(
    exchange: ExchangeEnum | str,
    config: ExchangeConfig | None,
    is_private: bool,
    logger: logging.Logger | None = None,
) -> Any:
    """Return the cached REST client for (exchange, public|private)."""
    if logger is None:
        try:
            known = (_rest_clients[1] if is_private else _rest_clients[0]).get(exchange)
        except TypeError:  # an unhashable exchange: the checks below refuse it
            known = None
        if (  # the hit path: still the container and config binding it was resolved (and checked) with
            known is not None
            and known.container is _container
            and (config is None or config is known.config)
            and known.config_provider.last_overriding is known.binding
        ):
            return known.get()
    ex = _exchange(exchange)
    _bind(ex, config)
    domain = Domain.PRIVATE if is_private else Domain.PUBLIC
    provider = _provider("transport", f"{ex.value}_{domain.value}_rest")
    if logger is not None:
        return provider(logger=logger)
    instance = provider()
    _remember(_rest_clients[1 if is_private else 0], exchange, ex, config, provider)
    return instance


def create_websocket_client(
    exchange: ExchangeEnum | str,
    config: ExchangeConfig | None,
    handlers: PublicWebsocketHandlers | PrivateWebsocketHandlers,
    is_private: bool,
) -> Any:
    """Return a new WebSocket client with ``handlers`` (public or private bundle, checked)."""
    ex = _exchange(exchange)
    handlers = require_private(handlers) if is_private else require_public(handlers)
    _bind(ex, config)
    domain = Domain.PRIVATE if is_private else Domain.PUBLIC
    return _provider("transport", f"{ex.value}_{domain.value}_ws")(handlers=handlers)


def create_composite_exchange(
    exchange: ExchangeEnum | str,
    config: ExchangeConfig | None,
    is_private: bool = False,
    use_cache: bool = True,
) -> Any:
    """Return the composite exchange for (exchange, public|private); cached unless ``use_cache=False``."""
    if use_cache:
        try:
            known = (_composites[1] if is_private else _composites[0]).get(exchange)
        except TypeError:  # an unhashable exchange: the checks below refuse it
            known = None
        if (  # the hit path: still the container and config binding it was resolved (and checked) with
            known is not None
            and known.container is _container
            and (config is None or config is known.config)
            and known.config_provider.last_overriding is known.binding
        ):
            return known.get()
    ex = _exchange(exchange)
    config_provider = _bind(ex, config)
    domain = Domain.PRIVATE if is_private else Domain.PUBLIC
    if is_private:
        config_provider().require_credentials()
    provider = _provider("composite", f"{ex.value}_{domain.value}_composite")
    if not use_cache:
        return _fresh(provider)
    instance = provider()
    _remember(_composites[1 if is_private else 0], exchange, ex, config, provider)
    return instance


def create_public_composite_exchange(exchange: ExchangeEnum | str, config: ExchangeConfig | None) -> Any:
    """Return the cached public composite (market data; holds no credentials)."""
    return create_composite_exchange(exchange, config, is_private=False)


def create_private_composite_exchange(exchange: ExchangeEnum | str, config: ExchangeConfig | None) -> Any:
    """Return the cached private composite; raises ``CredentialsRequiredError`` without credentials."""
    return create_composite_exchange(exchange, config, is_private=True)


def create_exchange_pair(exchange: ExchangeEnum | str, config: ExchangeConfig | None) -> tuple[Any, Any]:
    """Return ``(public, private)`` composites for one exchange."""
    return (
        create_public_composite_exchange(exchange, config),
        create_private_composite_exchange(exchange, config),
    )


def get_factory_health() -> FactoryHealthStatus:
    """``FactoryHealthStatus(supported_exchanges, cache_efficiency, average_creation_time, error_rate)``,
    with per-key lookup figures in ``.keys``."""
    exchanges = [ex.value for ex in get_supported_exchanges()]
    health: Any = get_container().core.health()
    return health.factory_health(exchanges)  # type: ignore[no-any-return]


def get_health_report() -> HealthReport:
    """Liveness, readiness and per-key checks of everything created through this API."""
    exchanges = [ex.value for ex in get_supported_exchanges()]
    health: Any = get_container().core.health()
    return health.report(exchanges)  # type: ignore[no-any-return]


def use_settings(settings: AppSettings) -> None:
    """Make the process-wide container read ``settings`` (instead of loading ``settings/``)."""
    get_container().core.settings.override(providers.Object(settings))
    _forget_resolved()


async def shutdown_container(container: ApplicationContainer) -> None:
    """Close everything the container created (newest first), then drop cached instances."""
    _forget_resolved()
    registry: ClosableRegistry = container.core.closables()
    await registry.aclose()
    container.reset_singletons()
    await _maybe_await(container.shutdown_resources())


async def close_all_exchanges() -> None:
    """Close every client and session created through this API, clear the caches and config bindings."""
    container = get_container()
    await shutdown_container(container)
    for ex in get_supported_exchanges():
        getattr(container.transport, f"{ex.value}_config").reset_override()
    _forget_resolved()


async def _maybe_await(value: Any) -> None:
    if value is not None and hasattr(value, "__await__"):
        await value
