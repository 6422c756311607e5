"""Factory measurements in one fresh process (project environment); prints one JSON line.

* cache hit and new-instance creation per (exchange, domain) key, through the functional API
  (``containers.factory``) and through the container's providers;
* tracemalloc of the full exchange matrix: every supported venue x (public, private) x (REST, WS) plus
  both composites. ``instances``: built a second time (modules already imported); ``cold``: the first
  build, including importing the venue modules (third-party libraries imported before tracing).
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import time
import tracemalloc
from typing import Any

import aiohttp  # noqa: F401 - imported before tracing: third-party import cost is not the matrix's
import dependency_injector  # noqa: F401
import msgspec  # noqa: F401
import pydantic  # noqa: F401

from app.config import ExchangeConfig
from app.domain.enums import ExchangeEnum
from app.domain.handlers import create_private_handlers, create_public_handlers
from containers import factory as api


def config_for(exchange: ExchangeEnum) -> ExchangeConfig:
    return ExchangeConfig(
        name=exchange,
        rest_url="http://127.0.0.1:9/api/v4",
        ws_url="ws://127.0.0.1:9/ws",
        api_key="bench-key",
        api_secret="bench-secret",
        uid="1",
    )


def build_matrix(
    exchanges: list[ExchangeEnum], configs: dict[ExchangeEnum, ExchangeConfig], errors: dict[str, str]
) -> list[Any]:
    """Every venue x domain x transport plus both composites; a failing entry is recorded, not fatal."""
    noop = lambda item: None  # noqa: E731
    built: list[Any] = []
    for ex in exchanges:
        cfg = configs[ex]
        for name in ("public:rest", "private:rest", "public:ws", "private:ws", "public:composite", "private:composite"):
            try:
                built.append(_create(name, ex, cfg, noop))
            except Exception as exc:
                errors[f"{ex.value}:{name}"] = f"{type(exc).__name__}: {exc}"[:160]
    return built


def _create(name: str, ex: ExchangeEnum, cfg: ExchangeConfig, noop: Any) -> Any:
    domain, _, kind = name.partition(":")
    private = domain == "private"
    if kind == "rest":
        return api.create_rest_client(ex, cfg, private)
    if kind == "ws":
        handlers = create_private_handlers(noop, noop, noop) if private else create_public_handlers(noop, noop, noop)
        return api.create_websocket_client(ex, cfg, handlers, private)
    return api.create_composite_exchange(ex, cfg, private)


def per_call_us(fn: Any, count: int) -> float:
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        for _ in range(count):
            fn()
        best = min(best, (time.perf_counter() - t0) / count)
    return best * 1e6


async def main(quick: bool) -> dict[str, Any]:
    exchanges = api.get_supported_exchanges()
    configs = {ex: config_for(ex) for ex in exchanges}
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    errors: dict[str, str] = {}
    built = build_matrix(exchanges, configs, errors)
    cold = tracemalloc.get_traced_memory()[0] - base
    objects = len(built)
    del built
    await api.close_all_exchanges()
    gc.collect()
    base = tracemalloc.get_traced_memory()[0]
    built = build_matrix(exchanges, configs, {})
    instances = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    del built
    await api.close_all_exchanges()

    hits, creations = (2_000, 20) if quick else (50_000, 200)
    keys: list[dict[str, Any]] = []
    container = api.get_container()
    for ex in exchanges:
        cfg = configs[ex]
        for private in (False, True):
            domain = "private" if private else "public"
            if f"{ex.value}:{domain}:composite" in errors:
                continue
            api.create_composite_exchange(ex, cfg, private)  # cached from here on
            provider = getattr(container.composite, f"{ex.value}_{domain}_composite")
            row = {
                "key": f"{ex.value}:{domain}",
                "hit_api_us": per_call_us(
                    lambda ex=ex, cfg=cfg, p=private: api.create_composite_exchange(ex, cfg, p), hits
                ),
                "hit_container_us": per_call_us(provider, hits),
                "create_api_us": per_call_us(
                    lambda ex=ex, cfg=cfg, p=private: api.create_composite_exchange(ex, cfg, p, use_cache=False),
                    creations,
                ),
            }
            raw = getattr(container.composite, f"{ex.value}_{domain}_composite_raw", None)
            singleton = raw if raw is not None and hasattr(raw, "reset") else provider

            def create_via_container(singleton: Any = singleton) -> None:
                singleton.reset()
                singleton()

            row["create_container_us"] = per_call_us(create_via_container, creations)
            if raw is not None:  # the venue provider without the middleware chain (containers/middleware.py)
                singleton()
                row["hit_raw_provider_us"] = per_call_us(raw, hits)
            keys.append(row)
            await api.close_all_exchanges()
    return {"exchanges": [ex.value for ex in exchanges], "objects": objects, "instances_bytes": instances,
            "cold_bytes": cold, "keys": keys, "errors": errors}  # fmt: skip


if __name__ == "__main__":
    print("BENCH-FACTORY " + json.dumps(asyncio.run(main("--quick" in sys.argv))), flush=True)
