"""Gate.io spot: schemas, REST and WebSocket transports, composites."""
