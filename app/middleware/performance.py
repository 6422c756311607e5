"""Performance monitoring: provider lookups, REST calls and streams as OpenTelemetry metrics.

Per provider key: creation latency (histogram, per miss), cache-hit lookups (count, summed and max time),
errors. Per REST call: latency by venue / domain / endpoint template / method / status (histogram),
errors by venue error code, retries. Per stream: messages, decode errors, handler errors and time,
reconnects, last-message age, connected; per book: resyncs, gaps, validity.

The stream hot path costs nothing here: the sockets count in plain attributes and the SDK reads them
through observable instruments when it collects (no instrument call per message).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from opentelemetry.metrics import CallbackOptions, Observation

from app.middleware.chain import MiddlewareChain, ProvideEvent, ProviderMiddleware, ProviderStats
from app.middleware.introspect import book_synchronizers, rest_transport
from app.middleware.keys import COMPOSITE, WS, ProviderKey
from app.middleware.streams import StreamSet
from app.telemetry.provider import Telemetry
from app.telemetry.redact import endpoint_template
from app.transport.rest import RestCall
from app.transport.websocket import ReconnectingWebSocket

LATENCY_BUCKETS_S = (0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5)


class RestMetricsObserver:
    """Records one key's REST calls (attached to its :class:`RestTransport`)."""

    __slots__ = ("_attrs", "_base", "_duration", "_errors", "_retries")

    def __init__(self, key: ProviderKey, duration: Any, errors: Any, retries: Any) -> None:
        self._base = {"cex.venue": key.venue, "cex.domain": key.domain}
        self._duration = duration
        self._errors = errors
        self._retries = retries
        self._attrs: dict[tuple[str, str, int | None], dict[str, Any]] = {}

    def request_started(self, call: RestCall) -> object:
        return None

    def request_finished(self, call: RestCall, token: object) -> None:
        ident = (call.method, call.path, call.status)
        attrs = self._attrs.get(ident)
        if attrs is None:
            attrs = {
                **self._base,
                "http.request.method": call.method,
                "url.template": endpoint_template(call.path),
                "http.response.status_code": call.status or 0,
            }
            if len(self._attrs) < 4096:
                self._attrs[ident] = attrs
        self._duration.record(call.duration_s, attrs)
        if call.retries:
            self._retries.add(call.retries, attrs)
        error = call.error
        if error is not None:
            code = getattr(error, "code", None)
            self._errors.add(
                1,
                {
                    **attrs,
                    "error.type": type(error).__name__,
                    "cex.venue.error_code": "" if code is None else str(code),
                },
            )


class PerformanceMiddleware(ProviderMiddleware):
    """Metrics for every decorated provider, the REST calls and the streams of what it creates."""

    name = "performance"

    def __init__(self, telemetry: Telemetry) -> None:
        meter = telemetry.meter
        self.telemetry = telemetry
        self.providers: dict[ProviderKey, ProviderStats] = {}  # the chain's figures once bound
        self._streams: dict[ProviderKey, StreamSet] = {}
        self._books: dict[ProviderKey, list[Any]] = {}
        self._creation = meter.create_histogram(
            "cex.provider.creation.duration",
            unit="s",
            description="time to create a keyed provider's instance (cache miss)",
            explicit_bucket_boundaries_advisory=LATENCY_BUCKETS_S,
        )
        meter.create_observable_counter(
            "cex.provider.calls", [self._provider_calls], unit="{call}", description="lookups by result"
        )
        meter.create_observable_counter(
            "cex.provider.hit.duration", [self._hit_time], unit="s", description="summed cache-hit lookup time"
        )
        meter.create_observable_gauge(
            "cex.provider.hit.max_duration", [self._hit_max], unit="s", description="slowest cache-hit lookup"
        )
        self._rest_duration = meter.create_histogram(
            "cex.rest.duration",
            unit="s",
            description="REST request latency, retries included",
            explicit_bucket_boundaries_advisory=LATENCY_BUCKETS_S,
        )
        self._rest_errors = meter.create_counter("cex.rest.errors", unit="{request}", description="failed requests")
        self._rest_retries = meter.create_counter("cex.rest.retries", unit="{retry}", description="retried attempts")
        for name, unit, description in (
            ("messages", "{message}", "stream messages received"),
            ("decode_errors", "{message}", "messages that failed to decode"),
            ("handler_errors", "{message}", "messages whose handler raised"),
            ("reconnects", "{reconnect}", "stream reconnects"),
            ("handler_time_s", "s", "summed handler time"),
        ):
            meter.create_observable_counter(
                f"cex.ws.{'handler.duration' if name == 'handler_time_s' else name}",
                [self._stream_counter(name)],
                unit=unit,
                description=description,
            )
        meter.create_observable_gauge("cex.ws.last_message_age", [self._message_age], unit="s")
        meter.create_observable_gauge("cex.ws.connected", [self._connected], unit="{connection}")
        meter.create_observable_gauge("cex.ws.handler.max_duration", [self._handler_max], unit="s")
        meter.create_observable_counter("cex.book.resyncs", [self._book_counter("resyncs")], unit="{resync}")
        meter.create_observable_counter("cex.book.gaps", [self._book_counter("gaps")], unit="{gap}")
        meter.create_observable_gauge("cex.book.valid", [self._book_valid], unit="{book}")

    # -- provider calls ---------------------------------------------------------------------------
    def bind(self, chain: MiddlewareChain) -> None:
        super().bind(chain)
        self.providers = chain.stats

    def observe(self, event: ProvideEvent) -> None:
        if not event.hit and event.error is None:
            self._creation.record(event.duration_s, event.key.attributes)

    def decorate(self, key: ProviderKey, instance: Any) -> Any:
        transport = rest_transport(instance)
        if transport is not None:
            transport.add_observer(RestMetricsObserver(key, self._rest_duration, self._rest_errors, self._rest_retries))
        if key.kind == WS:
            streams = self._streams.get(key)
            if streams is None:
                streams = self._streams[key] = StreamSet(on_new=_measure_handlers)
            streams.add_owner(instance)
        elif key.kind == COMPOSITE:
            self._books.setdefault(key, []).append(instance)
        return instance

    # -- observable callbacks (run by the SDK at collection) ---------------------------------------
    def _provider_calls(self, options: CallbackOptions) -> Iterable[Observation]:
        for key, stats in list(self.providers.items()):
            attrs = key.attributes
            yield Observation(stats.hits, {**attrs, "cex.provider.result": "hit"})
            yield Observation(stats.misses, {**attrs, "cex.provider.result": "miss"})
            yield Observation(stats.errors, {**attrs, "cex.provider.result": "error"})

    def _hit_time(self, options: CallbackOptions) -> Iterable[Observation]:
        return [Observation(s.hit_time_s, k.attributes) for k, s in list(self.providers.items())]

    def _hit_max(self, options: CallbackOptions) -> Iterable[Observation]:
        return [Observation(s.hit_time_max_s, k.attributes) for k, s in list(self.providers.items())]

    def _stream_counter(self, field: str) -> Any:
        def callback(options: CallbackOptions) -> Iterable[Observation]:
            return [
                Observation(getattr(streams.totals(), field), key.attributes)
                for key, streams in list(self._streams.items())
            ]

        return callback

    def _sockets(self) -> Iterable[tuple[ProviderKey, ReconnectingWebSocket]]:
        for key, streams in list(self._streams.items()):
            for ws in streams.refresh():
                yield key, ws

    def _message_age(self, options: CallbackOptions) -> Iterable[Observation]:
        now = time.monotonic()
        return [
            Observation(max(0.0, now - ws.last_message_monotonic), {**key.attributes, "cex.stream": ws.name})
            for key, ws in self._sockets()
        ]

    def _connected(self, options: CallbackOptions) -> Iterable[Observation]:
        return [
            Observation(int(ws.connected), {**key.attributes, "cex.stream": ws.name}) for key, ws in self._sockets()
        ]

    def _handler_max(self, options: CallbackOptions) -> Iterable[Observation]:
        return [
            Observation(ws.handler_time_max_s, {**key.attributes, "cex.stream": ws.name}) for key, ws in self._sockets()
        ]

    def _book_counter(self, field: str) -> Any:
        def callback(options: CallbackOptions) -> Iterable[Observation]:
            for key, composites in list(self._books.items()):
                for composite in composites:
                    for sync in book_synchronizers(composite):
                        yield Observation(getattr(sync, field), {**key.attributes, "cex.symbol": str(sync.symbol)})

        return callback

    def _book_valid(self, options: CallbackOptions) -> Iterable[Observation]:
        for key, composites in list(self._books.items()):
            for composite in composites:
                for sync in book_synchronizers(composite):
                    valid = composite.get_orderbook(sync.symbol).is_valid
                    yield Observation(int(valid), {**key.attributes, "cex.symbol": str(sync.symbol)})


def _measure_handlers(ws: ReconnectingWebSocket) -> None:
    ws.measure_handlers = True
