"""A container with in-memory telemetry, pointed at the simulator; metric / span lookups."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from typing import Any

from dependency_injector import providers
from opentelemetry.sdk.metrics.export import MetricsData
from opentelemetry.sdk.trace import ReadableSpan

from app.config import AppSettings, validate_settings
from app.domain.enums import ExchangeEnum
from app.simulator import ExchangeSimulator
from containers.application import ApplicationContainer


def settings_for(simulator: ExchangeSimulator, **telemetry: Any) -> AppSettings:
    base = validate_settings(
        {
            "env": "testing",
            "exchanges": {"gateio": {"rest_url": "http://127.0.0.1:9/api/v4", "ws_url": "ws://127.0.0.1:9/ws/v4/"}},
            "telemetry": {"exporter": "memory", **telemetry},
        }
    )
    gate = simulator.exchange_config(ExchangeEnum.GATEIO).model_copy(
        update={"request_timeout_s": 2.0, "ws_reconnect_max_delay_s": 0.2, "book_depth": 50}
    )
    return base.with_exchange(gate)


def make_container(settings: AppSettings) -> ApplicationContainer:
    container = ApplicationContainer()
    container.core.settings.override(providers.Object(settings))
    return container


def points(data: MetricsData | None, name: str) -> list[Any]:
    """Every data point of metric ``name``."""
    found: list[Any] = []
    assert data is not None
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                if metric.name == name:
                    found.extend(metric.data.data_points)
    return found


def spans_named(spans: tuple[ReadableSpan, ...] | list[ReadableSpan], name: str) -> list[ReadableSpan]:
    return [span for span in spans if span.name == name]


def iter_text(spans: Any, data: MetricsData | None) -> Iterator[str]:
    """Every string a span or a metric carries: names, attributes, events, statuses, resources."""
    for span in spans:
        yield span.name
        yield from (f"{k}={v}" for k, v in (span.attributes or {}).items())
        yield from (f"{k}={v}" for k, v in span.resource.attributes.items())
        if span.status.description:
            yield span.status.description
        for event in span.events:
            yield event.name
            yield from (f"{k}={v}" for k, v in (event.attributes or {}).items())
    if data is not None:
        yield data.to_json()


async def eventually(predicate: Callable[[], bool], timeout_s: float = 5.0, interval_s: float = 0.005) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval_s)
