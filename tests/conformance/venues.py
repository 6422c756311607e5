"""The registry the conformance suite is parametrised over: add a venue by appending its case here."""

from __future__ import annotations

from tests.conformance.case import VenueCase
from tests.conformance.cases.gateio_futures import GATEIO_FUTURES
from tests.conformance.cases.gateio_spot import GATEIO_SPOT
from tests.conformance.cases.mexc_spot import MEXC_SPOT

VENUE_CASES: list[VenueCase] = [
    GATEIO_SPOT,
    GATEIO_FUTURES,
    MEXC_SPOT,
]
