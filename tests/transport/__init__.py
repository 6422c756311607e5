"""Venue-independent transport tests."""
