"""Protobuf push decoding: the reference binary vectors, every message type, wire tolerance, domain mapping."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from app.domain.models import PriceLevel
from app.domain.symbol import Symbol
from app.exchanges.mexc.proto import mexc_push_pb2 as pb
from app.exchanges.mexc.spot import push
from tests.mexc.conftest import BTC, fixture_bytes

MX = Symbol("MX", "USDT")


def parse(data: bytes) -> pb.PushDataV3ApiWrapper:
    wrapper = pb.PushDataV3ApiWrapper()
    wrapper.ParseFromString(data)
    return wrapper


def test_aggre_depth_vector() -> None:
    wrapper = parse(fixture_bytes("ws/aggre_depth.hex"))
    assert wrapper.WhichOneof("body") == "publicAggreDepths"
    assert wrapper.channel == "spot@public.aggre.depth.v3.api.pb@100ms@BTCUSDT"
    assert push.push_symbol(wrapper) == "BTCUSDT"
    diff = push.aggre_depth(wrapper, BTC)
    assert (diff.first_update_id, diff.last_update_id) == (10589632359, 10589632359)
    assert diff.bids == [(Decimal("92877.58"), Decimal(0))] and diff.asks == []
    assert type(diff.bids[0]) is PriceLevel and diff.bids[0].price == Decimal("92877.58")  # stored as is by the book
    assert diff.timestamp_ms == 1736411507002 and not diff.is_snapshot


def test_aggre_book_ticker_vector() -> None:
    ticker = push.aggre_book_ticker(parse(fixture_bytes("ws/aggre_book_ticker.hex")), BTC)
    assert (ticker.bid_price, ticker.bid_quantity) == (Decimal("93387.28"), Decimal("3.73485"))
    assert (ticker.ask_price, ticker.ask_quantity) == (Decimal("93387.29"), Decimal("7.669875"))
    assert ticker.timestamp_ms == 1736412092433 and ticker.sequence is None  # no version before 2026


def test_aggre_deals_vector() -> None:
    [trade] = push.aggre_deals(parse(fixture_bytes("ws/aggre_deals.hex")), BTC)
    assert trade.price == Decimal("93220.00") and trade.quantity == Decimal("0.04438243")
    assert trade.side is Side.SELL and trade.timestamp_ms == 1736409765051
    assert trade.trade_id == "1736409765051-93220.00-0.04438243-sell"  # no tradeId before 2026: derived


def test_private_orders_vector() -> None:
    wrapper = parse(fixture_bytes("ws/private_orders.hex"))
    assert wrapper.symbol == "MXUSDT" and wrapper.sendTime == 1736417034281
    order = push.private_order(wrapper, MX)
    assert order.order_id == "C02__505979017439002624115" and order.client_order_id is None
    assert order.side is Side.SELL and order.order_type is OrderType.MARKET and order.time_in_force is TimeInForce.IOC
    assert order.status is OrderStatus.FILLED and order.filled_quantity == Decimal(1) == order.quantity
    assert order.average_price == Decimal("3.6962") and order.price == Decimal("3.5121")


def test_every_message_type_round_trips_through_the_wrapper() -> None:
    bodies: dict[str, object] = {
        "publicDeals": pb.PublicDealsV3Api(deals=[pb.PublicDealsV3ApiItem(price="1", quantity="2", tradeType=1)]),
        "publicIncreaseDepths": pb.PublicIncreaseDepthsV3Api(version="7"),
        "publicLimitDepths": pb.PublicLimitDepthsV3Api(version="9"),
        "privateOrders": pb.PrivateOrdersV3Api(id="o1", status=1),
        "publicBookTicker": pb.PublicBookTickerV3Api(bidPrice="1"),
        "privateDeals": pb.PrivateDealsV3Api(tradeId="t1"),
        "privateAccount": pb.PrivateAccountV3Api(vcoinName="USDT"),
        "publicSpotKline": pb.PublicSpotKlineV3Api(interval="Min1", windowStart=1754737920),
        "publicMiniTicker": pb.PublicMiniTickerV3Api(symbol="BTCUSDT"),
        "publicMiniTickers": pb.PublicMiniTickersV3Api(items=[pb.PublicMiniTickerV3Api(symbol="X")]),
        "publicBookTickerBatch": pb.PublicBookTickerBatchV3Api(items=[pb.PublicBookTickerV3Api(askPrice="2")]),
        "publicIncreaseDepthsBatch": pb.PublicIncreaseDepthsBatchV3Api(items=[pb.PublicIncreaseDepthsV3Api()]),
        "publicAggreDepths": pb.PublicAggreDepthsV3Api(fromVersion="1", toVersion="2"),
        "publicAggreDeals": pb.PublicAggreDealsV3Api(eventType="e"),
        "publicAggreBookTicker": pb.PublicAggreBookTickerV3Api(version="3"),
    }
    numbers = {field.name: field.number for field in pb.PushDataV3ApiWrapper.DESCRIPTOR.oneofs_by_name["body"].fields}
    assert set(numbers) == set(bodies) and sorted(numbers.values()) == list(range(301, 316))
    for name, body in bodies.items():
        wrapper = pb.PushDataV3ApiWrapper(channel="c", **{name: body})
        decoded = parse(wrapper.SerializeToString())
        assert decoded.WhichOneof("body") == name
        assert getattr(decoded, name) == body


def test_key_tag_bytes_match_the_reference() -> None:
    """Field 313 length-delimited is ``ca 13``, 314 ``d2 13``, 315 ``da 13``, 304 ``82 13``, ..."""
    tags = {"publicAggreDepths": "ca13", "publicAggreDeals": "d213", "publicAggreBookTicker": "da13",
            "privateOrders": "8213", "privateDeals": "9213", "privateAccount": "9a13", "publicLimitDepths": "fa12",
            "publicBookTickerBatch": "ba13"}  # fmt: skip
    for name, tag in tags.items():
        data = pb.PushDataV3ApiWrapper(
            **{name: getattr(pb.PushDataV3ApiWrapper(), name).__class__()}
        ).SerializeToString()
        assert data.hex().startswith(tag), name


def test_decoding_tolerates_field_order_and_unknown_fields() -> None:
    body = pb.PublicAggreDepthsV3Api(fromVersion="5", toVersion="6").SerializeToString()
    symbol = b"\x1a\x07BTCUSDT"
    channel_text = b"spot@public.aggre.depth.v3.api.pb@10ms@BTCUSDT"
    channel = b"\x0a" + bytes([len(channel_text)]) + channel_text
    unknown = b"\xb8\x3e\x01"  # field 999, varint 1: a field a future venue version may add
    data = b"\xca\x13" + bytes([len(body)]) + body + unknown + symbol + channel
    wrapper = parse(data)
    assert wrapper.WhichOneof("body") == "publicAggreDepths" and wrapper.symbol == "BTCUSDT"
    diff = push.aggre_depth(wrapper, BTC)
    assert (diff.first_update_id, diff.last_update_id) == (5, 6)


def test_limit_depth_is_a_snapshot_and_book_ticker_version_is_read() -> None:
    wrapper = pb.PushDataV3ApiWrapper(channel="spot@public.limit.depth.v3.api.pb@BTCUSDT@5", sendTime=9)
    wrapper.publicLimitDepths.version = "42"
    wrapper.publicLimitDepths.bids.add(price="10", quantity="1")
    wrapper.publicLimitDepths.asks.add(price="11", quantity="2")
    snapshot = push.limit_depth(parse(wrapper.SerializeToString()), BTC)
    assert snapshot.is_snapshot and snapshot.last_update_id == 42
    assert snapshot.bids == [(Decimal(10), Decimal(1))] and snapshot.asks == [(Decimal(11), Decimal(2))]
    assert push.push_symbol(wrapper) == "BTCUSDT"
    ticker = pb.PushDataV3ApiWrapper(symbol="BTCUSDT")
    ticker.publicAggreBookTicker.version = "77"
    assert push.aggre_book_ticker(ticker, BTC).sequence == 77


def test_private_deal_and_account_mapping() -> None:
    wrapper = pb.PushDataV3ApiWrapper(channel="spot@private.deals.v3.api.pb", symbol="MXUSDT")
    deal = wrapper.privateDeals
    deal.price, deal.quantity, deal.amount, deal.tradeType = "3.6962", "1", "3.6962", 2
    deal.tradeId, deal.orderId, deal.feeAmount, deal.feeCurrency = "505979017439002624X1", "C02__5", "0.0004", "MX"
    deal.time = 1736417034280
    execution = push.private_deal(parse(wrapper.SerializeToString()), MX)
    assert execution.side is Side.SELL and not execution.is_maker and execution.client_order_id is None
    assert execution.fee == Decimal("0.0004") and execution.fee_asset == "MX" and execution.trade_id.endswith("X1")
    account = pb.PushDataV3ApiWrapper(channel="spot@private.account.v3.api.pb")
    account.privateAccount.vcoinName = "usdt"
    account.privateAccount.balanceAmount = "0.006016465074677006"
    account.privateAccount.frozenAmount = "4.4022"
    balance = push.private_account(parse(account.SerializeToString()))
    assert balance.asset == "USDT" and balance.free == Decimal("0.006016465074677006")
    assert balance.locked == Decimal("4.4022")


@pytest.mark.parametrize(
    ("status", "expected"),
    [(1, OrderStatus.NEW), (2, OrderStatus.FILLED), (3, OrderStatus.PARTIALLY_FILLED),
     (4, OrderStatus.CANCELLED), (5, OrderStatus.CANCELLED), (9, OrderStatus.UNKNOWN)],
)  # fmt: skip
def test_order_status_codes(status: int, expected: OrderStatus) -> None:
    wrapper = pb.PushDataV3ApiWrapper(symbol="BTCUSDT")
    wrapper.privateOrders.id, wrapper.privateOrders.status, wrapper.privateOrders.tradeType = "x", status, 1
    wrapper.privateOrders.orderType = 2
    order = push.private_order(wrapper, BTC)
    assert order.status is expected and order.time_in_force is TimeInForce.POST_ONLY
