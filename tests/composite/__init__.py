"""Composite layer tests."""
