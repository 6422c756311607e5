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
from tests.conformance.case import Levels, VenueCase

SIM_TAKER_FEE = Decimal("0.0005")  # app/simulator/gateio_futures/contracts.py default


class GateioFuturesHooks:
    """Simulator hooks for :class:`app.simulator.gateio_futures.venue.GateioFuturesVenue`."""

    def pause_market(self, venue: Any) -> None:
        venue.market.pause()

    def inject_book_gap(self, venue: Any, native: str) -> None:
        venue.faults.gap_order_book_updates(1, native)

    async def drop_connections(self, venue: Any) -> int:
        closed: int = await venue.faults.drop_ws_connections()
        return closed

    def book(self, venue: Any, native: str, depth: int) -> tuple[Levels, Levels]:
        engine, multiplier = venue.engines[native], venue.contracts[native].multiplier
        return (
            [(price, size * multiplier) for price, size in engine.bids.depth(depth)],
            [(price, size * multiplier) for price, size in engine.asks.depth(depth)],
        )

    def book_sequence(self, venue: Any, native: str) -> int:
        sequence: int = venue.engines[native].sequence
        return sequence

    def balance(self, venue: Any, asset: str) -> Balance:
        held = venue.ledger.accounts[venue.user.uid].balance(asset)
        return Balance(asset, held.free, held.locked)

    def orders_with_client_id(self, venue: Any, client_order_id: str) -> int:
        return sum(1 for order in venue.orders.values() if order.client_order_id == client_order_id)

    def order_count(self, venue: Any) -> int:
        return sum(1 for order in venue.orders.values() if order.account_id == venue.user.uid)


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
