"""The tracer and meter providers of one container (never the process-global ones).

``create_telemetry(settings)`` builds them from ``[telemetry]`` settings:

* ``none``: no span is recorded (a no-op tracer: zero cost); metrics are kept for ``/metrics`` and health.
* ``console``: spans and periodic metrics written to stderr (stdout stays the program's own output).
* ``otlp``: OTLP over HTTP to ``otlp_endpoint`` (``/v1/traces``, ``/v1/metrics``), batched.
* ``memory``: in-memory span exporter and metric reader (tests read them).

Metrics always have one pull reader (in-memory) that ``/metrics`` and ``cex-arb health`` collect on
demand. :meth:`Telemetry.close` flushes and shuts everything down (owned by the container's registry).
"""

from __future__ import annotations

import asyncio
import logging
import sys
from typing import Any

from opentelemetry import trace
from opentelemetry.metrics import Meter
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader, MetricReader, MetricsData
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import Tracer

from app.config import TelemetrySettings
from app.errors import ConfigurationError

INSTRUMENTATION_NAME = "cex_arb"
_log = logging.getLogger(__name__)


class Telemetry:
    """One container's tracer / meter providers and readers."""

    def __init__(
        self,
        *,
        tracer_provider: trace.TracerProvider,
        meter_provider: MeterProvider,
        pull_reader: InMemoryMetricReader,
        span_exporter: InMemorySpanExporter | None = None,
        exporter: str = "none",
    ) -> None:
        self.tracer_provider = tracer_provider
        self.meter_provider = meter_provider
        self.pull_reader = pull_reader
        self.span_exporter = span_exporter
        self.exporter = exporter
        self.tracer: Tracer = tracer_provider.get_tracer(INSTRUMENTATION_NAME)
        self.meter: Meter = meter_provider.get_meter(INSTRUMENTATION_NAME)
        self.tracing_enabled = not isinstance(tracer_provider, trace.NoOpTracerProvider)
        self._closed = False

    def collect(self) -> MetricsData | None:
        """Collect every instrument now (runs the observable callbacks); None after :meth:`close`."""
        if self._closed:
            return None
        return self.pull_reader.get_metrics_data()

    async def close(self) -> None:
        """Flush and shut down the providers (exporters may block: done in a worker thread); idempotent."""
        if self._closed:
            return
        self._closed = True
        await asyncio.to_thread(self._shutdown)

    def _shutdown(self) -> None:
        shutdown = getattr(self.tracer_provider, "shutdown", None)
        if shutdown is not None:
            shutdown()
        self.meter_provider.shutdown(timeout_millis=5_000)

    def __repr__(self) -> str:
        return f"Telemetry(exporter={self.exporter}, tracing={self.tracing_enabled})"


def create_telemetry(settings: TelemetrySettings, *, env: str = "development", version: str = "0.1.0") -> Telemetry:
    """Build the providers for ``settings.exporter`` (see module doc)."""
    resource = Resource.create(
        {"service.name": settings.service_name, "service.version": version, "deployment.environment.name": env}
    )
    pull_reader = InMemoryMetricReader()
    readers: list[MetricReader] = [pull_reader]
    span_exporter: InMemorySpanExporter | None = None
    tracer_provider: trace.TracerProvider
    kind = settings.exporter
    if kind == "none":
        tracer_provider = trace.NoOpTracerProvider()
    else:
        sdk_provider = TracerProvider(resource=resource, shutdown_on_exit=False)
        if kind == "memory":
            span_exporter = InMemorySpanExporter()
            sdk_provider.add_span_processor(SimpleSpanProcessor(span_exporter))
        else:
            processor, reader = _exporters(settings)
            sdk_provider.add_span_processor(processor)
            readers.append(reader)
        tracer_provider = sdk_provider
    meter_provider = MeterProvider(resource=resource, metric_readers=readers, shutdown_on_exit=False)
    return Telemetry(
        tracer_provider=tracer_provider,
        meter_provider=meter_provider,
        pull_reader=pull_reader,
        span_exporter=span_exporter,
        exporter=kind,
    )


def _exporters(settings: TelemetrySettings) -> tuple[SpanProcessor, MetricReader]:
    from opentelemetry.sdk.metrics.export import ConsoleMetricExporter, PeriodicExportingMetricReader
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter

    interval_ms = settings.export_interval_s * 1000
    if settings.exporter == "console":
        return (
            SimpleSpanProcessor(ConsoleSpanExporter(out=sys.stderr)),
            PeriodicExportingMetricReader(ConsoleMetricExporter(out=sys.stderr), export_interval_millis=interval_ms),
        )
    if settings.exporter == "otlp":
        if not settings.otlp_endpoint:
            raise ConfigurationError("the otlp exporter needs an endpoint", key="telemetry.otlp_endpoint")
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        base = settings.otlp_endpoint.rstrip("/")
        metric_exporter: Any = OTLPMetricExporter(endpoint=f"{base}/v1/metrics")
        return (
            BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{base}/v1/traces")),
            PeriodicExportingMetricReader(metric_exporter, export_interval_millis=interval_ms),
        )
    raise ConfigurationError(f"unknown exporter {settings.exporter!r}", key="telemetry.exporter")
