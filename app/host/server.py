"""The host application: ``create_app(container)`` and ``serve(...)`` behind ``cex-arb serve``.

``create_app`` wires the handlers to the container, starts the monitor (and the accounts view) on
start-up, and on clean-up stops them, closes everything the container created and unwires.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Sequence

from aiohttp import web
from dependency_injector import providers

from app.domain.enums import ExchangeEnum
from app.host import handlers
from app.host.container import HostContainer

CONTAINER_KEY = web.AppKey("container", HostContainer)


def create_app(container: HostContainer) -> web.Application:
    """The aiohttp application over ``container`` (wired now, unwired on clean-up)."""
    container.wire(modules=[handlers])
    app = web.Application()
    app[CONTAINER_KEY] = container
    app.router.add_get("/spreads", handlers.spreads)
    app.router.add_get("/books", handlers.books)
    app.router.add_get("/opportunities", handlers.opportunities)
    app.router.add_get("/balances", handlers.balances)
    app.on_startup.append(_start)
    app.on_cleanup.append(_stop)
    return app


async def _start(app: web.Application) -> None:
    container = app[CONTAINER_KEY]
    monitor = container.monitor()
    await monitor.start()
    await container.accounts().start(monitor.config.symbols)


async def _stop(app: web.Application) -> None:
    from containers.factory import shutdown_container

    container = app[CONTAINER_KEY]
    try:
        await container.monitor().close()
        await shutdown_container(container)
    finally:
        container.unwire()


async def serve(
    *,
    env: str | None = None,
    host: str = "127.0.0.1",
    port: int = 8080,
    symbols: Sequence[str] | None = None,
    venues: Sequence[str] | None = None,
    duration_s: float | None = None,
) -> None:
    """Run the host app (against the embedded simulator in development) until Ctrl-C or ``duration_s``."""
    from app.config import load_settings
    from app.runtime.environment import target_environment

    settings = load_settings(env, require_private_credentials=False)
    update: dict[str, object] = {}
    if symbols:
        update["symbols"] = list(symbols)
    if venues:
        update["venues"] = [ExchangeEnum(v.lower()) for v in venues]
    if update:
        settings = settings.model_copy(update={"monitor": settings.monitor.model_copy(update=update)})
    async with target_environment(settings) as effective:
        container = HostContainer()
        container.core.settings.override(providers.Object(effective))
        container.core.logging()
        runner = web.AppRunner(create_app(container), access_log=None)
        await runner.setup()
        try:
            site = web.TCPSite(runner, host, port)
            await site.start()
            bound = runner.addresses[0]
            print(f"serving http://{bound[0]}:{bound[1]}/ : GET /spreads /books /opportunities /balances", flush=True)
            await _until_stopped(duration_s)
        finally:
            await runner.cleanup()


async def _until_stopped(duration_s: float | None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(sig, stop.set)
            installed.append(sig)
    deadline = None if duration_s is None else time.monotonic() + duration_s
    try:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), None if deadline is None else max(0.0, deadline - time.monotonic()))
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
