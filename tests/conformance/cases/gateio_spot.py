"""Gate.io spot in the conformance suite (simulator venue ``"gateio"``, see ``app/simulator/gateio_spot``)."""

from __future__ import annotations

from app.domain.enums import ExchangeEnum
from tests.conformance.case import CommonSimulatorHooks, VenueCase


class GateioSpotHooks(CommonSimulatorHooks):
    """Simulator hooks for :class:`app.simulator.gateio_spot.venue.GateioSpotVenue` (all the common ones)."""


GATEIO_SPOT = VenueCase(
    id="gateio-spot",
    exchange=ExchangeEnum.GATEIO,
    sim_venue="gateio",
    hooks=GateioSpotHooks(),
    symbols=("BTC/USDT", "ETH/USDT"),
    native_forms={"ETH/USDT": "ETH_USDT"},
    is_order_placement=lambda method, path: method == "POST" and path == "/spot/orders",
    balance_assets=("USDT", "BTC", "ETH"),
)
