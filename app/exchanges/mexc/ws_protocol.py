"""MEXC WebSocket control plane (JSON text frames, reference mexc.md 9.3) and channel names (9.4).

Requests::

    {"method":"SUBSCRIPTION","params":["spot@public.aggre.deals.v3.api.pb@100ms@BTCUSDT"],"id":1}
    {"method":"UNSUBSCRIPTION","params":[...],"id":2}
    {"method":"PING"}

Answers: ``{"id":1,"code":0,"msg":"spot@public.aggre.deals.v3.api.pb@100ms@BTCUSDT"}`` (the channels,
comma-separated), ``{"id":0,"code":0,"msg":"PONG"}``, a refusal such as
``{"id":1,"code":0,"msg":"Not Subscribed successfully! [spot@public.miniTicker.v3.api@BTCUSDT@UTC+0].
Reason<U+FF1A> Blocked!"}`` (one line; the venue writes a full-width colon),
and on user-data connections with a bad key the plain text ``Invalid listen key``. Data frames are binary
protobuf (:mod:`app.exchanges.mexc.proto.mexc_push_pb2`).
"""

from __future__ import annotations

import itertools

import msgspec

from app.exchanges.mexc import constants as c

SUBSCRIBE = "SUBSCRIPTION"
UNSUBSCRIBE = "UNSUBSCRIPTION"
PING_MESSAGE = '{"method":"PING"}'
PONG = "PONG"

_ids = itertools.count(1)


class WsControl(msgspec.Struct):
    """A JSON answer: ``{"id": 1, "code": 0, "msg": "..."}``."""

    id: int | None = None
    code: int | None = None
    msg: str | None = None


class WsRequest(msgspec.Struct, omit_defaults=True):
    method: str
    params: list[str] | None = None
    id: int | None = None


control_decoder = msgspec.json.Decoder(WsControl, strict=False)
_encoder = msgspec.json.Encoder()


def next_request_id() -> int:
    return next(_ids)


def encode_request(method: str, params: list[str], request_id: int) -> str:
    return _encoder.encode(WsRequest(method=method, params=params, id=request_id)).decode()


def is_refusal(control: WsControl) -> bool:
    """True for an answer that refuses a request (``code`` != 0 or a "Not Subscribed successfully" text)."""
    return bool(control.code) or (control.msg or "").startswith(c.NOT_SUBSCRIBED)


def aggre_depth_channel(native: str, interval: str = "100ms") -> str:
    return c.CH_AGGRE_DEPTH.format(interval=interval, symbol=native)


def limit_depth_channel(native: str, levels: int) -> str:
    return c.CH_LIMIT_DEPTH.format(symbol=native, levels=levels)


def book_ticker_channel(native: str, interval: str = "100ms") -> str:
    return c.CH_AGGRE_BOOK_TICKER.format(interval=interval, symbol=native)


def deals_channel(native: str, interval: str = "100ms") -> str:
    return c.CH_AGGRE_DEALS.format(interval=interval, symbol=native)
