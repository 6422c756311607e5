"""The sockets of every WebSocket client created under one provider key.

Clients are added when created; their sockets are enumerated on demand and, for a client that opens
sockets later (MEXC shards, ``add_socket_listener``), as soon as one opens. Each new socket is handed
once to ``on_new`` (to attach listeners), and a closed socket's counters are folded into
:attr:`StreamSet.retired` so cumulative metrics never go backwards.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.middleware.introspect import websockets
from app.transport.websocket import ReconnectingWebSocket


@dataclass(slots=True)
class StreamCounts:
    """Cumulative counters of one or more sockets."""

    messages: int = 0
    decode_errors: int = 0
    handler_errors: int = 0
    reconnects: int = 0
    handler_time_s: float = 0.0

    def add(self, ws: ReconnectingWebSocket) -> None:
        self.messages += ws.messages
        self.decode_errors += ws.decode_errors
        self.handler_errors += ws.handler_errors
        self.reconnects += ws.reconnect_count
        self.handler_time_s += ws.handler_time_s


class StreamSet:
    """Sockets of the clients of one key; see the module doc."""

    def __init__(self, on_new: Callable[[ReconnectingWebSocket], None] | None = None) -> None:
        self._owners: list[Any] = []
        self._sockets: dict[int, ReconnectingWebSocket] = {}
        self._on_new = on_new
        self.retired = StreamCounts()

    def add_owner(self, owner: Any) -> None:
        self._owners.append(owner)
        self.refresh()
        add_socket_listener = getattr(owner, "add_socket_listener", None)
        if callable(add_socket_listener):  # sockets opened later (MEXC shards) are adopted when they open
            add_socket_listener(lambda _ws: self.refresh())

    def refresh(self) -> list[ReconnectingWebSocket]:
        """Open sockets now; adopts new ones, folds and forgets closed ones (and owners left empty)."""
        open_sockets: list[ReconnectingWebSocket] = []
        keep: list[Any] = []
        for owner in self._owners:
            sockets = websockets(owner)
            alive = False
            for ws in sockets:
                if id(ws) not in self._sockets:
                    if ws.closed:
                        continue
                    self._sockets[id(ws)] = ws
                    if self._on_new is not None:
                        self._on_new(ws)
                if ws.closed:
                    self.retired.add(self._sockets.pop(id(ws)))
                else:
                    alive = True
                    open_sockets.append(ws)
            if alive or not sockets:
                keep.append(owner)
        self._owners = keep
        return open_sockets

    def totals(self) -> StreamCounts:
        """Cumulative counters: retired sockets plus the open ones."""
        counts = StreamCounts(**{f: getattr(self.retired, f) for f in StreamCounts.__slots__})
        for ws in self.refresh():
            counts.add(ws)
        return counts
