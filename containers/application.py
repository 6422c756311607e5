"""The root container: core, transports and composites composed, plus the keyed registries."""

from dependency_injector import containers, providers

from containers.composite import CompositeContainer
from containers.core import CoreContainer
from containers.transport import TransportContainer


class ApplicationContainer(containers.DeclarativeContainer):
    """Everything a trading application needs, per exchange and domain.

    ``composites("gateio:public")`` and ``transports("gateio:private:rest")`` are the keyed lookups;
    each key is a Singleton (the same instance on every call until ``shutdown``).
    """

    core = providers.Container(CoreContainer)
    transport = providers.Container(TransportContainer, core=core)
    composite = providers.Container(CompositeContainer, core=core, transport=transport)

    composites = providers.Aggregate(
        {
            "gateio:public": composite.gateio_public_composite,
            "gateio:private": composite.gateio_private_composite,
        }
    )
    transports = providers.Aggregate(
        {
            "gateio:public:rest": transport.gateio_public_rest,
            "gateio:private:rest": transport.gateio_private_rest,
            "gateio:public:ws": transport.gateio_public_ws,
            "gateio:private:ws": transport.gateio_private_ws,
        }
    )
