"""Gate.io USDT-settled perpetual futures: transports and composites (reference sections 6 and 10)."""
