"""Transport container: the HTTP session owner and the per-venue REST / WebSocket clients.

Keys: ``<exchange>_<domain>_<type>``. REST clients are Singletons (one per exchange and domain);
WebSocket clients are Factories called with ``handlers=...`` (each consumer brings its own handler
bundle), owned and closed by whoever asked for them, and by the registry at shutdown.

Middleware: each ``<key>`` provider is ``Decorated(<key>_raw, "<venue>:<domain>:<rest|ws>", core.middleware)``;
``*_raw`` builds the venue object, the decorated one (used by everything else) adds performance
monitoring, health and tracing (see ``containers/middleware.py``). A new venue block copies the pattern.
"""

from dependency_injector import containers, providers

from app.config import AppSettings, ExchangeConfig
from app.domain.enums import ExchangeEnum
from app.transport.clock import ServerClock
from containers.middleware import Decorated
from containers.ownership import build


class TransportContainer(containers.DeclarativeContainer):
    """Transports per exchange and domain."""

    core = providers.DependenciesContainer()

    http_sessions = providers.Singleton(build, core.closables, "app.transport.session:HttpSessionManager")

    # --- Gate.io spot -----------------------------------------------------------------------------
    gateio_config = providers.Callable(AppSettings.exchange, core.settings, ExchangeEnum.GATEIO)
    gateio_public_config = providers.Callable(ExchangeConfig.public_view, gateio_config)
    gateio_clock = providers.Singleton(ServerClock)  # server-time offset shared by signed REST and WS auth
    gateio_public_rest_raw = providers.Singleton(
        build,
        core.closables,
        "app.exchanges.gateio.spot.rest_public:GateioPublicSpotRest",
        config=gateio_public_config,
        sessions=http_sessions,
    )
    gateio_private_rest_raw = providers.Singleton(
        build,
        core.closables,
        "app.exchanges.gateio.spot.rest_private:GateioPrivateSpotRest",
        config=gateio_config,
        sessions=http_sessions,
        clock=gateio_clock,
    )
    gateio_public_ws_raw = providers.Factory(
        build,
        core.closables,
        "app.exchanges.gateio.spot.ws_public:GateioPublicSpotWebsocket",
        config=gateio_public_config,
        sessions=http_sessions,
    )
    gateio_private_ws_raw = providers.Factory(
        build,
        core.closables,
        "app.exchanges.gateio.spot.ws_private:GateioPrivateSpotWebsocket",
        config=gateio_config,
        sessions=http_sessions,
        clock=gateio_clock,
    )
    gateio_public_rest = Decorated(gateio_public_rest_raw, "gateio:public:rest", core.middleware)
    gateio_private_rest = Decorated(gateio_private_rest_raw, "gateio:private:rest", core.middleware)
    gateio_public_ws = Decorated(gateio_public_ws_raw, "gateio:public:ws", core.middleware)
    gateio_private_ws = Decorated(gateio_private_ws_raw, "gateio:private:ws", core.middleware)

    # --- Gate.io USDT perpetual futures -----------------------------------------------------------
    gateio_futures_config = providers.Callable(AppSettings.exchange, core.settings, ExchangeEnum.GATEIO_FUTURES)
    gateio_futures_public_config = providers.Callable(ExchangeConfig.public_view, gateio_futures_config)
    gateio_futures_clock = providers.Singleton(ServerClock)  # shared by signed REST and WS auth
    gateio_futures_public_rest_raw = providers.Singleton(
        build,
        core.closables,
        "app.exchanges.gateio.futures.rest_public:GateioPublicFuturesRest",
        config=gateio_futures_public_config,
        sessions=http_sessions,
    )
    gateio_futures_private_rest_raw = providers.Singleton(
        build,
        core.closables,
        "app.exchanges.gateio.futures.rest_private:GateioPrivateFuturesRest",
        config=gateio_futures_config,
        sessions=http_sessions,
        clock=gateio_futures_clock,
    )
    gateio_futures_public_ws_raw = providers.Factory(
        build,
        core.closables,
        "app.exchanges.gateio.futures.ws_public:GateioPublicFuturesWebsocket",
        config=gateio_futures_public_config,
        sessions=http_sessions,
    )
    gateio_futures_private_ws_raw = providers.Factory(
        build,
        core.closables,
        "app.exchanges.gateio.futures.ws_private:GateioPrivateFuturesWebsocket",
        config=gateio_futures_config,
        sessions=http_sessions,
        clock=gateio_futures_clock,
    )
    gateio_futures_public_rest = Decorated(
        gateio_futures_public_rest_raw, "gateio_futures:public:rest", core.middleware
    )
    gateio_futures_private_rest = Decorated(
        gateio_futures_private_rest_raw, "gateio_futures:private:rest", core.middleware
    )
    gateio_futures_public_ws = Decorated(gateio_futures_public_ws_raw, "gateio_futures:public:ws", core.middleware)
    gateio_futures_private_ws = Decorated(gateio_futures_private_ws_raw, "gateio_futures:private:ws", core.middleware)

    # --- MEXC spot --------------------------------------------------------------------------------
    mexc_config = providers.Callable(AppSettings.exchange, core.settings, ExchangeEnum.MEXC)
    mexc_public_config = providers.Callable(ExchangeConfig.public_view, mexc_config)
    mexc_clock = providers.Singleton(ServerClock)  # server-time offset shared by signed REST and the listenKey
    mexc_public_rest_raw = providers.Singleton(
        build,
        core.closables,
        "app.exchanges.mexc.spot.rest_public:MexcPublicSpotRest",
        config=mexc_public_config,
        sessions=http_sessions,
    )
    mexc_private_rest_raw = providers.Singleton(
        build,
        core.closables,
        "app.exchanges.mexc.spot.rest_private:MexcPrivateSpotRest",
        config=mexc_config,
        sessions=http_sessions,
        clock=mexc_clock,
    )
    mexc_public_rest = Decorated(mexc_public_rest_raw, "mexc:public:rest", core.middleware)
    mexc_private_rest = Decorated(mexc_private_rest_raw, "mexc:private:rest", core.middleware)
    mexc_public_ws_raw = providers.Factory(
        build,
        core.closables,
        "app.exchanges.mexc.spot.ws_public:MexcPublicSpotWebsocket",
        config=mexc_public_config,
        sessions=http_sessions,
    )
    mexc_private_ws_raw = providers.Factory(
        build,
        core.closables,
        "app.exchanges.mexc.spot.ws_private:MexcPrivateSpotWebsocket",
        config=mexc_config,
        sessions=http_sessions,
        clock=mexc_clock,
        rest=mexc_private_rest,  # listenKey calls go through the shared private REST client
    )
    mexc_public_ws = Decorated(mexc_public_ws_raw, "mexc:public:ws", core.middleware)
    mexc_private_ws = Decorated(mexc_private_ws_raw, "mexc:private:ws", core.middleware)
