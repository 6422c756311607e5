"""Benchmarks side by side with ccxt: stream ingest, order path, factory, scaling (run ``./scripts/bench``).

Layout: ``feeds/`` (synthetic venue traffic), ``server.py`` (the local stream server, its own process),
``clients/`` (one process per measured client: ours, ccxt.pro, the bare floor), ``parts/`` (the four
benchmark parts), ``report.py`` (the table). Modules the ccxt client imports (``common``, ``clients.
ccxt_pro``, ``clients.floor``) use only the standard library and the benchmark environment's packages.
"""
