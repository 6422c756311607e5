"""Composite container: one public and one private composite exchange per venue (Singletons)."""

from dependency_injector import containers, providers

from containers.middleware import Decorated
from containers.ownership import build


class CompositeContainer(containers.DeclarativeContainer):
    """Composites built from the transport container's providers.

    Each ``<key>`` is ``Decorated(<key>_raw, "<venue>:<domain>", core.middleware)`` (see
    ``containers/middleware.py``); a new venue block copies the pattern.
    """

    core = providers.DependenciesContainer()
    transport = providers.DependenciesContainer()

    # --- Gate.io spot -----------------------------------------------------------------------------
    gateio_public_composite_raw = providers.Singleton(
        build,
        core.closables,
        "app.exchanges.gateio.spot.composite_public:GateioCompositePublicSpotExchange",
        config=transport.gateio_public_config,
        rest=transport.gateio_public_rest,
        ws_factory=transport.gateio_public_ws.provider,
    )
    gateio_private_composite_raw = providers.Singleton(
        build,
        core.closables,
        "app.exchanges.gateio.spot.composite_private:GateioCompositePrivateSpotExchange",
        config=transport.gateio_config,
        rest=transport.gateio_private_rest,
        ws_factory=transport.gateio_private_ws.provider,
        symbol_info_loader=transport.gateio_public_rest.provided.get_exchange_info,
    )
    gateio_public_composite = Decorated(gateio_public_composite_raw, "gateio:public", core.middleware)
    gateio_private_composite = Decorated(gateio_private_composite_raw, "gateio:private", core.middleware)

    # --- Gate.io USDT perpetual futures -----------------------------------------------------------
    gateio_futures_public_composite_raw = providers.Singleton(
        build,
        core.closables,
        "app.exchanges.gateio.futures.composite_public:GateioFuturesCompositePublicExchange",
        config=transport.gateio_futures_public_config,
        rest=transport.gateio_futures_public_rest,
        ws_factory=transport.gateio_futures_public_ws.provider,
    )
    gateio_futures_private_composite_raw = providers.Singleton(
        build,
        core.closables,
        "app.exchanges.gateio.futures.composite_private:GateioFuturesCompositePrivateExchange",
        config=transport.gateio_futures_config,
        rest=transport.gateio_futures_private_rest,
        ws_factory=transport.gateio_futures_private_ws.provider,
        symbol_info_loader=transport.gateio_futures_public_rest.provided.get_exchange_info,
    )
    gateio_futures_public_composite = Decorated(
        gateio_futures_public_composite_raw, "gateio_futures:public", core.middleware
    )
    gateio_futures_private_composite = Decorated(
        gateio_futures_private_composite_raw, "gateio_futures:private", core.middleware
    )

    # --- MEXC spot --------------------------------------------------------------------------------
    mexc_public_composite_raw = providers.Singleton(
        build,
        core.closables,
        "app.exchanges.mexc.spot.composite_public:MexcCompositePublicSpotExchange",
        config=transport.mexc_public_config,
        rest=transport.mexc_public_rest,
        ws_factory=transport.mexc_public_ws.provider,
    )
    mexc_private_composite_raw = providers.Singleton(
        build,
        core.closables,
        "app.exchanges.mexc.spot.composite_private:MexcCompositePrivateSpotExchange",
        config=transport.mexc_config,
        rest=transport.mexc_private_rest,
        ws_factory=transport.mexc_private_ws.provider,
        symbol_info_loader=transport.mexc_public_rest.provided.get_exchange_info,
    )
    mexc_public_composite = Decorated(mexc_public_composite_raw, "mexc:public", core.middleware)
    mexc_private_composite = Decorated(mexc_private_composite_raw, "mexc:private", core.middleware)
