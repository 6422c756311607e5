"""The middleware chain every decorated provider call goes through.

``provide(key, inner, args, kwargs)`` calls the raw provider, tells whether the result is the cached
instance (hit) or a new one (miss), decorates each new instance once through the layers (innermost
last in the list first, so the first layer is the outermost), and reports one :class:`ProvideEvent`
per call to every layer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from app.middleware.keys import ProviderKey, parse_key

_perf_counter = time.perf_counter


def _started_ns(duration_s: float) -> int:
    """Wall-clock start (ns) of a call that took ``duration_s`` and just ended (for spans)."""
    return time.time_ns() - int(duration_s * 1e9)


class ProvideEvent:
    """One provider call: which key, cache hit or a new instance, how long, which error."""

    __slots__ = ("duration_s", "error", "hit", "key", "started_ns")

    def __init__(
        self, key: ProviderKey, hit: bool, duration_s: float, started_ns: int, error: BaseException | None = None
    ) -> None:
        self.key = key
        self.hit = hit
        self.duration_s = duration_s
        self.started_ns = started_ns  # wall clock, for spans
        self.error = error

    def __repr__(self) -> str:
        return f"ProvideEvent({self.key.text}, hit={self.hit}, {self.duration_s * 1e6:.1f}us, error={self.error!r})"


class ProviderMiddleware:
    """A layer. Override :meth:`decorate` (once per new instance) and/or :meth:`observe` (every call)."""

    name = "middleware"
    observe_hits = False  # True: observe() is called for cache hits too (costs an event per lookup)

    def bind(self, chain: MiddlewareChain) -> None:
        """Called once by the chain; ``chain.stats`` holds the per-key lookup figures."""
        self.chain = chain

    def decorate(self, key: ProviderKey, instance: Any) -> Any:
        """Instrument a new instance; return it (or a stand-in with the same interface)."""
        return instance

    def observe(self, event: ProvideEvent) -> None:
        """Record a creation or a failed lookup (and hits when ``observe_hits``)."""


class ProviderStats:
    """Per-key provider figures kept in-process (read by metric callbacks and health)."""

    __slots__ = ("create_time_max_s", "create_time_s", "errors", "hit_time_max_s", "hit_time_s", "hits", "misses")

    def __init__(self) -> None:
        self.hits = 0
        self.misses = 0
        self.errors = 0
        self.hit_time_s = 0.0
        self.hit_time_max_s = 0.0
        self.create_time_s = 0.0
        self.create_time_max_s = 0.0

    @property
    def calls(self) -> int:
        return self.hits + self.misses + self.errors

    @property
    def average_creation_time_s(self) -> float:
        return self.create_time_s / self.misses if self.misses else 0.0

    @property
    def average_hit_time_s(self) -> float:
        return self.hit_time_s / self.hits if self.hits else 0.0


class MiddlewareChain:
    """Applies ``layers`` (outermost first) to the calls of every decorated provider."""

    def __init__(self, layers: Sequence[ProviderMiddleware]) -> None:
        self.layers: tuple[ProviderMiddleware, ...] = tuple(layers)
        self.stats: dict[ProviderKey, ProviderStats] = {}
        self._observers = tuple(layer.observe for layer in self.layers)
        self._hit_observers = tuple(layer.observe for layer in self.layers if layer.observe_hits)
        # key -> (raw instance, decorated instance, the key's stats, the parsed key)
        self._last: dict[str, tuple[Any, Any, ProviderStats, ProviderKey]] = {}
        self._keys: dict[str, tuple[ProviderKey, ProviderStats]] = {}
        for layer in self.layers:
            layer.bind(self)

    def provide(self, key: str, inner: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Call ``inner(*args, **kwargs)`` and return the (decorated) instance; see the module doc.

        The cache hit is the hot path (measured in ``scripts/bench``): one clock pair, one dict lookup whose
        entry carries the key's stats; the wall-clock start of an event is derived only when one is built.
        """
        began = _perf_counter()
        try:
            raw = inner(*args, **kwargs) if args or kwargs else inner()
        except BaseException as exc:
            duration = _perf_counter() - began
            parsed, stats = self._known(key)
            stats.errors += 1
            self._notify(ProvideEvent(parsed, False, duration, _started_ns(duration), exc))
            raise
        last = self._last.get(key)
        if last is not None and last[0] is raw:
            duration = _perf_counter() - began
            stats = last[2]
            stats.hits += 1
            stats.hit_time_s += duration
            if duration > stats.hit_time_max_s:
                stats.hit_time_max_s = duration
            if self._hit_observers:
                event = ProvideEvent(last[3], True, duration, _started_ns(duration))
                for observe in self._hit_observers:
                    observe(event)
            return last[1]
        parsed, stats = self._known(key)
        instance = self.decorate(key, raw)
        self._last[key] = (raw, instance, stats, parsed)
        duration = _perf_counter() - began
        stats.misses += 1
        stats.create_time_s += duration
        if duration > stats.create_time_max_s:
            stats.create_time_max_s = duration
        self._notify(ProvideEvent(parsed, False, duration, _started_ns(duration)))
        return instance

    def _known(self, key: str) -> tuple[ProviderKey, ProviderStats]:
        known = self._keys.get(key)
        if known is None:
            parsed = parse_key(key)
            known = self._keys[key] = (parsed, self.stats.setdefault(parsed, ProviderStats()))
        return known

    def decorate(self, key: str, instance: Any) -> Any:
        """Pass a new instance through every layer's :meth:`ProviderMiddleware.decorate`, innermost first."""
        parsed = parse_key(key)
        for layer in reversed(self.layers):
            instance = layer.decorate(parsed, instance)
        return instance

    def forget(self) -> None:
        """Drop the cached raw -> decorated pairs (after a shutdown)."""
        self._last.clear()

    def _notify(self, event: ProvideEvent) -> None:
        for observe in self._observers:
            observe(event)

    def __repr__(self) -> str:
        return f"MiddlewareChain({' -> '.join(layer.name for layer in self.layers)})"
