"""OpenTelemetry as container resources: tracer and meter providers, exporters, Prometheus text, HTTP."""

from app.telemetry.provider import Telemetry, create_telemetry

__all__ = ["Telemetry", "create_telemetry"]
