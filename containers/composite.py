"""Composite container: one public and one private composite exchange per venue (Singletons)."""

from dependency_injector import containers, providers

from containers.ownership import build


class CompositeContainer(containers.DeclarativeContainer):
    """Composites built from the transport container's providers."""

    core = providers.DependenciesContainer()
    transport = providers.DependenciesContainer()

    # --- Gate.io spot -----------------------------------------------------------------------------
    gateio_public_composite = providers.Singleton(
        build,
        core.closables,
        "app.exchanges.gateio.spot.composite_public:GateioCompositePublicSpotExchange",
        config=transport.gateio_public_config,
        rest=transport.gateio_public_rest,
        ws_factory=transport.gateio_public_ws.provider,
    )
    gateio_private_composite = providers.Singleton(
        build,
        core.closables,
        "app.exchanges.gateio.spot.composite_private:GateioCompositePrivateSpotExchange",
        config=transport.gateio_config,
        rest=transport.gateio_private_rest,
        ws_factory=transport.gateio_private_ws.provider,
        symbol_info_loader=transport.gateio_public_rest.provided.get_exchange_info,
    )
