"""The floor: a bare WebSocket receive loop with the decoder and no book (benchmark environment).

    python -m benchmarks.clients.floor '<server info json>' [--lib websockets|aiohttp]
        [--decoder orjson|msgspec|protobuf|protobuf-fields]

``orjson`` decodes each frame to dicts (what ccxt does before its book logic); ``msgspec`` decodes the
envelope with a raw ``result`` and then the result into a typed Struct (what our client does before its
book logic). MEXC (protobuf): ``protobuf`` parses each frame and reads the ``body`` oneof only (upb keeps
the parsed values in C: no Python object is built for any field); ``protobuf-fields`` also reads every
field of the depth push into Python values, as ``orjson`` does for the JSON venues. The handler only keeps
the last object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from benchmarks.common import Meter, RunResult, fail

GATE_CHANNELS = {"book": "spot.order_book_update", "trades": "spot.trades", "ticker": "spot.book_ticker"}


def gate_subscriptions(
    kind: str, symbols: list[str], channel: str = "", book_args: tuple[str, ...] = ("100ms",)
) -> list[str]:
    channel = channel or GATE_CHANNELS[kind]
    now = int(time.time())
    payloads = [[s, *book_args] for s in symbols] if kind == "book" else [symbols]
    return [
        json.dumps({"time": now, "id": i + 1, "channel": channel, "event": "subscribe", "payload": p})
        for i, p in enumerate(payloads)
    ]


try:  # the msgspec floor decodes into the same shapes as our client (envelope with a raw result)
    import decimal

    import msgspec

    Level = tuple[decimal.Decimal, decimal.Decimal]

    class GateEnvelope(msgspec.Struct):
        time: int = 0
        channel: str = ""
        event: str = ""
        result: msgspec.Raw = msgspec.Raw(b"null")

    class GateBook(msgspec.Struct):
        t: int
        s: str
        U: int
        u: int
        b: list[Level] = []
        a: list[Level] = []
        full: bool = False

    class GateFuturesLevel(msgspec.Struct):
        p: decimal.Decimal
        s: decimal.Decimal

    class GateFuturesBook(msgspec.Struct):
        t: int
        s: str
        U: int
        u: int
        b: list[GateFuturesLevel] = []
        a: list[GateFuturesLevel] = []
        full: bool = False

    class GateTrade(msgspec.Struct):
        id: int | str
        currency_pair: str
        side: str
        amount: decimal.Decimal
        price: decimal.Decimal

    class GateTicker(msgspec.Struct):
        t: int
        u: int
        s: str
        b: decimal.Decimal
        B: decimal.Decimal
        a: decimal.Decimal
        A: decimal.Decimal

except ImportError:  # pragma: no cover - the orjson floor needs no msgspec
    msgspec = None


def gate_msgspec_decoder(kind: str) -> Callable[[Any], Any]:
    envelope = msgspec.json.Decoder(GateEnvelope, strict=False).decode
    result_type = {"book": GateBook, "trades": GateTrade, "ticker": GateTicker}[kind]
    result = msgspec.json.Decoder(result_type, strict=False).decode

    def decode(data: Any) -> Any:
        env = envelope(data)
        return result(env.result) if env.event == "update" else env

    return decode


def gate_futures_subscriptions(kind: str, symbols: list[str]) -> list[str]:
    return gate_subscriptions(kind, symbols, "futures.order_book_update", ("100ms", "100"))


def gate_futures_msgspec_decoder(kind: str) -> Callable[[Any], Any]:
    envelope = msgspec.json.Decoder(GateEnvelope, strict=False).decode
    result = msgspec.json.Decoder(GateFuturesBook, strict=False).decode

    def decode(data: Any) -> Any:
        env = envelope(data)
        return result(env.result) if env.event == "update" else env

    return decode


def mexc_subscriptions(kind: str, symbols: list[str]) -> list[str]:
    params = [f"spot@public.aggre.depth.v3.api.pb@100ms@{s}" for s in symbols]
    return [json.dumps({"method": "SUBSCRIPTION", "params": params, "id": 1})]


def protobuf_decoder(kind: str) -> Callable[[Any], Any]:
    """MEXC pushes: upb ``ParseFromString`` into the wrapper (ccxt's generated module, same .proto as ours)."""
    from ccxt.protobuf.mexc import PushDataV3ApiWrapper_pb2 as pb  # type: ignore[import-not-found]

    wrapper = pb.PushDataV3ApiWrapper()
    parse, which = wrapper.ParseFromString, wrapper.WhichOneof

    def decode(data: Any) -> Any:
        if isinstance(data, bytes):
            parse(data)
            return which("body")
        return data

    return decode


def protobuf_fields_decoder(kind: str) -> Callable[[Any], Any]:
    """MEXC pushes, the read-every-field floor: as :func:`protobuf_decoder`, then every field the depth push
    carries read into Python values (``str`` prices, quantities and versions, as ``orjson.loads`` would give
    from JSON; no ``Decimal``, no book)."""
    from ccxt.protobuf.mexc import PushDataV3ApiWrapper_pb2 as pb  # type: ignore[import-not-found]

    wrapper = pb.PushDataV3ApiWrapper()
    parse, which = wrapper.ParseFromString, wrapper.WhichOneof

    def decode(data: Any) -> Any:
        if not isinstance(data, bytes):
            return data
        parse(data)
        name = which("body")
        if name != "publicAggreDepths":
            return name
        body = wrapper.publicAggreDepths
        return (
            wrapper.channel,
            wrapper.symbol,
            wrapper.sendTime,
            [(item.price, item.quantity) for item in body.bids],
            [(item.price, item.quantity) for item in body.asks],
            body.eventType,
            body.fromVersion,
            body.toVersion,
        )

    return decode


# venue prefix -> (subscription messages, typed decoder)
VENUES: dict[str, tuple[Callable[[str, list[str]], list[str]], Callable[[str], Callable[[Any], Any]]]] = {
    "gateio-spot": (gate_subscriptions, gate_msgspec_decoder),
    "gateio-futures": (gate_futures_subscriptions, gate_futures_msgspec_decoder),
    "mexc-spot": (mexc_subscriptions, protobuf_decoder),
}


async def run(info: dict[str, Any], lib: str, decoder: str) -> RunResult:
    stream = info["stream"]
    subscriptions, msgspec_decoder = VENUES[stream.rsplit("-", 1)[0]]
    if decoder == "orjson":
        import orjson

        decode: Callable[[Any], Any] = orjson.loads
    elif decoder == "protobuf-fields":  # MEXC: the protobuf floor + every field of the push read
        decode = protobuf_fields_decoder(info["kind"])
    else:  # "msgspec" on JSON venues, "protobuf" on MEXC: the venue's typed decoder
        decode = msgspec_decoder(info["kind"])
    result = RunResult(client=f"floor-{lib}+{decoder}", stream=stream)
    meter = Meter()
    last: list[Any] = [None]

    def handle(data: Any) -> None:
        last[0] = decode(data)

    on_frame = meter.wrap(handle)
    url = info["ws_url"] + "?hold=0"
    messages = subscriptions(info["kind"], info["symbols"])
    if lib == "websockets":
        from websockets.asyncio.client import connect

        async with connect(url, compression=None, max_size=None, ping_interval=None, max_queue=None) as ws:
            for message in messages:
                await ws.send(message)
            recv = ws.recv
            while not meter.finished:
                on_frame(await recv())
    else:
        import aiohttp

        async with aiohttp.ClientSession() as session, session.ws_connect(url, compress=0, max_msg_size=0) as ws:
            for message in messages:
                await ws.send_str(message)
            receive = ws.receive
            while not meter.finished:
                on_frame((await receive()).data)
    meter.fill(result)
    result.verified = last[0] is not None
    result.detail = "decoded every frame (no book to verify)"
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("info")
    parser.add_argument("--lib", default="websockets", choices=("websockets", "aiohttp"))
    parser.add_argument("--decoder", default="orjson", choices=("orjson", "msgspec", "protobuf", "protobuf-fields"))
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    info = json.loads(args.info)
    try:
        asyncio.run(run(info, args.lib, args.decoder)).emit()
    except Exception as exc:
        fail(f"floor-{args.lib}+{args.decoder}", info["stream"], exc)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
