"""Core container: settings, logging, ownership registry, telemetry and the provider middleware chain."""

from dependency_injector import containers, providers

from app.config import load_settings
from app.runtime.logging import configure_logging
from containers.ownership import ClosableRegistry, build


class CoreContainer(containers.DeclarativeContainer):
    """Process-wide basics. Tests override ``settings`` with ``providers.Object(AppSettings(...))``."""

    settings = providers.Singleton(load_settings)

    logging = providers.Resource(configure_logging, level=settings.provided.log_level)

    closables = providers.Singleton(ClosableRegistry)

    # --- telemetry: this container's tracer / meter providers (never the process-global ones) ----
    # exporter from settings.telemetry.exporter (none | console | otlp | memory); closed by the registry.
    telemetry = providers.Singleton(
        build,
        closables,
        "app.telemetry.provider:create_telemetry",
        settings.provided.telemetry,
        env=settings.provided.env,
    )

    # --- provider middleware: every Decorated provider (containers/middleware.py) goes through ----
    # ``middleware``: its layers in order, outermost first. Override one layer to replace it alone.
    performance = providers.Singleton(build, closables, "app.middleware.performance:PerformanceMiddleware", telemetry)
    health = providers.Singleton(
        build, closables, "app.middleware.health:HealthMiddleware", settings.provided.telemetry
    )
    tracing = providers.Singleton(
        build, closables, "app.middleware.tracing:TracingMiddleware", telemetry, settings.provided.telemetry
    )
    middleware = providers.Singleton(
        build, closables, "app.middleware.chain:MiddlewareChain", providers.List(performance, health, tracing)
    )
