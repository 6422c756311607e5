"""Synthetic venue traffic for the stream benchmarks: one module per venue, registered in :data:`FEEDS`.

Adding a venue stream is one entry here: a name and a factory returning a :class:`~benchmarks.feeds.
base.Feed` (frames, subscribe acks, REST routes the clients need, expected final state).
"""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.feeds.base import Feed
from benchmarks.feeds.gateio_futures import GateioFuturesFeed
from benchmarks.feeds.gateio_spot import GateioSpotFeed
from benchmarks.feeds.mexc_spot import MexcSpotFeed

FEEDS: dict[str, Callable[[], Feed]] = {
    "gateio-spot-book": lambda: GateioSpotFeed("book"),
    "gateio-spot-trades": lambda: GateioSpotFeed("trades"),
    "gateio-spot-ticker": lambda: GateioSpotFeed("ticker"),
    "gateio-futures-book": lambda: GateioFuturesFeed("book"),
    "mexc-spot-book": lambda: MexcSpotFeed("book"),
}
