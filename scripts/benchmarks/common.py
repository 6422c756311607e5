"""Shared by every benchmark process (standard library only: the ccxt environment imports it too).

A client process measures one run between two marker frames that the stream server writes around the
measured traffic: ``{"bench":"start"}`` and ``{"bench":"end"}``. :class:`Meter` wraps the client's own
per-frame callback, so the identical few instructions are added to ours, ccxt's and the floor's path.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

MARK_START = '{"bench":"start"}'
MARK_END = '{"bench":"end"}'
_MARK_PREFIX = '{"bench"'
RESULT_PREFIX = "BENCH-RESULT "


@dataclass
class RunResult:
    """One client's measurement of one stream (printed as one JSON line)."""

    client: str
    stream: str
    messages: int = 0
    wall_s: float = 0.0
    cpu_s: float = 0.0
    verified: bool = False
    detail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def msgs_per_s(self) -> float:
        return self.messages / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def cpu_us_per_msg(self) -> float:
        return self.cpu_s * 1e6 / self.messages if self.messages else 0.0

    def emit(self) -> None:
        """Print the result line the orchestrator parses."""
        print(RESULT_PREFIX + json.dumps(asdict(self), separators=(",", ":")), flush=True)

    @classmethod
    def parse(cls, line: str) -> RunResult:
        return cls(**json.loads(line[len(RESULT_PREFIX) :]))


class Meter:
    """Counts frames between the start and end markers and takes CPU / wall time at both."""

    def __init__(self) -> None:
        self.started = False
        self.finished = False
        self.frames = 0
        self.cpu0 = self.cpu1 = 0.0
        self.wall0 = self.wall1 = 0.0
        self.done: Callable[[], None] | None = None

    def wrap(self, inner: Callable[[Any], Any], payload: Callable[[Any], Any] | None = None) -> Callable[[Any], Any]:
        """Return ``inner`` behind a marker check; ``payload(msg)`` extracts the frame data when needed."""

        def metered(message: Any) -> Any:
            data = message if payload is None else payload(message)
            if data.__class__ is str and data.startswith(_MARK_PREFIX):
                self._mark(data)
                return None
            if self.started and not self.finished:
                self.frames += 1
            return inner(message)

        return metered

    def _mark(self, data: str) -> None:
        if data == MARK_START:
            self.started = True
            self.frames = 0
            self.wall0 = time.perf_counter()
            self.cpu0 = time.process_time()
        elif data == MARK_END and self.started and not self.finished:
            self.cpu1 = time.process_time()
            self.wall1 = time.perf_counter()
            self.finished = True
            if self.done is not None:
                self.done()

    def fill(self, result: RunResult) -> RunResult:
        result.messages = self.frames
        result.wall_s = self.wall1 - self.wall0
        result.cpu_s = self.cpu1 - self.cpu0
        return result


def rss_mb() -> float:
    """Resident set size of this process in MB (Linux ``/proc``; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            pages = int(fh.read().split()[1])
    except OSError:
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile of ``values`` (0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100.0 * len(ordered) + 0.5) - 1))
    return ordered[index]


def fail(client: str, stream: str, exc: BaseException) -> None:
    """Emit a failed result (the table shows it) instead of a traceback only."""
    RunResult(client=client, stream=stream, detail=f"{type(exc).__name__}: {exc}"[:300]).emit()
    print(f"{client} {stream}: {type(exc).__name__}: {exc}", file=sys.stderr)


def levels_equal(got: list[tuple[Any, Any]], want: list[list[str]], unit: str = "1") -> bool:
    """Compare a client's levels (numbers) with the server's (decimal strings in venue units), best first.

    ``unit`` converts the venue's quantity to the client's (base units per contract on futures).
    """
    if len(got) != len(want):
        return False
    scale = float(unit)
    return all(
        abs(float(p) - float(wp)) < 1e-9 and abs(float(q) - float(wq) * scale) <= 1e-9 * max(1.0, float(q))
        for (p, q), (wp, wq) in zip(got, want, strict=True)
    )
