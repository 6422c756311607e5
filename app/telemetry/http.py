"""``GET /health`` (liveness + readiness JSON) and ``GET /metrics`` (Prometheus text) on a loopback port.

``serve_telemetry(container, host, port)`` is an async context manager: the aiohttp server runs while
the block runs and is closed after it. ``/health`` answers 200 when ready, 503 when not (the body says
why); ``/health?live`` answers liveness only (200 while the process answers).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web

from app.telemetry.prometheus import CONTENT_TYPE, render


class TelemetryServer:
    """A small aiohttp app over the container's health middleware and telemetry."""

    def __init__(self, health: Any, telemetry: Any, supported_exchanges: list[str], *, host: str, port: int) -> None:
        self._health = health
        self._telemetry = telemetry
        self._supported = supported_exchanges
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/health", self._health_view)
        app.router.add_get("/metrics", self._metrics_view)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port)
        await site.start()
        addresses = self._runner.addresses
        self.port = int(addresses[0][1]) if addresses else self._port

    async def close(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def _health_view(self, request: web.Request) -> web.Response:
        if "live" in request.query:
            return web.json_response({"live": True})
        report = self._health.report(self._supported)
        return web.Response(
            text=json.dumps(report.to_dict(), indent=2),
            status=200 if report.ready else 503,
            content_type="application/json",
        )

    async def _metrics_view(self, request: web.Request) -> web.Response:
        body = render(self._telemetry.collect())
        return web.Response(body=body.encode(), headers={"Content-Type": CONTENT_TYPE})


@asynccontextmanager
async def serve_telemetry(container: Any, *, host: str, port: int) -> AsyncIterator[TelemetryServer]:
    """Serve ``/health`` and ``/metrics`` for ``container`` (an ApplicationContainer) while the block runs."""
    from app.domain.enums import ExchangeEnum

    supported = [ex.value for ex in ExchangeEnum if hasattr(container.transport, f"{ex.value}_public_rest")]
    server = TelemetryServer(container.core.health(), container.core.telemetry(), supported, host=host, port=port)
    await server.start()
    try:
        yield server
    finally:
        await server.close()
