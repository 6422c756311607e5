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
            "gateio_futures:public": composite.gateio_futures_public_composite,
            "gateio_futures:private": composite.gateio_futures_private_composite,
            "mexc:public": composite.mexc_public_composite,
            "mexc:private": composite.mexc_private_composite,
        }
    )
    transports = providers.Aggregate(
        {
            "gateio:public:rest": transport.gateio_public_rest,
            "gateio:private:rest": transport.gateio_private_rest,
            "gateio:public:ws": transport.gateio_public_ws,
            "gateio:private:ws": transport.gateio_private_ws,
            "gateio_futures:public:rest": transport.gateio_futures_public_rest,
            "gateio_futures:private:rest": transport.gateio_futures_private_rest,
            "gateio_futures:public:ws": transport.gateio_futures_public_ws,
            "gateio_futures:private:ws": transport.gateio_futures_private_ws,
            "mexc:public:rest": transport.mexc_public_rest,
            "mexc:private:rest": transport.mexc_private_rest,
            "mexc:public:ws": transport.mexc_public_ws,
            "mexc:private:ws": transport.mexc_private_ws,
        }
    )
