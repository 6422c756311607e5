"""Per-message decode cost of the MEXC protobuf hot path (not collected by pytest; run it as a module).

    .venv/bin/python -m tests.mexc.bench_decode

Frames: the reference aggre.depth vector (1 level) and a typical 100 ms window (4 bids + 4 asks), a deals push,
a book ticker. Steps timed: upb ``FromString`` (a fresh wrapper per frame), + ``WhichOneof`` dispatch, + the
conversion to the domain object (``Decimal`` per quantity, cached ``Decimal`` per depth price), i.e. exactly
what the client's reader runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from google.protobuf.internal import api_implementation

from app.domain.symbol import Symbol
from app.exchanges.mexc.proto import mexc_push_pb2 as pb
from app.exchanges.mexc.spot import push
from tests.mexc.conftest import fixture_bytes

BTC = Symbol("BTC", "USDT")


def typical_depth() -> bytes:
    wrapper = pb.PushDataV3ApiWrapper(
        channel="spot@public.aggre.depth.v3.api.pb@100ms@BTCUSDT", symbol="BTCUSDT", sendTime=1754741322152
    )
    body = wrapper.publicAggreDepths
    for i in range(4):
        body.bids.add(price=f"117053.{41 - i}", quantity=f"1.8683727{i}")
        body.asks.add(price=f"117145.{49 + i}", quantity="0" if i == 0 else f"0.{i}2345")
    body.eventType, body.fromVersion, body.toVersion = (
        "spot@public.aggre.depth.v3.api.pb@100ms",
        "43296363236",
        "43296363255",
    )
    data: bytes = wrapper.SerializeToString()
    return data


def per_call_us(fn: Callable[[], object], n: int = 100_000) -> float:
    for _ in range(1000):
        fn()
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        best = min(best, (time.perf_counter() - start) / n * 1e6)
    return best


def main() -> None:
    parse = pb.PushDataV3ApiWrapper.FromString
    frames = {
        "aggre.depth (ref vector, 1 level)": (fixture_bytes("ws/aggre_depth.hex"), push.aggre_depth),
        "aggre.depth (4 bids + 4 asks)": (typical_depth(), push.aggre_depth),
        "aggre.deals (ref vector, 1 deal)": (fixture_bytes("ws/aggre_deals.hex"), push.aggre_deals),
        "aggre.bookTicker (ref vector)": (fixture_bytes("ws/aggre_book_ticker.hex"), push.aggre_book_ticker),
    }
    print(f"protobuf backend: {api_implementation.Type()}")
    print(f"{'frame':38} {'bytes':>5} {'parse':>8} {'+dispatch':>10} {'+domain':>9}  (us per message)")
    for name, (data, convert) in frames.items():

        def parse_only(data: bytes = data) -> None:
            parse(data)

        def dispatch(data: bytes = data) -> None:
            parse(data).WhichOneof("body")

        def full(data: bytes = data, convert: Callable[[pb.PushDataV3ApiWrapper, Symbol], object] = convert) -> None:
            wrapper = parse(data)
            wrapper.WhichOneof("body")
            convert(wrapper, BTC)

        print(
            f"{name:38} {len(data):5d} {per_call_us(parse_only):8.2f} {per_call_us(dispatch):10.2f} "
            f"{per_call_us(full):9.2f}"
        )


if __name__ == "__main__":
    main()
