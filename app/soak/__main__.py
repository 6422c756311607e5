"""``python -m app.soak`` (``scripts/soak``): run the soak, print the table, exit 1 on any failed check."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from app.soak.mixes import MIXES
from app.soak.runner import SoakOptions, run_soak


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scripts/soak", description="Soak test every venue under injected faults")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds (default 60; hours: e.g. 7200)")
    parser.add_argument("--faults", default="every", choices=sorted(MIXES), help="fault mix (default: every)")
    parser.add_argument("--venues", default="gateio,gateio_futures,mexc", help="comma-separated simulator venues")
    parser.add_argument("--symbols", default="BTC/USDT,ETH/USDT", help="comma-separated unified symbols")
    parser.add_argument("--checkpoint-every", type=float, default=30.0, help="seconds between full checkpoints")
    parser.add_argument("--order-interval", type=float, default=0.3, help="mean seconds between flow actions")
    parser.add_argument("--no-execute", action="store_true", help="run the monitor without paper execution")
    parser.add_argument("--max-rss-growth-mb", type=float, default=200.0, help="RSS growth bound after warm-up")
    parser.add_argument("--rest-backend", default="aiohttp", choices=("aiohttp", "lean"), help="REST client backend")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--log-level", default="ERROR", help="log level of the engine during the run")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    checkpoint = min(args.checkpoint_every, max(5.0, args.duration / 3))
    options = SoakOptions(
        duration_s=args.duration,
        faults=args.faults,
        venues=tuple(v.strip() for v in args.venues.split(",") if v.strip()),
        symbols=tuple(s.strip() for s in args.symbols.split(",") if s.strip()),
        checkpoint_every_s=checkpoint,
        order_interval_s=args.order_interval,
        execute=not args.no_execute,
        max_rss_growth_mb=args.max_rss_growth_mb,
        seed=args.seed,
        rest_backend=args.rest_backend,
    )
    print(
        f"soak: {options.duration_s:.0f} s, faults '{options.faults}', venues {', '.join(options.venues)}, "
        f"REST {options.rest_backend}",
        flush=True,
    )
    report = asyncio.run(run_soak(options, progress=lambda line: print(line, flush=True)))
    print(report.table(), flush=True)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
