"""Command line: ``cex-arb run`` (the main job) and ``cex-arb simulator`` (the venue simulator alone)."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

from app.errors import CexArbError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cex-arb", description="Cross-exchange arbitrage engine")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="live view over the configured venues (embedded simulator by default)")
    run.add_argument("--env", help="settings environment (default: $CEX_ENV or development)")
    run.add_argument("--duration", type=float, default=None, help="seconds to run (default: until Ctrl-C)")
    run.add_argument("--symbols", default=None, help="comma-separated unified symbols, e.g. BTC/USDT,ETH/USDT")
    sim = sub.add_parser("simulator", help="run the embedded exchange simulator standalone")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=0)
    sim.add_argument("--seed", type=int, default=7)
    sim.add_argument("--json", action="store_true", help="print URLs and credentials as one JSON line")
    return parser


async def _run(args: argparse.Namespace) -> int:
    from dependency_injector import providers

    from app.config import load_settings
    from app.runtime.environment import target_environment
    from app.runtime.live_view import run_live_view
    from containers.application import ApplicationContainer
    from containers.factory import shutdown_container

    settings = load_settings(args.env)
    symbols = args.symbols.split(",") if args.symbols else settings.monitor.symbols
    async with target_environment(settings) as effective:
        if effective.simulator.enabled:
            print("environment", effective.env, "- venues served by the embedded simulator on loopback")
        container = ApplicationContainer()
        container.core.settings.override(providers.Object(effective))
        container.core.logging()
        try:
            return await run_live_view(container, effective, symbols, duration_s=args.duration)
        finally:
            await shutdown_container(container)


async def _simulator(args: argparse.Namespace) -> int:
    from app.simulator.standalone import serve

    await serve(args.host, args.port, args.seed, args.json)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``cex-arb`` console script."""
    args = _parser().parse_args(argv)
    handler = _run if args.command == "run" else _simulator
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
