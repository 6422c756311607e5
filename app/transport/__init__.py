"""Venue-independent transport plumbing: HTTP sessions, rate limits, server clock, REST and WebSocket."""
