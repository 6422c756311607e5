"""Command line: ``cex-arb run | simulator``."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cex-arb", description="Cross-exchange arbitrage engine")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="run the live arbitrage monitor")
    args = parser.parse_args(argv)
    print(f"cex-arb {args.command}: not implemented yet", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
