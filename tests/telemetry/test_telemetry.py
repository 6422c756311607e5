"""Telemetry resources per settings, endpoint templates, Prometheus text and the /health, /metrics server."""

from __future__ import annotations

import json

import aiohttp
import pytest
from opentelemetry import trace

from app.config import TelemetrySettings
from app.errors import ConfigurationError
from app.simulator import ExchangeSimulator
from app.telemetry.http import serve_telemetry
from app.telemetry.prometheus import metric_name, render
from app.telemetry.provider import create_telemetry
from app.telemetry.redact import endpoint_template, url_without_query
from containers.application import ApplicationContainer


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/spot/orders/123456", "/spot/orders/{id}"),
        ("/spot/orders/t-abc_1", "/spot/orders/{id}"),
        ("/spot/currency_pairs", "/spot/currency_pairs"),
        ("/futures/usdt/positions/BTC_USDT", "/futures/usdt/positions/{symbol}"),
        ("/api/v3/order?symbol=BTCUSDT&signature=abc", "/api/v3/order"),
        ("/api/v3/openOrders", "/api/v3/openOrders"),
    ],
)
def test_endpoint_templates(path: str, template: str) -> None:
    assert endpoint_template(path) == template


def test_urls_lose_their_query() -> None:
    assert url_without_query("https://api.mexc.com", "/api/v3/order?timestamp=1&signature=ff") == (
        "https://api.mexc.com/api/v3/order"
    )


async def test_exporters_per_settings(capsys: pytest.CaptureFixture[str]) -> None:
    none = create_telemetry(TelemetrySettings())
    assert isinstance(none.tracer_provider, trace.NoOpTracerProvider) and not none.tracing_enabled
    none.meter.create_counter("cex.test").add(1)
    assert "cex_test_total 1" in render(none.collect())  # metrics are still served on /metrics
    memory = create_telemetry(TelemetrySettings(exporter="memory"))
    memory.tracer.start_span("x").end()
    assert memory.span_exporter is not None and [s.name for s in memory.span_exporter.get_finished_spans()] == ["x"]
    console = create_telemetry(TelemetrySettings(exporter="console"))
    console.tracer.start_span("to-stderr").end()
    otlp = create_telemetry(TelemetrySettings(exporter="otlp", otlp_endpoint="http://127.0.0.1:9"))
    assert otlp.tracing_enabled
    with pytest.raises(ConfigurationError, match="otlp_endpoint"):
        create_telemetry(TelemetrySettings(exporter="otlp"))
    for telemetry in (none, memory, console, otlp):
        await telemetry.close()
    out = capsys.readouterr()
    assert "to-stderr" in out.err and "to-stderr" not in out.out  # stdout stays the program's own
    assert memory.collect() is None  # closed


def test_prometheus_text() -> None:
    telemetry = create_telemetry(TelemetrySettings(exporter="memory"))
    meter = telemetry.meter
    meter.create_counter("cex.rest.errors", unit="{request}", description="failed").add(2, {"cex.venue": 'ga"te'})
    histogram = meter.create_histogram("cex.rest.duration", unit="s", explicit_bucket_boundaries_advisory=[0.1, 1])
    histogram.record(0.05, {"url.template": "/spot/time"})
    histogram.record(0.5, {"url.template": "/spot/time"})
    text = render(telemetry.collect())
    assert "# TYPE cex_rest_errors_total counter" in text
    assert 'cex_rest_errors_total{cex_venue="ga\\"te"} 2' in text
    assert "# TYPE cex_rest_duration_seconds histogram" in text
    assert 'cex_rest_duration_seconds_bucket{url_template="/spot/time",le="0.1"} 1' in text
    assert 'cex_rest_duration_seconds_bucket{url_template="/spot/time",le="+Inf"} 2' in text
    assert 'cex_rest_duration_seconds_count{url_template="/spot/time"} 2' in text
    assert metric_name("cex.ws.last_message_age", "s") == "cex_ws_last_message_age_seconds"
    assert render(None) == ""


async def test_health_and_metrics_over_http(container: ApplicationContainer, simulator: ExchangeSimulator) -> None:
    async with serve_telemetry(container, host="127.0.0.1", port=0) as server, aiohttp.ClientSession() as http:
        base = f"http://127.0.0.1:{server.port}"
        async with http.get(f"{base}/health") as response:
            assert response.status == 503  # nothing created yet: not ready
        public = container.composites("gateio:public")
        await public.initialize(["BTC/USDT"])
        assert await public.wait_ready(5)
        async with http.get(f"{base}/health") as response:
            body = json.loads(await response.text())
            assert response.status == 200 and body["ready"] and body["live"]
            assert {k["key"] for k in body["keys"]} >= {"gateio:public", "gateio:public:ws", "gateio:public:rest"}
            assert set(body["factory"]) >= {"supported_exchanges", "cache_efficiency", "average_creation_time"}
        async with http.get(f"{base}/health?live") as response:
            assert response.status == 200 and json.loads(await response.text()) == {"live": True}
        async with http.get(f"{base}/metrics") as response:
            text = await response.text()
            assert response.status == 200 and response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        assert 'cex_ws_messages_total{cex_venue="gateio",cex_domain="public"' in text
        assert 'url_template="/spot/order_book"' in text
