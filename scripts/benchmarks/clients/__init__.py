"""One process per measured client; each prints a ``BENCH-RESULT`` JSON line (see ``benchmarks.common``)."""
