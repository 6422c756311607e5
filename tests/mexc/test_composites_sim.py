"""MEXC composites on the simulator: versioned books (gap -> stale -> resync), order entry with unknown outcome."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from pytest_mock import MockerFixture

from app.domain.enums import OrderStatus, Side
from app.errors import ExchangeUnavailableError, UnknownSymbolError
from app.exchanges.mexc.spot.composite_private import MexcCompositePrivateSpotExchange
from app.exchanges.mexc.spot.composite_public import MexcCompositePublicSpotExchange
from app.exchanges.mexc.spot.rest_private import MexcPrivateSpotRest
from app.simulator.mexc.venue import MexcSpotVenue
from tests.mexc.conftest import BTC
from tests.waiting import eventually


async def test_book_matches_the_venue_and_symbols_resolve_from_exchange_info(
    public: MexcCompositePublicSpotExchange, venue: MexcSpotVenue
) -> None:
    await public.initialize(["BTCUSDT", "eth/usdt"])
    assert public.resolve("BTC_USDT") == BTC and public.resolve("BTCUSDT") == BTC
    with pytest.raises(UnknownSymbolError):
        public.resolve("FOO/USDT")
    assert await public.wait_ready(5.0)
    venue.market.pause()
    await asyncio.sleep(0.3)  # the last 100 ms window is pushed
    book = public.get_orderbook(BTC, 10)
    bids, asks = venue.depth("BTCUSDT", 10)
    assert book.is_valid and book.sequence == venue.engines["BTCUSDT"].sequence
    assert [(lvl.price, lvl.quantity) for lvl in book.bids] == bids
    assert [(lvl.price, lvl.quantity) for lvl in book.asks] == asks
    ticker = public.get_book_ticker(BTC)
    assert ticker is not None and (ticker.bid_price, ticker.ask_price) == (bids[0][0], asks[0][0])


async def test_a_version_gap_makes_the_book_stale_then_resynced(
    public: MexcCompositePublicSpotExchange, venue: MexcSpotVenue
) -> None:
    await public.initialize([BTC])
    assert await public.wait_ready(5.0)
    sync = public.book_synchronizer(BTC)
    stale_seen: list[bool] = []
    public.subscribe_orderbook(lambda view: stale_seen.append(not view.is_valid))
    venue.faults.gap_depth(1, "BTCUSDT")
    # counted as a gap, or as "snapshot older than the stream" when no diff bridged the snapshot yet
    await eventually(lambda: sync.resyncs >= 1, 5.0, "the gap is detected")
    assert any(stale_seen), "the book was reported invalid"
    await eventually(lambda: public.get_orderbook(BTC).is_valid, 5.0, "the book is resynced")
    assert sync.snapshots >= 2


async def test_book_is_invalid_while_the_stream_is_down(
    public: MexcCompositePublicSpotExchange, venue: MexcSpotVenue
) -> None:
    await public.initialize([BTC])
    assert await public.wait_ready(5.0)
    await venue.faults.drop_ws_connections(abrupt=True)
    await eventually(lambda: not public.get_orderbook(BTC).is_valid, 2.0, "invalid while disconnected")
    await eventually(lambda: public.get_orderbook(BTC).is_valid, 5.0, "valid after reconnect + resync")
    assert public.book_synchronizer(BTC).resyncs >= 1


async def test_private_composite_orders_and_balances_from_the_stream(
    private: MexcCompositePrivateSpotExchange, venue: MexcSpotVenue
) -> None:
    await private.initialize([BTC])
    venue.market.pause()
    assert (await private.get_balances())["USDT"].free == venue.balance("USDT").free
    bid = venue.depth("BTCUSDT", 1)[0][0][0]
    order = await private.create_order("BTC/USDT", "buy", "0.001", str(bid - 100), client_order_id="rest-1")
    assert order.status is OrderStatus.NEW
    await eventually(lambda: venue.balance("USDT").locked > 0 and private.tracker.balance("USDT") is not None, 2.0)
    assert [o.order_id for o in await private.get_open_orders(BTC)] == [order.order_id]
    await eventually(lambda: private.tracker.balance("USDT") == _balance(venue, "USDT"), 3.0, "balance pushes")
    cancelled = await private.cancel_order(BTC, order.order_id)
    assert cancelled.status is OrderStatus.CANCELLED and not await private.get_open_orders()
    market = await private.create_order(BTC, Side.SELL, "0.002", order_type="market")
    assert market.status is OrderStatus.FILLED and market.filled_quantity == Decimal("0.002")  # looked up once
    await eventually(lambda: any(e.order_id == market.order_id for e in private.tracker.executions), 3.0, "fills")


def _balance(venue: MexcSpotVenue, asset: str) -> object:
    from app.domain.models import Balance

    held = venue.balance(asset)
    return Balance(asset, held.free, held.locked)


async def test_5xx_on_an_accepted_order_is_resolved_by_client_id_never_resent(
    private: MexcCompositePrivateSpotExchange,
    venue: MexcSpotVenue,
    private_rest: MexcPrivateSpotRest,
    mocker: MockerFixture,
) -> None:
    await private.initialize([BTC])
    venue.market.pause()
    price = str(venue.depth("BTCUSDT", 1)[0][0][0] - 100)
    lookup = mocker.spy(private_rest, "get_order_by_client_id")
    venue.faults.fail_next_orders(1, status=503, placed=True)
    order = await private.create_order(BTC, "buy", "0.001", price, client_order_id="unknown-1")
    assert order.client_order_id == "unknown-1" and order.status is OrderStatus.NEW
    assert sum(1 for o in venue.orders.values() if o.client_order_id == "unknown-1") == 1
    assert lookup.call_count + (0 if private.tracker.find_by_client_id("unknown-1") else 1) >= 1
    venue.faults.fail_next_orders(1, status=503, placed=False)
    before = len(venue.orders)
    with pytest.raises(ExchangeUnavailableError) as info:
        await private.create_order(BTC, "buy", "0.001", price, client_order_id="unknown-2")
    assert "not placed" in " ".join(getattr(info.value, "__notes__", []))
    assert len(venue.orders) == before  # looked up, not re-sent
