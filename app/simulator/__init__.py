"""Embedded venue simulator (aiohttp on loopback): Gate.io spot REST v4 + WS v4, one subpackage per venue."""

from app.simulator.server import ExchangeSimulator, VenueEndpoints

__all__ = ["ExchangeSimulator", "VenueEndpoints"]
