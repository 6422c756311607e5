"""Simulated MEXC spot v3: REST under ``/api/v3``, WebSocket at ``/ws`` (JSON control, protobuf data)."""
