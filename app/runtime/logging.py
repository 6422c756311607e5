"""Logging set-up as a container Resource."""

from __future__ import annotations

import logging
from collections.abc import Iterator


def configure_logging(level: str = "INFO") -> Iterator[logging.Logger]:
    """Configure the root logger once; yield the ``cex_arb`` logger (a sync Resource initializer)."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    else:
        root.setLevel(level)
    yield logging.getLogger("cex_arb")
