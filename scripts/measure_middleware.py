"""Measure what the provider middleware costs: per cached provider call, per REST call, per WS message.

    .venv/bin/python scripts/measure_middleware.py [--rest-calls 2000] [--lookups 100000]

* cached provider call: the raw Singleton vs the Decorated provider (performance + health + tracing) with
  the exporter ``none`` (production default) and ``memory`` (every span recorded).
* REST call: the observers' own work per request (synthetic, no network noise) and end-to-end
  ``GET /spot/time`` against the embedded simulator with and without the observers.
* WS message: the reader loop over a fake connection with ``measure_handlers`` off and on.
Loopback only; bounded loops; prints one table.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dependency_injector import providers

from app.config import validate_settings
from app.domain.enums import ExchangeEnum
from app.simulator import ExchangeSimulator
from app.transport.rest import RestCall
from app.transport.websocket import ReconnectingWebSocket
from containers.application import ApplicationContainer
from containers.factory import shutdown_container

GATE = {"rest_url": "http://127.0.0.1:9/api/v4", "ws_url": "ws://127.0.0.1:9/ws/v4/"}


def per_call_ns(fn: Callable[[], Any], n: int, repeats: int = 5) -> float:
    """Best-of-``repeats`` mean time per call, in ns."""
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter_ns()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter_ns() - began) / n)
    return best


def container_for(exporter: str, gate: dict[str, Any] | None = None) -> ApplicationContainer:
    settings = validate_settings(
        {"env": "testing", "exchanges": {"gateio": gate or GATE}, "telemetry": {"exporter": exporter}}
    )
    container = ApplicationContainer()
    container.core.settings.override(providers.Object(settings))
    return container


async def provider_lookups(n: int) -> list[tuple[str, float]]:
    rows = []
    for exporter in ("none", "memory"):
        c = container_for(exporter)
        c.transports("gateio:public:rest")
        raw = c.transport.gateio_public_rest_raw
        decorated = c.transport.gateio_public_rest
        lookup = c.transports
        rows.append((f"raw Singleton() [{exporter}]", per_call_ns(raw, n)))
        rows.append((f"Decorated() cached [{exporter}]", per_call_ns(decorated, n)))
        rows.append(
            (
                f"Aggregate('gateio:public:rest') [{exporter}]",
                per_call_ns(functools.partial(lookup, "gateio:public:rest"), n),
            )
        )
        await shutdown_container(c)
    return rows


def _observe_once(observers: Any, call: RestCall) -> Callable[[], None]:
    def observe_once() -> None:
        tokens = [o.request_started(call) for o in observers]
        call.duration_s = 0.0001
        for o, t in zip(observers, tokens, strict=True):
            o.request_finished(call, t)

    return observe_once


async def rest_calls(n: int) -> list[tuple[str, float]]:
    rows = []
    for exporter in ("none", "memory"):
        c = container_for(exporter)
        rest = c.transports("gateio:public:rest")
        observers = rest.transport._observers
        call = RestCall(
            "gateio", "GET", "/spot/time", False, "http://127.0.0.1:9/api/v4", time.time_ns(), time.perf_counter()
        )

        rows.append(
            (f"REST observers only, per request [{exporter}]", per_call_ns(_observe_once(observers, call), 20_000))
        )
        await shutdown_container(c)

    async with ExchangeSimulator(tick_interval_s=0.5) as sim:
        sim.gateio.rate_limits.set_limit("GET /spot/time", 1_000_000, 1.0)
        gate = sim.exchange_config(ExchangeEnum.GATEIO).model_dump(mode="json")
        gate.pop("name")
        credentials = gate.pop("credentials")
        gate |= {k: v for k, v in credentials.items() if v}
        gate["rate_limits"] = {"public_per_10s": 100_000}  # measure the call, not the client-side budget
        for exporter in ("none", "memory"):
            c = container_for(exporter, gate)
            instrumented = c.transports("gateio:public:rest")
            assert instrumented is c.transport.gateio_public_rest_raw()  # observers are attached in place
            transport = instrumented.transport
            saved = transport._observers
            samples: dict[str, list[float]] = {"off": [], "on": []}
            for _ in range(n // 100):
                for mode in ("off", "on"):
                    transport._observers = () if mode == "off" else saved
                    began = time.perf_counter()
                    for _ in range(50):
                        await transport.request("GET", "/spot/time")
                    samples[mode].append((time.perf_counter() - began) / 50 * 1e9)
            transport._observers = saved
            off, on = statistics.median(samples["off"]), statistics.median(samples["on"])
            rows.append((f"GET /spot/time end to end, no observers [{exporter}]", off))
            rows.append((f"GET /spot/time end to end, observed [{exporter}]", on))
            await shutdown_container(c)
    return rows


class _FakeConnection:
    def __init__(self, count: int) -> None:
        self._left = count

    async def receive(self) -> str | None:
        if self._left <= 0:
            return None
        self._left -= 1
        return '{"x":1}'

    async def send(self, message: str | bytes) -> None: ...

    async def close(self) -> None: ...


async def ws_messages(n: int) -> list[tuple[str, float]]:
    rows = []
    for measured in (False, True):

        async def connected(is_reconnect: bool) -> None: ...

        best = float("inf")
        for _ in range(5):
            ws = ReconnectingWebSocket(
                "ws://unused",
                name="bench",
                backend=None,  # type: ignore[arg-type]
                on_message=lambda data: None,
                on_connected=connected,
                ping_message=None,
                ping_interval_s=60,
                idle_timeout_s=60,
                max_backoff_s=1,
            )
            ws.measure_handlers = measured
            began = time.perf_counter_ns()
            await ws._read(_FakeConnection(n))  # type: ignore[arg-type]
            best = min(best, (time.perf_counter_ns() - began) / n)
        rows.append((f"WS reader loop per message, measure_handlers={measured}", best))
    return rows


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lookups", type=int, default=100_000)
    parser.add_argument("--rest-calls", type=int, default=2_000)
    parser.add_argument("--ws-messages", type=int, default=200_000)
    args = parser.parse_args()
    rows = (
        await provider_lookups(args.lookups) + await rest_calls(args.rest_calls) + await ws_messages(args.ws_messages)
    )
    width = max(len(name) for name, _ in rows)
    print(f"{'measurement':<{width}}  {'per call':>12}")
    for name, ns in rows:
        print(f"{name:<{width}}  {ns / 1000:>9.2f} µs")


if __name__ == "__main__":
    asyncio.run(main())
