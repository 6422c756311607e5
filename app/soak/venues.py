"""The simulator's side of each soak check: a venue's own book, sequence, account and order records.

Books are returned in the units the composites report (the futures venue keeps contracts; the composites
report base units, so its levels are multiplied by the contract's ``quanto_multiplier``).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from app.domain.models import Balance

Levels = list[tuple[Decimal, Decimal]]


@dataclass(frozen=True, slots=True)
class SimVenueView:
    """Read-only access to one simulated venue for the soak checks."""

    name: str
    venue: Any
    assets: tuple[str, ...]

    def _multiplier(self, native: str) -> Decimal:
        contracts = getattr(self.venue, "contracts", None)
        return contracts[native].multiplier if contracts is not None else Decimal(1)

    def book(self, native: str, depth: int) -> tuple[Levels, Levels]:
        engine, mult = self.venue.engines[native], self._multiplier(native)
        return (
            [(price, size * mult) for price, size in engine.bids.depth(depth)],
            [(price, size * mult) for price, size in engine.asks.depth(depth)],
        )

    def sequence(self, native: str) -> int:
        sequence: int = self.venue.engines[native].sequence
        return sequence

    def balance(self, asset: str) -> Balance:
        held = self.venue.ledger.accounts[self.venue.user.uid].balance(asset)
        return Balance(asset, held.free, held.locked)

    def balances(self) -> dict[str, Balance]:
        return {asset: self.balance(asset) for asset in self.assets}

    def open_order_ids(self) -> set[str]:
        uid = self.venue.user.uid
        return {o.order_id for o in self.venue.orders.values() if o.account_id == uid and o.is_open}

    def orders_by_client_id(self) -> dict[str, list[str]]:
        """Client id -> the ids of every order of the test account carrying it (open or finished)."""
        uid = self.venue.user.uid
        found: dict[str, list[str]] = {}
        for order in self.venue.orders.values():
            if order.account_id == uid and order.client_order_id:
                found.setdefault(order.client_order_id, []).append(order.order_id)
        return found

    def pause_market(self) -> None:
        self.venue.market.pause()

    def nudge_market(self) -> None:
        """One market tick while paused: a client that lost the last diffs sees the gap on the next one."""
        self.venue.market.step(1)

    def resume_market(self) -> None:
        self.venue.market.resume()


def sim_views(sim: Any, venues: list[str]) -> dict[str, SimVenueView]:
    """The views of the soak's venues (``gateio``, ``gateio_futures``, ``mexc``)."""
    assets = {"gateio": ("USDT", "BTC", "ETH"), "gateio_futures": ("USDT",), "mexc": ("USDT", "BTC", "ETH")}
    return {name: SimVenueView(name, sim.venue(name), assets.get(name, ("USDT",))) for name in venues}
