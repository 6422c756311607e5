"""Private WS v4 channels: auth (reference 8.3) and engine-driven order, trade and balance events."""

from __future__ import annotations

import time
from decimal import Decimal

from app.simulator import ExchangeSimulator
from tests.simulator.conftest import RawGate
from tests.simulator.ws_helpers import collect_until, on, receive_until, request, results


async def test_auth_is_required_and_checked(gate: RawGate) -> None:
    async with gate.session.ws_connect(gate.ws_url) as ws:
        await request(ws, "spot.orders", ["BTC_USDT"], auth=(gate.key, "wrong-secret"))
        bad = await receive_until(ws, lambda d: d.get("error") is not None)
        assert bad["error"]["code"] == 4 and "INVALID_SIGNATURE" in bad["error"]["message"]
        await request(ws, "spot.orders", ["BTC_USDT"])
        missing = await receive_until(ws, lambda d: d.get("error") is not None)
        assert missing["error"]["code"] == 4
        stale = int(time.time()) - 120
        await request(ws, "spot.balances", auth=(gate.key, gate.secret), time_s=stale)
        expired = await receive_until(ws, lambda d: d.get("error") is not None)
        assert expired["error"]["code"] == 4 and "REQUEST_EXPIRED" in expired["error"]["message"]
        await request(ws, "spot.orders", ["!all"], auth=(gate.key, gate.secret), request_id=7)
        ack = await receive_until(ws, on("spot.orders", "subscribe"))
        assert ack["id"] == 7 and ack["result"] == {"status": "success"}


async def test_order_lifecycle_events(gate: RawGate, quiet: ExchangeSimulator) -> None:
    engine = quiet.gateio.engines["BTC_USDT"]
    async with gate.session.ws_connect(gate.ws_url) as ws:
        for channel, payload in (("spot.orders", ["BTC_USDT"]), ("spot.usertrades", ["!all"]), ("spot.balances", None)):
            await request(ws, channel, payload, auth=(gate.key, gate.secret))
            await receive_until(ws, on(channel, "subscribe"))
        ask = engine.asks.best()
        assert ask is not None
        level = engine.asks.totals[ask]
        placed = (await gate.order(side="buy", amount=str(level + Decimal("0.01")), price=str(ask), text="t-ws")).body
        seen = await collect_until(ws, on("spot.usertrades"))
        seen += await collect_until(ws, lambda d: on("spot.orders")(d) and d["result"][0]["event"] == "update")
        orders = results(seen, "spot.orders")
        assert [o["event"] for o in orders] == ["put", "update"] and all("status" not in o for o in orders)
        assert orders[0]["id"] == placed["id"] and orders[0]["text"] == "t-ws" and orders[0]["finish_as"] == "open"
        assert isinstance(orders[0]["create_time_ms"], str) and isinstance(orders[0]["user"], int)
        assert Decimal(orders[1]["filled_amount"]) == level and Decimal(orders[1]["left"]) == Decimal("0.01")
        fills = results(seen, "spot.usertrades")
        assert [(f["role"], f["order_id"], f["text"]) for f in fills] == [("taker", placed["id"], "t-ws")]
        assert isinstance(fills[0]["create_time_ms"], str) and fills[0]["fee_currency"] == "BTC"
        balances = results(seen, "spot.balances")
        assert balances[0]["change_type"] == "order-create" and balances[0]["currency"] == "USDT"
        assert set(balances[0]) >= {
            "timestamp",
            "timestamp_ms",
            "user",
            "total",
            "available",
            "freeze",
            "freeze_change",
        }
        assert {b["change_type"] for b in balances[1:]} == {"order-match"}
        await gate.signed("DELETE", "/spot/orders/t-ws", query="currency_pair=BTC_USDT")
        seen = await collect_until(ws, on("spot.orders"))
        finish = results(seen, "spot.orders")[0]
        assert (finish["event"], finish["finish_as"], finish["left"]) == ("finish", "cancelled", "0.01")
        unlock = results(seen, "spot.balances")[0]
        assert unlock["change_type"] == "order-update" and Decimal(unlock["freeze_change"]) == -ask * Decimal("0.01")


async def test_events_follow_the_subscribed_pairs_only(gate: RawGate, quiet: ExchangeSimulator) -> None:
    async with gate.session.ws_connect(gate.ws_url) as ws:
        await request(ws, "spot.orders", ["ETH_USDT"], auth=(gate.key, gate.secret))
        await receive_until(ws, on("spot.orders", "subscribe"))
        await gate.order(side="buy", amount="0.001", price="60000")
        await gate.order(currency_pair="ETH_USDT", side="buy", amount="0.01", price="3000")
        event = (await receive_until(ws, on("spot.orders")))["result"][0]
        assert event["currency_pair"] == "ETH_USDT"
