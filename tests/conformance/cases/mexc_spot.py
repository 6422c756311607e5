"""MEXC spot in the conformance suite (simulator venue ``"mexc"``, see ``app/simulator/mexc``)."""

from __future__ import annotations

from typing import Any

from app.domain.enums import ExchangeEnum
from tests.conformance.case import CommonSimulatorHooks, VenueCase


class MexcSpotHooks(CommonSimulatorHooks):
    """Simulator hooks for :class:`app.simulator.mexc.venue.MexcSpotVenue` (its REST ``lastUpdateId`` is the
    WS ``toVersion``: the common book sequence holds)."""

    def inject_book_gap(self, venue: Any, native: str) -> None:
        venue.faults.gap_depth(1, native)


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
