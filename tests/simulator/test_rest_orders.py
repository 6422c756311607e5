"""Order lifecycle over raw REST against a paused market (reference section 5)."""

from __future__ import annotations

from decimal import Decimal

from app.simulator import ExchangeSimulator
from tests.simulator.conftest import RawGate

D = Decimal


def _best(sim: ExchangeSimulator, pair: str = "BTC_USDT") -> tuple[Decimal, Decimal]:
    engine = sim.gateio.engines[pair]
    bid, ask = engine.bids.best(), engine.asks.best()
    assert bid is not None and ask is not None
    return bid, ask


async def test_limit_order_rests_locks_and_cancels_by_text(gate: RawGate, quiet: ExchangeSimulator) -> None:
    venue = quiet.gateio
    free_before = venue.balance("USDT").free
    reply = await gate.order(side="buy", amount="0.01", price="60000", text="t-rest-1")
    assert reply.status == 201
    order = reply.body
    assert (order["status"], order["finish_as"], order["left"], order["text"]) == ("open", "open", "0.01", "t-rest-1")
    assert isinstance(order["id"], str) and isinstance(order["create_time_ms"], int)
    assert venue.balance("USDT").locked == D("600") and venue.balance("USDT").free == free_before - 600
    by_text = await gate.signed("GET", "/spot/orders/t-rest-1", query="currency_pair=BTC_USDT")
    assert by_text.body["id"] == order["id"]
    listed = await gate.signed("GET", "/spot/orders", query="currency_pair=BTC_USDT&status=open")
    assert [o["id"] for o in listed.body] == [order["id"]]
    envelope = (await gate.signed("GET", "/spot/open_orders")).body
    assert envelope == [{"currency_pair": "BTC_USDT", "total": 1, "orders": listed.body}]
    cancelled = await gate.signed("DELETE", "/spot/orders/t-rest-1", query="currency_pair=BTC_USDT")
    assert (cancelled.status, cancelled.body["status"], cancelled.body["finish_as"]) == (200, "cancelled", "cancelled")
    assert venue.balance("USDT").locked == 0 and venue.balance("USDT").free == free_before
    again = await gate.signed("DELETE", f"/spot/orders/{order['id']}", query="currency_pair=BTC_USDT")
    assert (again.status, again.body) == (404, {"label": "ORDER_NOT_FOUND", "message": "Order not found"})
    gone = await gate.signed("GET", "/spot/orders/t-rest-1", query="currency_pair=BTC_USDT")
    assert gone.status == 404  # text lookups only while open
    by_id = await gate.signed("GET", f"/spot/orders/{order['id']}", query="currency_pair=BTC_USDT")
    assert by_id.body["status"] == "cancelled"
    finished = await gate.signed("GET", "/spot/orders", query="currency_pair=BTC_USDT&status=finished")
    assert [o["id"] for o in finished.body] == [order["id"]]


async def test_crossing_limit_fills_as_taker_with_fee_in_base(gate: RawGate, quiet: ExchangeSimulator) -> None:
    venue = quiet.gateio
    _, ask = _best(quiet)
    size = min(venue.engines["BTC_USDT"].asks.totals[ask], D("0.002"))
    btc_before, usdt_before = venue.balance("BTC").free, venue.balance("USDT").free
    reply = await gate.order(side="buy", amount=str(size), price=str(ask + 100))
    order = reply.body
    assert (order["status"], order["finish_as"], order["left"]) == ("closed", "filled", "0")
    assert D(order["avg_deal_price"]) == ask and D(order["filled_total"]) == ask * size
    assert D(order["fee"]) == size * D("0.002") and order["fee_currency"] == "BTC"
    assert venue.balance("BTC").free == btc_before + size - size * D("0.002")
    assert venue.balance("USDT").free == usdt_before - ask * size and venue.balance("USDT").locked == 0
    trades = (await gate.signed("GET", "/spot/my_trades", query=f"currency_pair=BTC_USDT&order_id={order['id']}")).body
    assert [(t["role"], t["side"], t["price"]) for t in trades] == [("taker", "buy", order["avg_deal_price"])]
    assert trades[0]["fee_currency"] == "BTC" and trades[0]["text"] == "apiv4"


async def test_partial_fill_rests_the_remainder(gate: RawGate, quiet: ExchangeSimulator) -> None:
    venue = quiet.gateio
    _, ask = _best(quiet)
    level = venue.engines["BTC_USDT"].asks.totals[ask]
    reply = await gate.order(side="buy", amount=str(level + D("0.01")), price=str(ask))
    order = reply.body
    assert order["status"] == "open" and D(order["filled_amount"]) == level and D(order["left"]) == D("0.01")
    assert _best(quiet)[0] == ask  # the remainder is now the best bid
    assert venue.balance("USDT").locked == ask * D("0.01")


async def test_ioc_fok_and_post_only(gate: RawGate, quiet: ExchangeSimulator) -> None:
    venue = quiet.gateio
    bid, ask = _best(quiet)
    level = venue.engines["BTC_USDT"].asks.totals[ask]
    ioc = (await gate.order(side="buy", amount=str(level + D("0.01")), price=str(ask), time_in_force="ioc")).body
    assert (ioc["status"], ioc["finish_as"], D(ioc["left"])) == ("cancelled", "ioc", D("0.01"))
    assert venue.balance("USDT").locked == 0
    bid, ask = _best(quiet)
    fok = (await gate.order(side="buy", amount="5", price=str(ask), time_in_force="fok")).body
    assert (fok["status"], fok["finish_as"], fok["filled_amount"]) == ("cancelled", "fok", "0")
    fok_ok = (await gate.order(side="sell", amount="0.001", price=str(bid), time_in_force="fok")).body
    assert (fok_ok["status"], fok_ok["finish_as"]) == ("closed", "filled")
    bid, ask = _best(quiet)
    poc = await gate.order(side="buy", amount="0.001", price=str(ask), time_in_force="poc")
    assert (poc.status, poc.body["label"]) == (400, "POC_FILL_IMMEDIATELY")
    resting = await gate.order(side="buy", amount="0.001", price=str(bid), time_in_force="poc")
    assert (resting.status, resting.body["status"], resting.body["time_in_force"]) == (201, "open", "poc")


async def test_market_orders_buy_by_quote_and_sell_by_base(gate: RawGate, quiet: ExchangeSimulator) -> None:
    buy = (await gate.order(side="buy", type="market", amount="100", time_in_force="ioc")).body
    assert buy["type"] == "market" and buy["status"] == "closed" and buy["price"] == "0"
    assert buy["amount"] == "100" and D(buy["filled_total"]) <= 100 and D(buy["filled_amount"]) > 0
    sell = (await gate.order(side="sell", type="market", amount="0.001")).body
    assert (sell["status"], sell["time_in_force"], sell["fee_currency"]) == ("closed", "ioc", "USDT")
    assert quiet.gateio.balance("USDT").locked == 0 and quiet.gateio.balance("BTC").locked == 0
    gtc_market = await gate.order(side="sell", type="market", amount="0.001", time_in_force="gtc")
    assert gtc_market.body["label"] == "INVALID_PARAM_VALUE"


async def test_maker_fill_against_another_user(gate: RawGate, quiet: ExchangeSimulator) -> None:
    venue = quiet.gateio
    other = gate.as_user(venue.add_user("10000002"))
    bid, _ = _best(quiet)
    price = bid + D("0.1")
    mine = (await gate.order(side="buy", amount="0.01", price=str(price), text="t-maker")).body
    assert mine["status"] == "open"
    taker = (await other.order(side="sell", amount="0.004", price=str(price))).body
    assert taker["status"] == "closed" and taker["fee_currency"] == "USDT"
    after = (await gate.signed("GET", f"/spot/orders/{mine['id']}", query="currency_pair=BTC_USDT")).body
    assert (after["status"], after["left"], after["filled_amount"]) == ("open", "0.006", "0.004")
    assert D(after["fee"]) == D("0.004") * D("0.001")  # maker rate
    row = (await gate.signed("GET", "/spot/my_trades", query="currency_pair=BTC_USDT")).body[0]
    assert (row["role"], row["order_id"], row["text"]) == ("maker", mine["id"], "t-maker")


async def test_rejections(gate: RawGate, quiet: ExchangeSimulator) -> None:
    cases = [
        ({"side": "buy", "amount": "100", "price": "60000"}, "BALANCE_NOT_ENOUGH"),
        ({"side": "buy", "amount": "0.000001", "price": "60000"}, "INVALID_PARAM_VALUE"),
        ({"side": "buy", "amount": "0.00004", "price": "60000"}, "INVALID_PARAM_VALUE"),  # 2.4 USDT < 3
        ({"side": "buy", "amount": "0.001", "price": "60000.05"}, "INVALID_PRECISION"),
        ({"side": "buy", "amount": "0.0010001", "price": "60000"}, "INVALID_PRECISION"),
        ({"side": "buy", "amount": "0.001", "price": "60000", "text": "no-prefix"}, "INVALID_PARAM_VALUE"),
        ({"side": "buy", "amount": "0.001", "price": "60000", "text": "t-" + "x" * 29}, "INVALID_PARAM_VALUE"),
        ({"side": "hold", "amount": "0.001", "price": "60000"}, "INVALID_PARAM_VALUE"),
        ({"side": "buy", "amount": "0.001", "price": "60000", "currency_pair": "XX_USDT"}, "INVALID_CURRENCY_PAIR"),
    ]
    for fields, label in cases:
        reply = await gate.order(**fields)
        assert (reply.status, reply.body["label"]) == (400, label), fields
    small = await gate.order(side="buy", amount="0.00004", price="60000")
    assert "too small" in small.body["message"] and "3 USDT" in small.body["message"]
    assert quiet.gateio.balance("USDT").locked == 0


async def test_cancel_all_by_side_and_action_modes(gate: RawGate, quiet: ExchangeSimulator) -> None:
    await gate.order(side="buy", amount="0.001", price="60000")
    await gate.order(side="buy", amount="0.001", price="60001")
    sell = await gate.order(side="sell", amount="0.001", price="70000", action_mode="ACK")
    assert set(sell.body) == {"id", "text", "amend_text"}
    result = await gate.order(side="sell", amount="0.001", price="70001", action_mode="RESULT")
    assert "status" in result.body and "fee" not in result.body
    cancelled = await gate.signed("DELETE", "/spot/orders", query="currency_pair=BTC_USDT&side=buy")
    assert cancelled.status == 200 and len(cancelled.body) == 2
    assert all(o["succeeded"] is True and o["status"] == "cancelled" for o in cancelled.body)
    still_open = (await gate.signed("GET", "/spot/orders", query="currency_pair=BTC_USDT&status=open")).body
    assert sorted(o["side"] for o in still_open) == ["sell", "sell"]
    assert quiet.gateio.balance("BTC").locked == D("0.002")
