"""Gate.io API v4: pieces shared by spot and USDT futures (signing, error labels, WS envelope)."""
