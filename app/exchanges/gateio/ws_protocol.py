"""Gate.io WebSocket v4 envelope: request encoding (with WS auth), ping, typed envelope decoding.

Request (reference 8.1)::

    {"time":1611541000,"id":123456789,"channel":"spot.orders","event":"subscribe","payload":["BTC_USDT"],
     "auth":{"method":"api_key","KEY":"xxxx","SIGN":"xxxx"}}

Server messages (8.2)::

    {"time":1611541000,"time_ms":1611541000001,"channel":"spot.orders","event":"subscribe","error":null,
     "result":{"status":"success"}}
    {"time":1606292218,"time_ms":1606292218231,"channel":"spot.trades","event":"update","result":{...}}
    {"time":1545404023,"channel":"spot.pong","event":"","error":null,"result":null}
    {"time":1647274664,"channel":"futures.orders","event":"subscribe","error":{"code":2,"message":"..."}}

The envelope is decoded with ``result`` kept as ``msgspec.Raw``; the channel's own typed decoder then
turns ``result`` into Structs. No dict is built on the way.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import msgspec


class WsAuth(msgspec.Struct):
    """``{"method":"api_key","KEY":...,"SIGN":...}``."""

    method: str
    KEY: str
    SIGN: str

    def __repr__(self) -> str:
        return "WsAuth(<hidden>)"


class WsRequest(msgspec.Struct, kw_only=True, omit_defaults=True):
    """A subscribe / unsubscribe request."""

    time: int
    id: int | None = None
    channel: str
    event: str
    payload: list[str] | None = None
    auth: WsAuth | None = None


class WsPing(msgspec.Struct):
    """``{"time": 1545404023, "channel": "spot.ping"}``."""

    time: int
    channel: str


class WsError(msgspec.Struct):
    """``{"code": 2, "message": "unknown currency pair"}`` (codes 1-4; 4 = authentication failed)."""

    code: int = 0
    message: str = ""


class WsEnvelope(msgspec.Struct):
    """Every server message; ``result`` stays raw until the channel's decoder reads it."""

    time: int = 0
    time_ms: int = 0
    id: int | None = None
    channel: str = ""
    event: str = ""
    error: WsError | None = None
    result: msgspec.Raw = msgspec.Raw(b"null")


class WsAckResult(msgspec.Struct):
    """``{"status": "success"}`` (or ``"fail"``) in a subscribe / unsubscribe answer."""

    status: str = ""


envelope_decoder = msgspec.json.Decoder(WsEnvelope, strict=False)
ack_decoder = msgspec.json.Decoder(WsAckResult | None, strict=False)
_encoder = msgspec.json.Encoder()
_request_ids = itertools.count(1)


def next_request_id() -> int:
    """A fresh request id (int32, as Gate wants)."""
    return next(_request_ids) % 2_000_000_000 + 1


def encode_request(
    channel: str,
    event: str,
    payload: Sequence[str] | None,
    *,
    time_s: int,
    request_id: int | None = None,
    auth: WsAuth | None = None,
) -> str:
    """Encode one request as JSON text (text frames: Gate does not read binary ones)."""
    request = WsRequest(
        time=time_s,
        id=request_id,
        channel=channel,
        event=event,
        payload=list(payload) if payload else None,
        auth=auth,
    )
    return _encoder.encode(request).decode()


def encode_ping(channel: str, time_s: int) -> str:
    """The application-level ping (``spot.ping`` / ``futures.ping``)."""
    return _encoder.encode(WsPing(time=time_s, channel=channel)).decode()


def decode_envelope(data: str | bytes) -> WsEnvelope:
    """Decode a server message's envelope (``result`` left as raw JSON)."""
    return envelope_decoder.decode(data)
