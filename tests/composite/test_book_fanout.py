"""Order book subscriptions by depth and with conflation: unit rules on a local book, then the Gate.io
public composite against the simulator."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from app.composite.book import LocalOrderBook
from app.composite.book_fanout import BookFanout
from app.domain.enums import ExchangeEnum
from app.domain.models import OrderBook, PriceLevel
from app.domain.symbol import Symbol
from app.errors import ValidationError
from app.exchanges.gateio.spot.composite_public import GateioCompositePublicSpotExchange
from tests.waiting import eventually

BTC = Symbol("BTC", "USDT")
ETH = Symbol("ETH", "USDT")


def synced_book(symbol: Symbol = BTC, levels: int = 30) -> LocalOrderBook:
    book = LocalOrderBook(ExchangeEnum.GATEIO, symbol, max_depth=50)
    bids = [PriceLevel(Decimal(1000 - i), Decimal(1)) for i in range(levels)]
    asks = [PriceLevel(Decimal(1001 + i), Decimal(1)) for i in range(levels)]
    book.apply_snapshot(bids, asks, sequence=1, timestamp_ms=0)
    return book


def bump(book: LocalOrderBook, quantity: int) -> None:
    sequence = book.sequence + 1
    book.apply_levels([PriceLevel(Decimal(1000), Decimal(quantity))], [], sequence, sequence)


async def test_subscribers_of_one_depth_share_one_view_per_sequence() -> None:
    fanout = BookFanout(50)
    book = synced_book()
    shallow_a: list[OrderBook] = []
    shallow_b: list[OrderBook] = []
    full: list[OrderBook] = []
    fanout.add(shallow_a.append, 5)
    fanout.add(shallow_b.append, 5)
    fanout.add(full.append)  # None: the configured depth
    fanout.add(full.append, 500)  # deeper than maintained: the same view as the configured depth
    for quantity in (2, 3):
        bump(book, quantity)
        fanout.on_update(book)
    assert [view.sequence for view in shallow_a] == [2, 3]
    assert all(a is b for a, b in zip(shallow_a, shallow_b, strict=True))
    assert all(len(view.bids) == 5 and len(view.asks) == 5 for view in shallow_a)
    assert shallow_a[-1].bids[0] == PriceLevel(Decimal(1000), Decimal(3))
    assert len(full) == 4 and full[0] is full[1] and len(full[0].bids) == 30
    await fanout.close()


async def test_conflated_subscriber_gets_the_latest_view_once_per_loop_turn() -> None:
    fanout = BookFanout(50)
    btc, eth = synced_book(BTC), synced_book(ETH)
    every: list[int] = []
    latest: list[tuple[Symbol, int, Decimal]] = []
    fanout.add(lambda view: every.append(view.sequence))
    fanout.add(lambda view: latest.append((view.symbol, view.sequence, view.bids[0].quantity)), conflate=True)
    for quantity in (2, 3, 4):  # one burst: three updates of BTC and one of ETH in the same turn
        bump(btc, quantity)
        fanout.on_update(btc)
    bump(eth, 7)
    fanout.on_update(eth)
    assert every == [2, 3, 4, 2] and latest == []  # immediate subscribers unchanged; conflated ones wait
    await asyncio.sleep(0)
    assert latest == [(BTC, 4, Decimal(4)), (ETH, 2, Decimal(7))]
    bump(btc, 5)
    fanout.on_update(btc)
    await asyncio.sleep(0)
    assert latest[-1] == (BTC, 5, Decimal(5)) and len(latest) == 3
    await fanout.close()


async def test_conflated_delivery_reports_a_book_that_went_stale_as_invalid() -> None:
    fanout = BookFanout(50)
    book = synced_book()
    seen: list[OrderBook] = []
    fanout.add(seen.append, 10, conflate=True)
    bump(book, 2)
    fanout.on_update(book)
    book.mark_stale("sequence gap")
    fanout.on_update(book)
    await asyncio.sleep(0)
    assert len(seen) == 1 and not seen[0].is_valid and seen[0].sequence == 2


async def test_close_drops_a_scheduled_conflated_delivery() -> None:
    fanout = BookFanout(50)
    book = synced_book()
    seen: list[OrderBook] = []
    fanout.add(seen.append, conflate=True)
    fanout.on_update(book)
    await fanout.close()
    await asyncio.sleep(0)
    fanout.on_update(book)
    await asyncio.sleep(0)
    assert seen == []


@pytest.mark.parametrize("depth", [0, -1, True, 2.5, "5"])
def test_bad_depth_is_rejected_before_subscribing(depth: object) -> None:
    fanout = BookFanout(50)
    with pytest.raises(ValidationError):
        fanout.add(print, depth)  # type: ignore[arg-type]
    assert not fanout


async def test_composite_depth_and_conflated_subscribers_follow_the_live_book(
    public: GateioCompositePublicSpotExchange,
) -> None:
    every: list[OrderBook] = []
    conflated: list[tuple[int, int]] = []

    def on_conflated(view: OrderBook) -> None:  # the view is the book as it is now, never an older one
        conflated.append((view.sequence, public.get_orderbook(view.symbol).sequence))

    public.subscribe_orderbook(every.append, depth=3)
    public.subscribe_orderbook(on_conflated, conflate=True)
    with pytest.raises(ValidationError):
        public.subscribe_orderbook(every.append, depth=0)
    await public.initialize([BTC])
    assert await public.wait_ready(3.0)
    await eventually(lambda: len(conflated) >= 5 and len(every) >= 5)
    assert all(len(view.bids) <= 3 and len(view.asks) <= 3 for view in every)
    assert all(seen == current for seen, current in conflated)
    sequences = [seen for seen, _ in conflated]
    assert sequences == sorted(sequences)  # a resync may re-deliver one sequence (stale -> valid)
    assert len(conflated) <= len(every)
