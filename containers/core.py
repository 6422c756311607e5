"""Core container: settings, logging, ownership registry, telemetry slot."""

from dependency_injector import containers, providers

from app.config import load_settings
from app.runtime.logging import configure_logging
from containers.ownership import ClosableRegistry


class CoreContainer(containers.DeclarativeContainer):
    """Process-wide basics. Tests override ``settings`` with ``providers.Object(AppSettings(...))``."""

    settings = providers.Singleton(load_settings)

    logging = providers.Resource(configure_logging, level=settings.provided.log_level)

    closables = providers.Singleton(ClosableRegistry)

    # Filled by the middleware issue (tracer / meter providers); None means "no telemetry".
    telemetry: providers.Object[object | None] = providers.Object(None)
