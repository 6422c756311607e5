"""How the containers build venue objects: imported lazily, owned by a registry that closes them.

``build(registry, "module:Class", **kwargs)`` imports the class on first use (so a venue's modules are
imported only when that venue is first created), constructs it, and registers it with the
:class:`ClosableRegistry` when it has an async ``close()``. Shutdown closes everything last-in first-out:
composites before the transports they use, transports before the HTTP session.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from typing import Any

_log = logging.getLogger(__name__)
_CLASS_CACHE: dict[str, Any] = {}


def import_object(path: str) -> Any:
    """Import ``"package.module:Name"`` (cached)."""
    found = _CLASS_CACHE.get(path)
    if found is None:
        module_name, _, attr = path.partition(":")
        found = getattr(importlib.import_module(module_name), attr)
        _CLASS_CACHE[path] = found
    return found


class ClosableRegistry:
    """Owns every object with an async ``close()`` that a container created."""

    def __init__(self) -> None:
        self._owned: list[Any] = []
        self._ids: set[int] = set()

    def add(self, obj: Any) -> Any:
        if id(obj) not in self._ids and callable(getattr(obj, "close", None)):
            self._ids.add(id(obj))
            self._owned.append(obj)
        return obj

    def __len__(self) -> int:
        return len(self._owned)

    async def aclose(self) -> None:
        """Close every owned object, newest first; errors are logged, never raised half-way."""
        while self._owned:
            obj = self._owned.pop()
            self._ids.discard(id(obj))
            try:
                result = obj.close()
                if asyncio.iscoroutine(result):
                    await result
            except Exception:  # pragma: no cover - logged, shutdown goes on
                _log.exception("error while closing %s", type(obj).__name__)


def build(registry: ClosableRegistry, path: str, *args: Any, **kwargs: Any) -> Any:
    """Import ``path`` lazily, construct it with the injected arguments, register it for shutdown."""
    return registry.add(import_object(path)(*args, **kwargs))
