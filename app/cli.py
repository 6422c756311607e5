"""Command line: ``cex-arb run`` (the main job), ``cex-arb serve`` (the host app) and ``cex-arb simulator``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from typing import Any

from app.errors import CexArbError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cex-arb", description="Cross-exchange arbitrage engine")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="live view over the configured venues (embedded simulator by default)")
    run.add_argument("--env", help="settings environment (default: $CEX_ENV or development)")
    run.add_argument("--duration", type=float, default=None, help="seconds to run (default: until Ctrl-C)")
    run.add_argument("--symbols", default=None, help="comma-separated unified symbols, e.g. BTC/USDT,ETH/USDT")
    _add_monitor_arguments(run)
    run.add_argument("--serve-port", type=int, default=None, help="serve GET /health and /metrics on this port")
    serve = sub.add_parser("serve", help="host app: live spreads, books and balances as JSON over HTTP")
    serve.add_argument("--env", help="settings environment (default: $CEX_ENV or development)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8080, help="HTTP port (0 = a free one)")
    serve.add_argument("--symbols", default=None, help="comma-separated unified symbols")
    serve.add_argument("--venues", default=None, help="comma-separated venues (default: settings monitor.venues)")
    serve.add_argument("--duration", type=float, default=None, help="seconds to serve (default: until Ctrl-C)")
    health = sub.add_parser("health", help="start the venues, print health and factory figures (exit 0 = ready)")
    health.add_argument("--env", help="settings environment (default: $CEX_ENV or development)")
    health.add_argument("--json", action="store_true", help="machine-readable JSON instead of the table")
    health.add_argument("--symbols", default=None, help="comma-separated unified symbols")
    health.add_argument("--venues", default=None, help="comma-separated venues (default: settings monitor.venues)")
    health.add_argument("--timeout", type=float, default=15.0, help="seconds to wait for each composite")
    sim = sub.add_parser("simulator", help="run the embedded exchange simulator standalone")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=0)
    sim.add_argument("--seed", type=int, default=7)
    sim.add_argument("--json", action="store_true", help="print URLs and credentials as one JSON line")
    return parser


async def _run(args: argparse.Namespace) -> int:
    from dependency_injector import providers

    from app.config import load_settings
    from app.monitor.runner import RunOptions, run_monitor
    from app.runtime.environment import target_environment
    from containers.application import ApplicationContainer
    from containers.factory import shutdown_container

    # credentials are checked per selected venue by the run itself (read-only without them, unless --execute)
    settings = load_settings(args.env, require_private_credentials=False)
    symbols = args.symbols.split(",") if args.symbols else settings.monitor.symbols
    async with target_environment(settings) as effective:
        if effective.simulator.enabled:
            print("environment", effective.env, "- venues served by the embedded simulator on loopback")
        container = ApplicationContainer()
        container.core.settings.override(providers.Object(effective))
        container.core.logging()
        try:
            options = RunOptions(
                symbols=symbols,
                venues=_split(args.venues),
                threshold_bps=args.threshold_bps,
                size_quote=args.size,
                duration_s=args.duration,
                execute=args.execute,
                allow_live=args.allow_live_trading,
                rich=False if args.plain else None,
            )
            async with _telemetry_server(container, effective, args.serve_port):
                await run_monitor(container, effective, options)
            return 0
        finally:
            await shutdown_container(container)


def _add_monitor_arguments(run: argparse.ArgumentParser) -> None:
    run.add_argument("--venues", default=None, help="comma-separated venues (default: settings monitor.venues)")
    run.add_argument("--threshold-bps", type=float, default=None, help="opportunity threshold after fees (bps)")
    run.add_argument("--size", type=float, default=None, help="trade size in quote units (e.g. 100 = 100 USDT)")
    run.add_argument("--execute", action="store_true", help="trade the opportunities (IOC limits on both legs)")
    run.add_argument(
        "--allow-live-trading", action="store_true", help="with --execute: allow real venues (needs credentials)"
    )
    run.add_argument("--plain", action="store_true", help="plain text lines even on a terminal")


def _split(value: str | None) -> list[str] | None:
    return [part.strip() for part in value.split(",") if part.strip()] if value else None


async def _serve(args: argparse.Namespace) -> int:
    from app.host.server import serve

    await serve(
        env=args.env,
        host=args.host,
        port=args.port,
        symbols=_split(args.symbols),
        venues=_split(args.venues),
        duration_s=args.duration,
    )
    return 0


def _telemetry_server(container: Any, settings: Any, port: int | None) -> contextlib.AbstractAsyncContextManager[Any]:
    """GET /health and /metrics while the job runs, when a port is given (``--serve-port`` or settings)."""
    port = settings.telemetry.serve_port if port is None else port
    if port is None:
        return contextlib.nullcontext()
    from app.telemetry.http import serve_telemetry

    return serve_telemetry(container, host=settings.telemetry.serve_host, port=port)


async def _health(args: argparse.Namespace) -> int:
    from app.telemetry.health_command import run_health

    return await run_health(
        env=args.env,
        as_json=args.json,
        symbols=_split(args.symbols),
        venues=_split(args.venues),
        timeout_s=args.timeout,
    )


async def _simulator(args: argparse.Namespace) -> int:
    from app.simulator.standalone import serve

    await serve(args.host, args.port, args.seed, args.json)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``cex-arb`` console script."""
    args = _parser().parse_args(argv)
    handler = {"run": _run, "serve": _serve, "health": _health}.get(args.command, _simulator)
    try:
        return asyncio.run(handler(args))
    except KeyboardInterrupt:
        return 130
    except CexArbError as exc:
        print(f"cex-arb: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        raise SystemExit(main())
