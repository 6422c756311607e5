"""Find the transports, sockets and books inside a venue object, by the shapes the venues share.

REST clients expose ``.transport`` (:class:`RestTransport`); WebSocket clients ``.ws`` (one
:class:`ReconnectingWebSocket`) or ``.shards`` (objects with ``.ws``, MEXC); public composites
``symbols`` + ``book_synchronizer(symbol)``. Anything else (a test fake) is simply not instrumented.
"""

from __future__ import annotations

from typing import Any

from app.transport.rest import RestTransport
from app.transport.websocket import ReconnectingWebSocket


def _attribute(instance: Any, name: str) -> Any:
    try:
        return getattr(instance, name, None)
    except Exception:  # a property that cannot answer yet (no connection opened)
        return None


def rest_transport(instance: Any) -> RestTransport | None:
    transport = _attribute(instance, "transport")
    return transport if isinstance(transport, RestTransport) else None


def websockets(instance: Any) -> list[ReconnectingWebSocket]:
    """The sockets of a WebSocket client (current shards included); [] for anything else."""
    ws = _attribute(instance, "ws")
    if isinstance(ws, ReconnectingWebSocket):
        return [ws]
    try:
        shards = list(_attribute(instance, "shards") or ())
    except TypeError:
        return []
    return [shard.ws for shard in shards if isinstance(getattr(shard, "ws", None), ReconnectingWebSocket)]


def book_synchronizers(instance: Any) -> list[Any]:
    """``(symbol, synchronizer)`` sources of a public composite: its ``BookSynchronizer`` objects."""
    book_synchronizer = getattr(instance, "book_synchronizer", None)
    if not callable(book_synchronizer):
        return []
    try:
        symbols = list(getattr(instance, "symbols", ()) or ())
        found = [book_synchronizer(symbol) for symbol in symbols]
    except Exception:
        return []
    return [sync for sync in found if isinstance(getattr(sync, "resyncs", None), int)]
