"""MEXC WebSocket clients against the simulator: protobuf pushes, versioned diffs, sharding, rotation, rules."""

from __future__ import annotations

import json
from typing import Any

import aiohttp
import pytest

from app.config import ExchangeConfig
from app.domain.handlers import create_public_handlers
from app.domain.models import BookTicker, OrderBookDiff, Trade
from app.domain.symbol import Symbol
from app.errors import ExchangeAPIError
from app.exchanges.mexc.proto import mexc_push_pb2 as pb
from app.exchanges.mexc.spot.ws_public import MexcPublicSpotWebsocket
from app.simulator.mexc.venue import MexcSpotVenue
from app.transport.session import HttpSessionManager
from tests.mexc.conftest import BTC
from tests.waiting import eventually

ALL = [Symbol(base, "USDT") for base in ("BTC", "ETH", "SOL", "MX", "XRP")]


class Collected:
    def __init__(self) -> None:
        self.diffs: list[OrderBookDiff] = []
        self.trades: list[Trade] = []
        self.tickers: list[BookTicker] = []

    def handlers(self) -> Any:
        return create_public_handlers(self.diffs.append, self.trades.append, self.tickers.append)


@pytest.fixture
async def collected_ws(venue_config: ExchangeConfig, sessions: HttpSessionManager) -> Any:
    collected = Collected()
    ws = MexcPublicSpotWebsocket(venue_config.public_view(), sessions, collected.handlers())
    yield ws, collected
    await ws.close()


async def test_depth_diffs_are_contiguous_versions(collected_ws: Any, venue: MexcSpotVenue) -> None:
    ws, got = collected_ws
    await ws.start()
    await ws.subscribe_orderbook([BTC])
    await ws.subscribe_book_ticker([BTC])
    await ws.subscribe_trades([BTC])
    await eventually(lambda: len(got.diffs) >= 8 and got.tickers and got.trades, 5.0, "diffs, tickers and trades")
    for previous, current in zip(got.diffs, got.diffs[1:], strict=False):
        assert current.first_update_id == previous.last_update_id + 1
    assert all(d.symbol == BTC and not d.is_snapshot for d in got.diffs)
    assert got.diffs[-1].last_update_id <= venue.engines["BTCUSDT"].sequence
    ticker = got.tickers[-1]
    assert ticker.symbol == BTC and ticker.bid_price < ticker.ask_price and ticker.sequence is not None
    assert all(t.symbol == BTC and t.trade_id for t in got.trades)
    await eventually(lambda: ws.client.pongs > 0, 3.0, "a PONG")


async def test_partial_depth_pushes_snapshots(collected_ws: Any, venue: MexcSpotVenue) -> None:
    ws, got = collected_ws
    await ws.start()
    await ws.subscribe_partial_depth([BTC], 5)
    await eventually(lambda: bool(got.diffs), 3.0, "a limit.depth push")
    snapshot = got.diffs[-1]
    assert snapshot.is_snapshot and len(snapshot.bids) == len(snapshot.asks) == 5


async def test_more_than_30_channels_are_sharded(collected_ws: Any) -> None:
    ws, got = collected_ws
    await ws.start()
    await ws.subscribe_orderbook(ALL)
    await ws.subscribe_trades(ALL)
    await ws.subscribe_book_ticker(ALL)
    for levels in (5, 10, 20):
        await ws.subscribe_partial_depth(ALL, levels)
    shards = ws.client.shards
    assert [len(shard.channels) for shard in shards] == [30]
    ws.interval = "10ms"
    await ws.subscribe_orderbook(ALL)
    await ws.subscribe_trades(ALL)
    await ws.subscribe_book_ticker(ALL)
    shards = ws.client.shards
    assert [len(shard.channels) for shard in shards] == [30, 15] and ws.connected
    last_shard = set(shards[1].channels)
    await eventually(
        lambda: any(f"@{d.symbol.base}USDT" in " ".join(last_shard) for d in got.diffs[-20:]), 5.0, "pushes on shard 2"
    )
    assert all(shard.ws.connected for shard in shards)


async def test_the_venue_refuses_a_31st_subscription_on_one_connection(venue_config: ExchangeConfig) -> None:
    channels = [
        f"spot@public.{kind}.v3.api.pb@{interval}@{symbol.base}USDT"
        for symbol in ALL
        for kind in ("aggre.depth", "aggre.deals", "aggre.bookTicker")
        for interval in ("10ms", "100ms")
    ] + ["spot@public.limit.depth.v3.api.pb@BTCUSDT@5"]
    async with aiohttp.ClientSession() as session, session.ws_connect(venue_config.ws_url) as raw:
        await raw.send_str(json.dumps({"method": "SUBSCRIPTION", "params": channels[:30], "id": 1}))
        ok = json.loads((await raw.receive()).data)
        await raw.send_str(json.dumps({"method": "SUBSCRIPTION", "params": channels[30:31], "id": 2}))
        refused = await _next_text(raw)
    assert ok == {"id": 1, "code": 0, "msg": ",".join(channels[:30])}
    assert refused["id"] == 2 and refused["msg"].startswith("Not Subscribed successfully!")


async def _next_text(raw: aiohttp.ClientWebSocketResponse) -> Any:
    while True:
        message = await raw.receive()
        if message.type is aiohttp.WSMsgType.TEXT:
            return json.loads(message.data)


async def test_a_blocked_channel_is_refused(collected_ws: Any) -> None:
    ws, _ = collected_ws
    await ws.start()
    with pytest.raises(ExchangeAPIError, match="Blocked"):
        await ws.client.subscribe(["spot@public.deals.v3.api@BTCUSDT"])  # the JSON channel retired in 2025
    assert ws.client.subscriptions == []


async def test_reconnect_replays_subscriptions(collected_ws: Any, venue: MexcSpotVenue) -> None:
    ws, got = collected_ws
    reconnects: list[int] = []
    ws.add_reconnect_listener(lambda: reconnects.append(1))
    await ws.start()
    await ws.subscribe_orderbook([BTC])
    await eventually(lambda: bool(got.diffs), 3.0, "first diff")
    assert await venue.faults.drop_ws_connections(abrupt=True) == 1
    await eventually(lambda: bool(reconnects), 5.0, "reconnect listener")
    seen = len(got.diffs)
    await eventually(lambda: len(got.diffs) > seen, 3.0, "diffs after the reconnect")
    assert ws.shards[0].ws.reconnect_count >= 1 and ws.client.subscriptions == [
        "spot@public.aggre.depth.v3.api.pb@100ms@BTCUSDT"
    ]


async def test_connections_rotate_before_the_age_limit(
    venue_config: ExchangeConfig, sessions: HttpSessionManager, venue: MexcSpotVenue
) -> None:
    got = Collected()
    ws = MexcPublicSpotWebsocket(venue_config.public_view(), sessions, got.handlers(), max_connection_age_s=0.3)
    try:
        await ws.start()
        await ws.subscribe_book_ticker([BTC])
        await eventually(lambda: ws.client.shards[0].rotations >= 1, 3.0, "a rotation")
        await eventually(lambda: ws.connected, 3.0, "reconnected")
        seen = len(got.tickers)
        venue.market.step(5)
        await eventually(lambda: len(got.tickers) > seen, 3.0, "tickers after the rotation")
    finally:
        await ws.close()


async def test_venue_connection_rules(venue_config: ExchangeConfig, collected_ws: Any, venue: MexcSpotVenue) -> None:
    venue.hub.no_subscription_timeout_s = 0.2
    async with aiohttp.ClientSession() as session, session.ws_connect(venue_config.ws_url) as raw:
        message = await raw.receive(timeout=3.0)
        assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert venue.hub.closed_by_rule["no_subscription"] >= 1
    venue.hub.max_connection_age_s = 0.3  # the venue's 24 h cut, shortened: the client reconnects
    ws, got = collected_ws
    await ws.start()
    await ws.subscribe_orderbook([BTC])
    await eventually(lambda: ws.shards[0].ws.reconnect_count >= 1, 5.0, "reconnect after the venue's cut")
    assert venue.hub.closed_by_rule["age"] >= 1
    seen = len(got.diffs)
    await eventually(lambda: len(got.diffs) > seen, 3.0, "diffs after the venue's cut")


async def test_undecodable_and_unrouted_frames_are_counted(collected_ws: Any) -> None:
    ws, _ = collected_ws
    on_message = ws.client._message_handler(None)
    on_message(b"\xff\xff\xff")
    on_message(pb.PushDataV3ApiWrapper(channel="k", publicSpotKline=pb.PublicSpotKlineV3Api()).SerializeToString())
    assert ws.client.decode_errors == 1 and ws.client.unhandled == 1
    unknown = pb.PushDataV3ApiWrapper(channel="x", symbol="ZZZUSDT")
    unknown.publicAggreDepths.fromVersion, unknown.publicAggreDepths.toVersion = "1", "1"
    on_message(unknown.SerializeToString())
    assert ws.unknown_symbols == 1


async def test_binary_frames_over_the_websockets_backend(
    venue_config: ExchangeConfig, sessions: HttpSessionManager
) -> None:
    got = Collected()
    config = venue_config.public_view().model_copy(update={"ws_backend": "websockets"})
    ws = MexcPublicSpotWebsocket(config, sessions, got.handlers())
    try:
        await ws.start()
        await ws.subscribe_orderbook([BTC])
        await eventually(lambda: len(got.diffs) >= 3, 5.0, "diffs over websockets")
        assert all(b.first_update_id == a.last_update_id + 1 for a, b in zip(got.diffs, got.diffs[1:], strict=False))
    finally:
        await ws.close()
