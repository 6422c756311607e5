"""``./scripts/bench``: run the selected parts and print one table at the end.

./scripts/bench                       # everything with defaults (under ten minutes)
./scripts/bench --parts ingest,orders  # a selection: ingest, orders, factory, scaling
./scripts/bench --quick               # small sizes, one round (a smoke run)
"""

from __future__ import annotations

import argparse
import sys
import time

from benchmarks.report import Report
from benchmarks.runner import bench_python

PARTS = ("ingest", "orders", "factory", "scaling")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/bench", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated subset of {','.join(PARTS)}")
    parser.add_argument("--messages", type=int, default=30_000, help="measured frames per ingest run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per stream (median)")
    parser.add_argument("--streams", default="", help="comma-separated ingest streams (default: all)")
    parser.add_argument("--both-backends", action="store_true", help="also measure our websockets backend")
    parser.add_argument("--orders", type=int, default=300, help="create + cancel pairs per order-path client")
    parser.add_argument("--quick", action="store_true", help="small sizes and one round")
    args = parser.parse_args(argv)
    if args.quick:
        args.messages, args.rounds, args.orders = 3_000, 1, 30
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts {sorted(unknown)}; choose from {PARTS}")
    if bench_python() is None:
        print("note: no benchmark environment (BENCH_PYTHON): ccxt and the floor are skipped", file=sys.stderr)
    report = Report()
    started = time.monotonic()
    for part in parts:
        t0 = time.monotonic()
        print(f"-- {part} ...", file=sys.stderr, flush=True)
        if part == "ingest":
            from benchmarks.parts import ingest

            streams = [s for s in args.streams.split(",") if s] or None
            ingest.run(
                report, messages=args.messages, rounds=args.rounds, streams=streams, both_backends=args.both_backends
            )
        elif part == "orders":
            from benchmarks.parts import orders

            orders.run(report, iterations=args.orders, rounds=args.rounds)
        elif part == "factory":
            from benchmarks.parts import factory

            factory.run(report, quick=args.quick)
        elif part == "scaling":
            from benchmarks.parts import scaling

            scaling.run(report, messages=args.messages, quick=args.quick)
        print(f"-- {part} done in {time.monotonic() - t0:.0f}s", file=sys.stderr, flush=True)
    print(report.render())
    print(f"\n(total {time.monotonic() - started:.0f}s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
