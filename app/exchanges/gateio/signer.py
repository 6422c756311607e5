"""Gate.io REST request signer (the :data:`app.transport.rest.RequestSigner` hook) and WS auth block."""

from __future__ import annotations

from app.config import ExchangeCredentials
from app.exchanges.gateio.auth import sign_rest, sign_ws
from app.exchanges.gateio.ws_protocol import WsAuth
from app.transport.clock import ServerClock


class GateioRequestSigner:
    """Adds ``KEY``, ``Timestamp`` (clock-corrected integer seconds) and ``SIGN`` to a request.

    Called by :class:`~app.transport.rest.RestTransport` with the full path (``/api/v4/...``, the
    prefix taken from the configured ``rest_url``), the query string and body bytes exactly as sent.
    The secret is held privately and never appears in ``repr``.
    """

    __slots__ = ("_key", "_secret")

    def __init__(self, credentials: ExchangeCredentials) -> None:
        if credentials.api_key is None or credentials.api_secret is None:
            raise ValueError("GateioRequestSigner needs api_key and api_secret")
        self._key = credentials.api_key.get_secret_value()
        self._secret = credentials.api_secret.get_secret_value()

    def __call__(self, method: str, path: str, query: str, body: bytes, clock: ServerClock) -> dict[str, str]:
        timestamp = str(int(clock.now_s()))
        return {
            "KEY": self._key,
            "Timestamp": timestamp,
            "SIGN": sign_rest(self._secret, method, path, query, body, timestamp),
        }

    def ws_auth(self, channel: str, event: str, time_s: int) -> WsAuth:
        """The ``auth`` object of a private WS request (reference 8.3)."""
        return WsAuth(method="api_key", KEY=self._key, SIGN=sign_ws(self._secret, channel, event, time_s))

    def __repr__(self) -> str:
        return "GateioRequestSigner(<credentials hidden>)"

    __str__ = __repr__
