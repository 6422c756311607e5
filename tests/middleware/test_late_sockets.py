"""Sockets a client opens after it was built (MEXC opens one connection per 30 channels, on subscribe) are
adopted by the middleware when they open: their reconnects are traced like any other stream's."""

from __future__ import annotations

from typing import Any

from app.domain.enums import ExchangeEnum
from app.simulator import ExchangeSimulator
from containers.factory import shutdown_container
from tests.middleware.helpers import eventually, make_container, settings_for, spans_named


async def test_mexc_shards_opened_on_subscribe_get_reconnect_spans(simulator: ExchangeSimulator) -> None:
    mexc = simulator.exchange_config(ExchangeEnum.MEXC).model_copy(
        update={"request_timeout_s": 2.0, "ws_reconnect_max_delay_s": 0.2, "book_depth": 50}
    )
    container = make_container(settings_for(simulator).with_exchange(mexc))
    try:
        public = container.composites("mexc:public")  # decorated before any connection exists
        await public.initialize(["BTC/USDT"])  # the shards open here
        assert await public.wait_ready(5)
        exporter = container.core.telemetry().span_exporter
        assert exporter is not None

        def mexc_spans(name: str) -> list[Any]:
            return [s for s in spans_named(exporter.get_finished_spans(), name) if s.attributes["cex.venue"] == "mexc"]

        assert mexc_spans("ws.connect")  # adopted as it opened, before any metric collection
        assert await simulator.mexc.faults.drop_ws_connections(abrupt=True) >= 1
        await eventually(lambda: bool(mexc_spans("ws.reconnect")))
        (reconnect, *_) = mexc_spans("ws.reconnect")
        assert [event.name for event in reconnect.events] == ["connected", "resubscribed"]
        assert reconnect.attributes["cex.domain"] == "public"
    finally:
        await shutdown_container(container)
