"""Gate.io USDT perpetual futures in the conformance suite (simulator venue ``"gateio_futures"``).

The venue books and sizes are in contracts; the composites report base units, so the hooks convert the
venue's own book with each contract's ``quanto_multiplier``. A fill opening a position moves the margin
account's total only by the taker fee (margin moves from available to locked, not out of the account).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.domain.enums import ExchangeEnum, Side
from app.domain.models import Balance
from app.domain.symbol import Symbol
from tests.conformance.case import CommonSimulatorHooks, Levels, VenueCase

SIM_TAKER_FEE = Decimal("0.0005")  # app/simulator/gateio_futures/contracts.py default


class GateioFuturesHooks(CommonSimulatorHooks):
    """Simulator hooks for :class:`app.simulator.gateio_futures.venue.GateioFuturesVenue`: books in contracts,
    balances in the margin ledger."""

    def book(self, venue: Any, native: str, depth: int) -> tuple[Levels, Levels]:
        engine, multiplier = venue.engines[native], venue.contracts[native].multiplier
        return (
            [(price, size * multiplier) for price, size in engine.bids.depth(depth)],
            [(price, size * multiplier) for price, size in engine.asks.depth(depth)],
        )

    def balance(self, venue: Any, asset: str) -> Balance:
        held = venue.ledger.accounts[venue.user.uid].balance(asset)
        return Balance(asset, held.free, held.locked)


def futures_fill_deltas(
    symbol: Symbol, side: Side, price: Decimal, quantity: Decimal, fee: Decimal, fee_asset: str | None
) -> dict[str, Decimal]:
    """Opening a position: the settle asset's total falls by the taker fee (Gate's REST order has no fee)."""
    return {"USDT": -(quantity * price * SIM_TAKER_FEE)}


GATEIO_FUTURES = VenueCase(
    id="gateio-futures",
    exchange=ExchangeEnum.GATEIO_FUTURES,
    sim_venue="gateio_futures",
    hooks=GateioFuturesHooks(),
    symbols=("BTC/USDT", "ETH/USDT"),
    native_forms={"ETH/USDT": "ETH_USDT"},
    is_order_placement=lambda method, path: method == "POST" and path == "/futures/usdt/orders",
    balance_assets=("USDT",),
    fill_deltas=futures_fill_deltas,
)
