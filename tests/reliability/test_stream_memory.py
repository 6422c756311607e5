"""Parsing and converting a long MEXC protobuf stream does not grow resident memory (a reused upb message
did: its arena grew by ~1.7 KB per depth frame, ~170 MB per 100k frames; the price cache is bounded)."""

from __future__ import annotations

from app.config import ExchangeConfig
from app.domain.enums import ExchangeEnum
from app.domain.handlers import create_public_handlers
from app.domain.models import OrderBookDiff
from app.domain.symbol import Symbol
from app.exchanges.mexc.proto import mexc_push_pb2 as pb
from app.exchanges.mexc.spot.push import PRICES
from app.exchanges.mexc.spot.ws_public import MexcPublicSpotWebsocket
from app.soak.checks import rss_bytes
from app.transport.session import HttpSessionManager

FRAMES = 40_000


async def test_a_long_depth_stream_keeps_memory_flat() -> None:
    config = ExchangeConfig(name=ExchangeEnum.MEXC, rest_url="http://127.0.0.1:9", ws_url="ws://127.0.0.1:9/ws")
    sessions = HttpSessionManager()
    delivered: list[int] = [0]

    def on_diff(diff: OrderBookDiff) -> None:
        delivered[0] += len(diff.bids)

    ws = MexcPublicSpotWebsocket(config, sessions, create_public_handlers(orderbook_diff_handler=on_diff))
    ws.symbols.add(Symbol("ZZZ", "USDT"))  # a known symbol: every frame is converted and delivered
    frames = []
    for variant in range(500):  # 10,000 distinct prices: more than the price cache holds, so it refills
        push = pb.PushDataV3ApiWrapper(channel="spot@public.aggre.depth.v3.api.pb@100ms@ZZZUSDT", symbol="ZZZUSDT")
        for index in range(20):
            level = push.publicAggreDepths.bids.add()
            level.price, level.quantity = f"6{variant:03d}{index:02d}.1", "0.5"
        push.publicAggreDepths.fromVersion, push.publicAggreDepths.toVersion = "1", "2"
        frames.append(push.SerializeToString())
    on_message = ws.client._message_handler(None)  # type: ignore[arg-type]
    for index in range(2_000):  # warm up allocator pools
        on_message(frames[index % len(frames)])
    before = rss_bytes()
    for index in range(FRAMES):
        on_message(frames[index % len(frames)])
    grown_mb = (rss_bytes() - before) / 2**20
    await ws.close()
    await sessions.close()
    assert delivered[0] == 20 * (2_000 + FRAMES)
    assert len(PRICES) <= PRICES.limit
    assert grown_mb < 15, f"RSS grew {grown_mb:.0f} MB over {FRAMES} frames"
