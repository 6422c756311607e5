"""Venue-independent orchestration: composite interfaces, local order books, order-state logic."""
