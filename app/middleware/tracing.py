"""Tracing: spans for provider creation, every REST request, stream connect / reconnect / resync, and
order placement end to end.

* ``provider.create`` (and ``provider.lookup`` for cache hits when ``trace_cache_hits``): key, hit/miss.
* ``<METHOD> <endpoint template>`` (CLIENT): venue, domain, method, template, URL without query string,
  status, venue error code, retry count; event ``request.signed`` for signed requests.
* ``ws.connect``; ``ws.reconnect`` from the drop to the replayed subscriptions (events ``connected``,
  ``resubscribed``: books resync from there).
* ``order.place`` around a private composite's ``create_order``: client order id, symbol, side, type;
  events ``order.validated`` (validation done, first request starts), ``order.signed``,
  ``order.answered``, ``order.ack`` (venue order id, status); the REST span is its child.

Nothing secret is ever set: no query string, no header, no body. Error texts come from the engine's
typed errors, which never format a credential or a signature.
"""

from __future__ import annotations

import functools
import time
from contextvars import ContextVar
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry.trace import Span, SpanKind, Status, StatusCode, Tracer

from app.config import TelemetrySettings
from app.errors import ValidationError
from app.middleware.chain import ProvideEvent, ProviderMiddleware
from app.middleware.introspect import rest_transport
from app.middleware.keys import COMPOSITE, WS, ProviderKey
from app.middleware.streams import StreamSet
from app.telemetry.provider import Telemetry
from app.telemetry.redact import endpoint_template, url_without_query
from app.transport.rest import RestCall
from app.transport.websocket import (
    WS_CONNECTED,
    WS_DISCONNECTED,
    WS_RECONNECTED,
    WS_RESUBSCRIBED,
    ReconnectingWebSocket,
)


class _OrderTrace:
    __slots__ = ("span", "validated")

    def __init__(self, span: Span) -> None:
        self.span = span
        self.validated = False


_ORDER: ContextVar[_OrderTrace | None] = ContextVar("cex_arb_order_trace", default=None)


class TracingRestObserver:
    """One CLIENT span per REST request of one key."""

    __slots__ = ("_base", "_tracer")

    def __init__(self, key: ProviderKey, tracer: Tracer) -> None:
        self._base = {"cex.venue": key.venue, "cex.domain": key.domain}
        self._tracer = tracer

    def request_started(self, call: RestCall) -> object:
        order = _ORDER.get()
        if order is not None and not order.validated:
            order.validated = True
            order.span.add_event("order.validated", timestamp=call.started_ns)
        template = endpoint_template(call.path)
        return self._tracer.start_span(
            f"{call.method} {template}",
            kind=SpanKind.CLIENT,
            start_time=call.started_ns,
            attributes={
                **self._base,
                "http.request.method": call.method,
                "url.template": template,
                "url.full": url_without_query(call.base_url, call.path),
                "cex.rest.signed": call.signed,
            },
        )

    def request_finished(self, call: RestCall, token: object) -> None:
        span = token
        if not isinstance(span, Span):
            return
        span.set_attribute("cex.rest.retries", call.retries)
        if call.status is not None:
            span.set_attribute("http.response.status_code", call.status)
        if call.signed_ns is not None:
            span.add_event("request.signed", timestamp=call.signed_ns)
        error = call.error
        if error is not None:
            code = getattr(error, "code", None)
            if code is not None:
                span.set_attribute("cex.venue.error_code", str(code))
            span.set_attribute("error.type", type(error).__name__)
            span.record_exception(error)
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        end_ns = call.started_ns + int(call.duration_s * 1e9)
        span.end(end_time=end_ns)
        order = _ORDER.get()
        if order is not None:
            if call.signed_ns is not None:
                order.span.add_event("order.signed", timestamp=call.signed_ns)
            order.span.add_event("order.answered", {"http.response.status_code": call.status or 0}, timestamp=end_ns)


class TracingMiddleware(ProviderMiddleware):
    """Spans for what the decorated providers create (see module doc)."""

    name = "tracing"

    def __init__(self, telemetry: Telemetry, settings: TelemetrySettings) -> None:
        self.telemetry = telemetry
        self.tracer = telemetry.tracer
        self.enabled = telemetry.tracing_enabled
        self.observe_hits = settings.trace_cache_hits and self.enabled
        self._streams: dict[ProviderKey, StreamSet] = {}
        self._reconnecting: dict[int, Span] = {}

    def observe(self, event: ProvideEvent) -> None:
        if not self.enabled:
            return
        span = self.tracer.start_span(
            "provider.lookup" if event.hit else "provider.create",
            start_time=event.started_ns,
            attributes={
                **event.key.attributes,
                "cex.provider.key": event.key.text,
                "cex.provider.cache_hit": event.hit,
            },
        )
        if event.error is not None:
            span.record_exception(event.error)
            span.set_status(Status(StatusCode.ERROR, type(event.error).__name__))
        span.end(end_time=event.started_ns + int(event.duration_s * 1e9))

    def decorate(self, key: ProviderKey, instance: Any) -> Any:
        if not self.enabled:
            return instance
        transport = rest_transport(instance)
        if transport is not None:
            transport.add_observer(TracingRestObserver(key, self.tracer))
        if key.kind == WS:
            streams = self._streams.get(key)
            if streams is None:
                streams = self._streams[key] = StreamSet(on_new=functools.partial(self._adopt, key))
            streams.add_owner(instance)
        elif key.kind == COMPOSITE and key.is_private:
            self._trace_orders(key, instance)
        return instance

    # -- streams ----------------------------------------------------------------------------------
    def _adopt(self, key: ProviderKey, ws: ReconnectingWebSocket) -> None:
        ws.add_listener(functools.partial(self._on_ws_event, key))

    def _on_ws_event(self, key: ProviderKey, event: str, ws: ReconnectingWebSocket) -> None:
        attrs = {**key.attributes, "cex.stream": ws.name}
        root = otel_context.Context()  # stream events are their own traces, not children of a caller's span
        if event == WS_CONNECTED:
            self.tracer.start_span("ws.connect", context=root, attributes=attrs).end()
        elif event == WS_DISCONNECTED:
            previous = self._reconnecting.pop(id(ws), None)
            if previous is not None:
                previous.set_status(Status(StatusCode.ERROR, "dropped before resubscribing"))
                previous.end()
            self._reconnecting[id(ws)] = self.tracer.start_span("ws.reconnect", context=root, attributes=attrs)
        elif event == WS_RECONNECTED:
            span = self._reconnecting.get(id(ws))
            if span is not None:
                span.add_event("connected", {"cex.ws.reconnect_count": ws.reconnect_count})
                span.set_attribute("cex.ws.downtime_s", round(time.monotonic() - ws.last_disconnect_monotonic, 6))
        elif event == WS_RESUBSCRIBED:
            span = self._reconnecting.pop(id(ws), None)
            if span is not None:
                span.add_event("resubscribed")
                span.end()

    # -- orders -----------------------------------------------------------------------------------
    def _trace_orders(self, key: ProviderKey, instance: Any) -> None:
        original = getattr(instance, "create_order", None)
        if original is None or not callable(original):
            return
        tracer = self.tracer
        base = {**key.attributes}

        @functools.wraps(original)
        async def create_order(*args: Any, **kwargs: Any) -> Any:
            attrs = dict(base)
            symbol = kwargs.get("symbol", args[0] if args else None)
            side = kwargs.get("side", args[1] if len(args) > 1 else None)
            client_order_id = kwargs.get("client_order_id")
            attrs["cex.order.symbol"] = str(symbol)
            attrs["cex.order.side"] = str(side)
            if client_order_id:
                attrs["cex.order.client_order_id"] = str(client_order_id)
            with tracer.start_as_current_span("order.place", kind=SpanKind.INTERNAL, attributes=attrs) as span:
                token = _ORDER.set(_OrderTrace(span))
                try:
                    order = await original(*args, **kwargs)
                except ValidationError:
                    span.add_event("order.rejected", {"cex.order.phase": "validation"})
                    raise
                except Exception as exc:
                    unknown_id = getattr(exc, "client_order_id", None)
                    if unknown_id:
                        span.set_attribute("cex.order.client_order_id", str(unknown_id))
                    raise
                finally:
                    _ORDER.reset(token)
                if getattr(order, "client_order_id", None):
                    span.set_attribute("cex.order.client_order_id", str(order.client_order_id))
                span.set_attribute("cex.order.id", str(getattr(order, "order_id", "")))
                span.add_event("order.ack", {"cex.order.status": str(getattr(order, "status", ""))})
                return order

        try:
            instance.create_order = create_order
        except AttributeError:  # a __slots__ class: leave it untraced
            return


def current_order_span() -> Span | None:
    """The ``order.place`` span of the running task, if any (for venue code that wants to add events)."""
    order = _ORDER.get()
    return None if order is None else order.span


__all__ = ["TracingMiddleware", "TracingRestObserver", "current_order_span"]
