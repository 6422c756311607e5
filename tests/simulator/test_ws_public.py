"""Public WS v4 behaviour: acks, ping, order-book-update continuity against REST ids, trades, faults."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import aiohttp

from app.simulator import ExchangeSimulator
from tests.simulator.conftest import RawGate
from tests.simulator.ws_helpers import on, receive_until, request


async def test_ack_ping_and_errors(gate: RawGate) -> None:
    async with gate.session.ws_connect(gate.ws_url) as ws:
        await request(ws, "spot.trades", ["BTC_USDT"], request_id=42)
        ack = await receive_until(ws, on("spot.trades", "subscribe"))
        assert ack["id"] == 42 and ack["error"] is None and ack["result"] == {"status": "success"}
        assert isinstance(ack["time"], int) and isinstance(ack["time_ms"], int)
        await ws.send_str('{"time": 1, "channel": "spot.ping"}')
        pong = await receive_until(ws, lambda d: d.get("channel") == "spot.pong")
        assert (pong["event"], pong["error"], pong["result"]) == ("", None, None)
        await ws.send_str("not json")
        bad = await receive_until(ws, lambda d: d.get("error") is not None)
        assert bad["error"]["code"] == 1
        await request(ws, "spot.trades", ["NOPE_USDT"])
        unknown = await receive_until(ws, lambda d: d.get("error") is not None)
        assert unknown["error"]["code"] == 2 and unknown["result"] == {"status": "fail"}
        await request(ws, "spot.order_book_update", ["BTC_USDT", "1000ms"])
        interval = await receive_until(ws, lambda d: d.get("error") is not None)
        assert interval["error"]["code"] == 2


def _apply(book: dict[str, dict[Decimal, Decimal]], result: dict[str, Any]) -> None:
    for side_key, side in (("b", "bids"), ("a", "asks")):
        for price, amount in result[side_key]:
            if Decimal(amount) == 0:
                book[side].pop(Decimal(price), None)
            else:
                book[side][Decimal(price)] = Decimal(amount)


async def test_order_book_update_is_contiguous_and_rebuilds_the_rest_book(
    gate: RawGate, simulator: ExchangeSimulator
) -> None:
    async with gate.session.ws_connect(gate.ws_url) as ws:
        await request(ws, "spot.order_book_update", ["BTC_USDT", "100ms"])
        await receive_until(ws, on("spot.order_book_update", "subscribe"))
        first = (await receive_until(ws, on("spot.order_book_update")))["result"]
        snapshot = (await gate.get("/spot/order_book", "currency_pair=BTC_USDT&limit=100&with_id=true")).body
        book = {
            "bids": {Decimal(p): Decimal(a) for p, a in snapshot["bids"]},
            "asks": {Decimal(p): Decimal(a) for p, a in snapshot["asks"]},
        }
        local_id, previous_u = snapshot["id"], first["u"]
        assert first["U"] <= first["u"] and first["s"] == "BTC_USDT" and isinstance(first["t"], int)
        if first["U"] <= local_id + 1 <= first["u"]:
            _apply(book, first)
            local_id = first["u"]
        for _ in range(6):
            result = (await receive_until(ws, on("spot.order_book_update")))["result"]
            assert result["U"] == previous_u + 1  # one contiguous id sequence
            previous_u = result["u"]
            if result["u"] <= local_id:
                continue
            assert result["U"] <= local_id + 1
            _apply(book, result)
            local_id = result["u"]
        simulator.gateio.market.pause()
        engine = simulator.gateio.engines["BTC_USDT"]
        while local_id < engine.sequence:
            result = (await receive_until(ws, on("spot.order_book_update")))["result"]
            assert result["U"] == local_id + 1
            _apply(book, result)
            local_id = result["u"]
        rest = (await gate.get("/spot/order_book", "currency_pair=BTC_USDT&limit=100&with_id=true")).body
        assert rest["id"] == local_id
        assert sorted(book["bids"].items(), reverse=True) == [(Decimal(p), Decimal(a)) for p, a in rest["bids"]]
        assert sorted(book["asks"].items()) == [(Decimal(p), Decimal(a)) for p, a in rest["asks"]]


async def test_gap_fault_skips_ids_once(gate: RawGate, simulator: ExchangeSimulator) -> None:
    async with gate.session.ws_connect(gate.ws_url) as ws:
        await request(ws, "spot.order_book_update", ["ETH_USDT", "20ms"])
        first = (await receive_until(ws, on("spot.order_book_update")))["result"]
        simulator.gateio.faults.gap_order_book_updates(1, pair="ETH_USDT")
        gapped = (await receive_until(ws, on("spot.order_book_update")))["result"]
        assert gapped["U"] > first["u"] + 1 and gapped["l"] == "20"
        after = (await receive_until(ws, on("spot.order_book_update")))["result"]
        assert after["U"] == gapped["u"] + 1


async def test_trades_book_ticker_snapshot_and_tickers(gate: RawGate, simulator: ExchangeSimulator) -> None:
    simulator.gateio.hub.ticker_interval_s = 0.05
    async with gate.session.ws_connect(gate.ws_url) as ws:
        await request(ws, "spot.trades", ["BTC_USDT"])
        await request(ws, "spot.book_ticker", ["BTC_USDT"])
        await request(ws, "spot.order_book", ["BTC_USDT", "5", "100ms"])
        await request(ws, "spot.tickers", ["BTC_USDT"])
        simulator.gateio.market.pause()
        await gate.order(side="buy", type="market", amount="50")
        trade = (await receive_until(ws, on("spot.trades")))["result"]
        assert isinstance(trade, dict) and trade["side"] == "buy" and trade["currency_pair"] == "BTC_USDT"
        assert isinstance(trade["id"], int) and isinstance(trade["create_time_ms"], str)
        ticker = (await receive_until(ws, on("spot.book_ticker")))["result"]
        assert set(ticker) == {"t", "u", "s", "b", "B", "a", "A"} and Decimal(ticker["b"]) < Decimal(ticker["a"])
        assert ticker["u"] <= simulator.gateio.engines["BTC_USDT"].sequence
        snapshot = (await receive_until(ws, on("spot.order_book")))["result"]
        assert len(snapshot["bids"]) == 5 and snapshot["lastUpdateId"] == simulator.gateio.engines["BTC_USDT"].sequence
        tickers = (await receive_until(ws, on("spot.tickers")))["result"]
        assert tickers["currency_pair"] == "BTC_USDT" and "last" in tickers


async def test_drop_connections_closes_every_socket(gate: RawGate, simulator: ExchangeSimulator) -> None:
    async with gate.session.ws_connect(gate.ws_url) as ws:
        await request(ws, "spot.trades", ["BTC_USDT"])
        await receive_until(ws, on("spot.trades", "subscribe"))
        assert await simulator.gateio.faults.drop_ws_connections() == 1
        while True:
            message = await ws.receive(timeout=2)
            if message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.CLOSING):
                break
        assert ws.closed
        assert not simulator.gateio.hub.sessions


async def test_abrupt_drop_resets_the_connection(gate: RawGate, simulator: ExchangeSimulator) -> None:
    async with gate.session.ws_connect(gate.ws_url) as ws:
        await request(ws, "spot.ping")
        assert await simulator.gateio.faults.drop_ws_connections(abrupt=True) == 1
        message = await ws.receive(timeout=2)
        assert message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
