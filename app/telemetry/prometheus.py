"""Render the OpenTelemetry SDK's collected metrics as Prometheus text (exposition format 0.0.4).

Names: dots become underscores, the unit is appended (``s`` -> ``_seconds``), monotonic sums end in
``_total``; histograms give ``_bucket{le=...}`` (cumulative), ``_sum``, ``_count``. Attribute keys
become label names the same way. Only cumulative data is rendered (the pull reader's default).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

from opentelemetry.sdk.metrics.export import Gauge, Histogram, Metric, MetricsData, Sum

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_INVALID = re.compile(r"[^a-zA-Z0-9_:]")
_UNIT_SUFFIX = {"s": "seconds", "ms": "milliseconds", "By": "bytes", "1": "ratio"}


def metric_name(name: str, unit: str | None) -> str:
    base = _INVALID.sub("_", name)
    suffix = _UNIT_SUFFIX.get(unit or "")
    if suffix and not base.endswith(suffix):
        base = f"{base}_{suffix}"
    return base


def _label_name(key: str) -> str:
    name = _INVALID.sub("_", key).replace(":", "_")
    return f"_{name}" if name[:1].isdigit() else name


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(attributes: Mapping[str, Any] | None, extra: Mapping[str, str] | None = None) -> str:
    items = [(_label_name(k), str(v)) for k, v in (attributes or {}).items()]
    if extra:
        items.extend(extra.items())
    if not items:
        return ""
    return "{" + ",".join(f'{k}="{_escape(v)}"' for k, v in items) + "}"


def _number(value: float) -> str:
    if isinstance(value, float):
        if math.isinf(value):
            return "+Inf" if value > 0 else "-Inf"
        if math.isnan(value):
            return "NaN"
        return repr(value)
    return str(value)


def _render_metric(metric: Metric) -> Iterable[str]:
    data = metric.data
    name = metric_name(metric.name, metric.unit)
    if isinstance(data, Sum) and data.is_monotonic:
        family, kind = f"{name}_total" if not name.endswith("_total") else name, "counter"
    elif isinstance(data, Histogram):
        family, kind = name, "histogram"
    elif isinstance(data, Sum | Gauge):
        family, kind = name, "gauge"
    else:  # pragma: no cover - exponential histograms are not used here
        return
    if metric.description:
        yield f"# HELP {family} {_escape(metric.description)}"
    yield f"# TYPE {family} {kind}"
    if isinstance(data, Histogram):
        for point in data.data_points:
            cumulative = 0
            for bound, count in zip((*point.explicit_bounds, math.inf), point.bucket_counts, strict=True):
                cumulative += count
                yield f"{family}_bucket{_labels(point.attributes, {'le': _number(float(bound))})} {cumulative}"
            yield f"{family}_sum{_labels(point.attributes)} {_number(point.sum)}"
            yield f"{family}_count{_labels(point.attributes)} {point.count}"
    else:
        for number_point in data.data_points:
            yield f"{family}{_labels(number_point.attributes)} {_number(number_point.value)}"


def render(metrics: MetricsData | None) -> str:
    """Prometheus text for everything in ``metrics`` (empty text for None)."""
    if metrics is None:
        return ""
    lines: list[str] = []
    for resource_metrics in metrics.resource_metrics:
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                lines.extend(_render_metric(metric))
    return "\n".join(lines) + ("\n" if lines else "")
