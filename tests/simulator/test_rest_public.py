"""Public REST shapes of the simulated Gate.io spot venue (reference section 4)."""

from __future__ import annotations

from decimal import Decimal

from app.simulator import ExchangeSimulator
from tests.simulator.conftest import RawGate


async def test_currency_pairs_have_the_venue_fields(gate: RawGate) -> None:
    reply = await gate.get("/spot/currency_pairs")
    assert reply.status == 200
    pairs = {item["id"]: item for item in reply.body}
    assert {"BTC_USDT", "ETH_USDT", "SOL_USDT"} <= set(pairs)
    btc = pairs["BTC_USDT"]
    assert (btc["base"], btc["quote"], btc["precision"], btc["amount_precision"]) == ("BTC", "USDT", 1, 6)
    assert (btc["min_base_amount"], btc["min_quote_amount"], btc["trade_status"]) == ("0.00001", "3", "tradable")
    assert pairs["ETH_USDT"]["precision"] == 2 and pairs["ETH_USDT"]["amount_precision"] == 4
    one = await gate.get("/spot/currency_pairs/ETH_USDT")
    assert one.body == pairs["ETH_USDT"]
    missing = await gate.get("/spot/currency_pairs/NOPE_USDT")
    assert (missing.status, missing.body["label"]) == (400, "INVALID_CURRENCY_PAIR")


async def test_order_book_shape_depth_and_id(gate: RawGate, simulator: ExchangeSimulator) -> None:
    reply = await gate.get("/spot/order_book", "currency_pair=BTC_USDT&limit=100&with_id=true")
    book = reply.body
    assert list(book) == ["id", "current", "update", "asks", "bids"]
    assert isinstance(book["id"], int) and isinstance(book["current"], int) and isinstance(book["update"], int)
    assert len(book["bids"]) >= 20 and len(book["asks"]) >= 20
    assert all(isinstance(x, str) for level in book["bids"] + book["asks"] for x in level)
    bids = [Decimal(p) for p, _ in book["bids"]]
    asks = [Decimal(p) for p, _ in book["asks"]]
    assert bids == sorted(bids, reverse=True) and asks == sorted(asks) and bids[0] < asks[0]
    assert Decimal(60000) < bids[0] < Decimal(70000)
    assert book["id"] <= simulator.gateio.engines["BTC_USDT"].sequence
    small = await gate.get("/spot/order_book", "currency_pair=BTC_USDT")
    assert "id" not in small.body and len(small.body["bids"]) == 10
    too_deep = await gate.get("/spot/order_book", "currency_pair=BTC_USDT&limit=1001")
    assert (too_deep.status, too_deep.body["label"]) == (400, "INVALID_PARAM_VALUE")


async def test_trades_tickers_and_time(gate: RawGate, simulator: ExchangeSimulator) -> None:
    simulator.gateio.market.pause()
    await gate.order(side="buy", type="market", amount="100", time_in_force="ioc")
    trades = (await gate.get("/spot/trades", "currency_pair=BTC_USDT&limit=5")).body
    assert 1 <= len(trades) <= 5
    latest = trades[0]
    assert set(latest) >= {"id", "create_time", "create_time_ms", "currency_pair", "side", "amount", "price"}
    assert latest["side"] == "buy" and isinstance(latest["id"], str) and "." in latest["create_time_ms"]
    tickers = (await gate.get("/spot/tickers")).body
    assert {t["currency_pair"] for t in tickers} >= {"BTC_USDT", "ETH_USDT"}
    one = (await gate.get("/spot/tickers", "currency_pair=BTC_USDT")).body[0]
    assert Decimal(one["highest_bid"]) < Decimal(one["lowest_ask"]) and "lowest_size" in one
    assert one["last"] == latest["price"]
    server_time = (await gate.get("/spot/time")).body["server_time"]
    assert isinstance(server_time, int) and server_time > 1_600_000_000_000


async def test_unknown_path_is_gate_shaped_404(gate: RawGate) -> None:
    reply = await gate.get("/spot/nothing_here")
    assert (reply.status, reply.body["label"]) == (404, "NOT_FOUND")


async def test_currencies_and_empty_margin_pairs_for_third_party_clients(gate: RawGate) -> None:
    currencies = {c["currency"]: c for c in (await gate.get("/spot/currencies")).body}
    assert {"BTC", "ETH", "USDT"} <= set(currencies) and currencies["BTC"]["trade_disabled"] is False
    assert (await gate.get("/margin/currency_pairs")).body == []
