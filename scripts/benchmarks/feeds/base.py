"""What a venue stream must provide to the benchmark server."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Frame:
    """One server message: the symbol it belongs to, its last sequence / id, its payload."""

    symbol: str
    seq: int
    data: str | bytes


@dataclass
class Traffic:
    """Pre-generated traffic: warm-up frames (before the book snapshot), then the measured frames."""

    warmup: list[Frame] = field(default_factory=list)
    main: list[Frame] = field(default_factory=list)
    snapshots: dict[str, dict[str, Any]] = field(default_factory=dict)  # symbol -> REST snapshot body
    expected: dict[str, Any] = field(default_factory=dict)  # symbol -> final state (JSON-able)


class Feed(ABC):
    """A venue stream: generates traffic, answers subscriptions and the REST calls clients make."""

    venue: str
    kind: str  # "book" | "trades" | "ticker"
    ws_paths: tuple[str, ...]  # aiohttp route paths serving the WebSocket

    @property
    def name(self) -> str:
        return f"{self.venue}-{self.kind}"

    @property
    def needs_snapshot(self) -> bool:
        """Book streams hold the measured traffic until every client book fetched its REST snapshot."""
        return self.kind == "book"

    @abstractmethod
    def symbols(self, count: int) -> list[str]:
        """Native symbol ids (``count`` of them)."""

    @abstractmethod
    def generate(self, symbols: list[str], messages: int, warmup_per_symbol: int, seed: int) -> Traffic:
        """Pre-generate the traffic (``messages`` measured frames spread over ``symbols``)."""

    @abstractmethod
    def on_client_message(self, data: str | bytes) -> tuple[list[str | bytes], set[str]]:
        """Replies to one client message, and the native symbols it subscribed on the measured channel."""

    @abstractmethod
    def rest_routes(self) -> list[tuple[str, str, str]]:
        """``(method, path, handler name)``; handlers are methods ``(query, traffic) -> (status, body)``."""

    def unified(self, native: str) -> str:
        """The unified ``BASE/QUOTE`` form of a native symbol id."""
        base, _, quote = native.partition("_")
        return f"{base}/{quote}"

    def snapshot_symbol(self, path: str, query: dict[str, str]) -> str | None:
        """The symbol a REST call fetches a book snapshot of (releases the hold), else None."""
        return None
