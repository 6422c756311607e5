"""MEXC spot (API v3): REST signed in the query string, WebSocket with JSON control and protobuf data frames."""
