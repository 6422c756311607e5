"""MEXC spot in the conformance suite (simulator venue ``"mexc"``, see ``app/simulator/mexc``)."""

from __future__ import annotations

from typing import Any

from app.domain.enums import ExchangeEnum
from app.domain.models import Balance
from tests.conformance.case import Levels, VenueCase


class MexcSpotHooks:
    """Simulator hooks for :class:`app.simulator.mexc.venue.MexcSpotVenue`."""

    def pause_market(self, venue: Any) -> None:
        venue.market.pause()

    def inject_book_gap(self, venue: Any, native: str) -> None:
        venue.faults.gap_depth(1, native)

    async def drop_connections(self, venue: Any) -> int:
        closed: int = await venue.faults.drop_ws_connections()
        return closed

    def book(self, venue: Any, native: str, depth: int) -> tuple[Levels, Levels]:
        bids, asks = venue.depth(native, depth)
        return list(bids), list(asks)

    def book_sequence(self, venue: Any, native: str) -> int:
        sequence: int = venue.engines[native].sequence  # REST lastUpdateId = WS toVersion
        return sequence

    def balance(self, venue: Any, asset: str) -> Balance:
        held = venue.balance(asset)
        return Balance(asset, held.free, held.locked)

    def orders_with_client_id(self, venue: Any, client_order_id: str) -> int:
        return sum(1 for order in venue.orders.values() if order.client_order_id == client_order_id)

    def order_count(self, venue: Any) -> int:
        return sum(1 for order in venue.orders.values() if order.account_id == venue.user.uid)


MEXC_SPOT = VenueCase(
    id="mexc-spot",
    exchange=ExchangeEnum.MEXC,
    sim_venue="mexc",
    hooks=MexcSpotHooks(),
    symbols=("BTC/USDT", "ETH/USDT"),
    native_forms={"ETH/USDT": "ETHUSDT"},
    is_order_placement=lambda method, path: method == "POST" and path == "/api/v3/order",
    balance_assets=("USDT", "BTC", "ETH"),
)
