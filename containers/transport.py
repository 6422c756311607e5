"""Transport container: the HTTP session owner and the per-venue REST / WebSocket clients.

Keys: ``<exchange>_<domain>_<type>``. REST clients are Singletons (one per exchange and domain);
WebSocket clients are Factories called with ``handlers=...`` (each consumer brings its own handler
bundle), owned and closed by whoever asked for them, and by the registry at shutdown.
"""

from dependency_injector import containers, providers

from app.config import AppSettings, ExchangeConfig
from app.domain.enums import ExchangeEnum
from app.transport.clock import ServerClock
from containers.ownership import build


class TransportContainer(containers.DeclarativeContainer):
    """Transports per exchange and domain."""

    core = providers.DependenciesContainer()

    http_sessions = providers.Singleton(build, core.closables, "app.transport.session:HttpSessionManager")

    # --- Gate.io spot -----------------------------------------------------------------------------
    gateio_config = providers.Callable(AppSettings.exchange, core.settings, ExchangeEnum.GATEIO)
    gateio_public_config = providers.Callable(ExchangeConfig.public_view, gateio_config)
    gateio_clock = providers.Singleton(ServerClock)  # server-time offset shared by signed REST and WS auth
    gateio_public_rest = providers.Singleton(
        build,
        core.closables,
        "app.exchanges.gateio.spot.rest_public:GateioPublicSpotRest",
        config=gateio_public_config,
        sessions=http_sessions,
    )
    gateio_private_rest = providers.Singleton(
        build,
        core.closables,
        "app.exchanges.gateio.spot.rest_private:GateioPrivateSpotRest",
        config=gateio_config,
        sessions=http_sessions,
        clock=gateio_clock,
    )
    gateio_public_ws = providers.Factory(
        build,
        core.closables,
        "app.exchanges.gateio.spot.ws_public:GateioPublicSpotWebsocket",
        config=gateio_public_config,
        sessions=http_sessions,
    )
    gateio_private_ws = providers.Factory(
        build,
        core.closables,
        "app.exchanges.gateio.spot.ws_private:GateioPrivateSpotWebsocket",
        config=gateio_config,
        sessions=http_sessions,
        clock=gateio_clock,
    )
