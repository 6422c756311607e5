"""MEXC spot transports and composites."""
