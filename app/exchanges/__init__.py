"""Venue adapters: one folder per venue, one small module per concern."""
