"""After a real scenario against the simulator (books, an order, a dropped stream, a sequence gap), every
metric and span the middleware promises is there with the right attributes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from app.domain.symbol import Symbol
from app.errors import ExchangeAPIError
from app.simulator import ExchangeSimulator
from containers.application import ApplicationContainer
from tests.middleware.helpers import eventually, points, spans_named

GATE = {"cex.venue": "gateio"}


def attrs_of(point: Any) -> dict[str, Any]:
    return dict(point.attributes)


def has(point: Any, **expected: Any) -> bool:
    got = attrs_of(point)
    return all(got.get(k.replace("__", ".")) == v for k, v in expected.items())


async def run_scenario(container: ApplicationContainer, simulator: ExchangeSimulator) -> tuple[Any, Any, Any]:
    public = container.composites("gateio:public")
    await public.initialize(["BTC/USDT"])
    assert await public.wait_ready(5)
    assert container.composites("gateio:public") is public  # a cache hit
    private = container.composites("gateio:private")
    await private.initialize(["BTC/USDT"])
    order = await private.create_order("BTC/USDT", "buy", Decimal("0.001"), Decimal("50000.0"))

    sync = public.book_synchronizer("BTC/USDT")
    synced_at = sync.book.sequence
    await eventually(lambda: sync.book.sequence > synced_at)  # bridged: continuity is now strict
    simulator.gateio.faults.gap_order_book_updates(1, "BTC_USDT")
    await eventually(lambda: sync.gaps >= 1)
    assert await public.wait_ready(5)
    ws = public._ws.ws
    await simulator.gateio.faults.drop_ws_connections(abrupt=True)
    await eventually(lambda: ws.reconnect_count >= 1)
    assert await public.wait_ready(5)
    return public, private, order


async def test_metrics_after_a_real_scenario(container: ApplicationContainer, simulator: ExchangeSimulator) -> None:
    await run_scenario(container, simulator)
    data = container.core.telemetry().collect()

    creation = points(data, "cex.provider.creation.duration")
    assert {attrs_of(p)["cex.provider.kind"] for p in creation} == {"rest", "ws", "composite"}
    calls = points(data, "cex.provider.calls")
    hit = [
        p for p in calls if has(p, cex__domain="public", cex__provider__kind="composite", cex__provider__result="hit")
    ]
    assert hit and hit[0].value >= 1
    assert points(data, "cex.provider.hit.duration")

    rest = points(data, "cex.rest.duration")
    book = [p for p in rest if has(p, url__template="/spot/order_book", http__request__method="GET")]
    assert book and attrs_of(book[0])["http.response.status_code"] == 200 and book[0].count >= 2
    assert attrs_of(book[0])["cex.venue"] == "gateio" and attrs_of(book[0])["cex.domain"] == "public"
    placed = [p for p in rest if has(p, url__template="/spot/orders", http__request__method="POST")]
    assert placed and attrs_of(placed[0])["cex.domain"] == "private"

    messages = [p for p in points(data, "cex.ws.messages") if has(p, cex__domain="public")]
    assert messages and messages[0].value > 10
    reconnects = [p for p in points(data, "cex.ws.reconnects") if has(p, cex__domain="public")]
    assert reconnects and reconnects[0].value >= 1
    assert [p for p in points(data, "cex.ws.decode_errors") if has(p, cex__domain="public")]
    handler_time = [p for p in points(data, "cex.ws.handler.duration") if has(p, cex__domain="public")]
    assert handler_time and handler_time[0].value > 0
    ages = [p for p in points(data, "cex.ws.last_message_age") if has(p, cex__domain="public")]
    assert ages and 0 <= ages[0].value < 5 and attrs_of(ages[0])["cex.stream"]
    assert any(p.value == 1 for p in points(data, "cex.ws.connected"))

    resyncs = [p for p in points(data, "cex.book.resyncs") if has(p, cex__symbol="BTC/USDT")]
    assert resyncs and resyncs[0].value >= 1
    assert next(p for p in points(data, "cex.book.gaps") if has(p, cex__symbol="BTC/USDT")).value >= 1
    assert next(p for p in points(data, "cex.book.valid") if has(p, cex__symbol="BTC/USDT")).value == 1


async def test_spans_after_a_real_scenario(container: ApplicationContainer, simulator: ExchangeSimulator) -> None:
    _, _, order = await run_scenario(container, simulator)
    exporter = container.core.telemetry().span_exporter
    assert exporter is not None

    def public_reconnects() -> list[Any]:
        found = spans_named(exporter.get_finished_spans(), "ws.reconnect")
        return [s for s in found if s.attributes["cex.domain"] == "public"]

    await eventually(lambda: bool(public_reconnects()))  # ends once the subscriptions are replayed
    spans = exporter.get_finished_spans()

    created = {span.attributes["cex.provider.key"] for span in spans_named(spans, "provider.create")}
    assert {"gateio:public", "gateio:private", "gateio:public:rest", "gateio:private:ws"} <= created
    assert all(span.attributes["cex.provider.cache_hit"] is False for span in spans_named(spans, "provider.create"))

    book = spans_named(spans, "GET /spot/order_book")[0]
    assert book.attributes["cex.venue"] == "gateio" and book.attributes["http.response.status_code"] == 200
    assert book.attributes["url.full"].endswith("/spot/order_book") and "?" not in book.attributes["url.full"]
    assert book.attributes["cex.rest.retries"] == 0

    (placement,) = spans_named(spans, "order.place")
    assert placement.attributes["cex.order.client_order_id"] == order.client_order_id
    assert placement.attributes["cex.order.id"] == order.order_id
    events = [event.name for event in placement.events]
    assert events == ["order.validated", "order.signed", "order.answered", "order.ack"]
    (post,) = [s for s in spans_named(spans, "POST /spot/orders") if s.parent is not None]
    assert post.parent.span_id == placement.context.span_id and post.context.trace_id == placement.context.trace_id
    assert [e.name for e in post.events] == ["request.signed"] and post.attributes["cex.rest.signed"] is True

    assert {s.attributes["cex.domain"] for s in spans_named(spans, "ws.connect")} == {"public", "private"}
    reconnect = public_reconnects()
    assert [e.name for e in reconnect[0].events] == ["connected", "resubscribed"]
    assert reconnect[0].attributes["cex.ws.downtime_s"] > 0


async def test_a_venue_error_is_on_the_rest_span_and_in_the_error_counter(
    container: ApplicationContainer, simulator: ExchangeSimulator
) -> None:
    rest = container.transports("gateio:private:rest")
    with pytest.raises(ExchangeAPIError):
        await rest.get_order(Symbol("BTC", "USDT"), "999999")
    exporter = container.core.telemetry().span_exporter
    assert exporter is not None
    (span,) = spans_named(exporter.get_finished_spans(), "GET /spot/orders/{id}")
    assert span.attributes["http.response.status_code"] == 404
    assert span.attributes["cex.venue.error_code"] == "ORDER_NOT_FOUND"
    assert span.status.status_code.name == "ERROR"
    errors = points(container.core.telemetry().collect(), "cex.rest.errors")
    assert any(has(p, url__template="/spot/orders/{id}", cex__venue__error_code="ORDER_NOT_FOUND") for p in errors)
