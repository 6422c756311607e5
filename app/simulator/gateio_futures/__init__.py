"""Simulated Gate.io USDT perpetual futures: contracts engine, positions and margin, funding, REST and WS."""
