"""Balances of every venue that has credentials, read from the private composites' stream-kept caches."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence

from app.composite.interfaces import CompositePrivateExchange


class AccountsView:
    """Read-only access to the balances of the venues with a private composite (none without credentials)."""

    def __init__(self, privates: Mapping[str, CompositePrivateExchange]) -> None:
        self.privates = dict(privates)
        self._started = False

    async def start(self, symbols: Sequence[str]) -> None:
        """Initialize the private composites (snapshot + private streams); idempotent."""
        if self._started:
            return
        self._started = True
        await asyncio.gather(*(private.initialize(list(symbols)) for private in self.privates.values()))

    async def balances(self) -> dict[str, dict[str, dict[str, str]]]:
        """``{venue: {asset: {"free", "locked", "total"}}}`` with decimal strings (non-zero assets only)."""
        result: dict[str, dict[str, dict[str, str]]] = {}
        for venue, private in self.privates.items():
            balances = await private.get_balances()
            result[venue] = {
                asset: {"free": str(b.free), "locked": str(b.locked), "total": str(b.total)}
                for asset, b in sorted(balances.items())
                if b.total
            }
        return result
