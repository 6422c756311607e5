"""Soak harness (``scripts/soak``): every venue under injected faults, with checks and one table of figures."""
