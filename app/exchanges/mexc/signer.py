"""MEXC REST request signer: the :data:`app.transport.rest.QuerySigner` hook of :class:`RestTransport`."""

from __future__ import annotations

from app.config import ExchangeCredentials
from app.exchanges.mexc.auth import sign
from app.exchanges.mexc.constants import HEADER_API_KEY
from app.transport.clock import ServerClock


class MexcRequestSigner:
    """Appends ``recvWindow`` and the clock-corrected ``timestamp`` to the query, signs exactly that text and
    appends ``&signature=<lowercase hex>``; adds the ``X-MEXC-APIKEY`` header.

    The body is part of the signed text (MEXC concatenates query and body); this client always sends an
    empty body. The secret is held privately and never appears in ``repr``.
    """

    __slots__ = ("_key", "_secret", "recv_window_ms")

    def __init__(self, credentials: ExchangeCredentials, *, recv_window_ms: int = 5000) -> None:
        if credentials.api_key is None or credentials.api_secret is None:
            raise ValueError("MexcRequestSigner needs api_key and api_secret")
        self._key = credentials.api_key.get_secret_value()
        self._secret = credentials.api_secret.get_secret_value()
        self.recv_window_ms = recv_window_ms

    def signed_query(self, query: str, body: bytes, timestamp_ms: int) -> str:
        """``query&recvWindow=..&timestamp=..&signature=..`` for one request (body bytes as sent)."""
        tail = f"recvWindow={self.recv_window_ms}&timestamp={timestamp_ms}"
        total = f"{query}&{tail}" if query else tail
        signature = sign(self._secret, total.encode() + body)
        return f"{total}&signature={signature}"

    def __call__(
        self, method: str, path: str, query: str, body: bytes, clock: ServerClock
    ) -> tuple[str, dict[str, str]]:
        return self.signed_query(query, body, clock.now_ms()), {HEADER_API_KEY: self._key}

    @property
    def api_key(self) -> str:
        """The API key (not a secret by itself, but kept out of reprs anyway)."""
        return self._key

    def __repr__(self) -> str:
        return "MexcRequestSigner(<credentials hidden>)"

    __str__ = __repr__
