"""Gate.io public composite against the simulator: books synced and equal to the venue's, gap and
reconnect faults -> stale -> resynced, tickers and trades."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from app.domain.models import BookTicker, OrderBook, Trade
from app.domain.symbol import Symbol
from app.errors import UnknownSymbolError
from app.exchanges.gateio.spot.composite_public import GateioCompositePublicSpotExchange
from app.simulator import ExchangeSimulator
from tests.waiting import eventually

BTC = Symbol("BTC", "USDT")
ETH = Symbol("ETH", "USDT")


def levels(book: OrderBook, depth: int) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
    return (
        [(level.price, level.quantity) for level in book.bids[:depth]],
        [(level.price, level.quantity) for level in book.asks[:depth]],
    )


async def assert_matches_venue(
    public: GateioCompositePublicSpotExchange, simulator: ExchangeSimulator, symbol: Symbol, depth: int = 10
) -> None:
    """With the market paused, the local book reaches the venue's sequence and equals its top levels."""
    native = f"{symbol.base}_{symbol.quote}"
    engine = simulator.gateio.engines[native]
    await eventually(
        lambda: public.get_orderbook(symbol).is_valid and public.get_orderbook(symbol).sequence == engine.sequence
    )
    book = public.get_orderbook(symbol)
    venue_bids, venue_asks = simulator.gateio.depth(native, depth)
    assert levels(book, depth) == (venue_bids, venue_asks)
    assert book.best_bid is not None and book.best_ask is not None and book.best_bid.price < book.best_ask.price


async def test_books_sync_and_equal_the_venue_at_the_same_sequence(
    public: GateioCompositePublicSpotExchange, simulator: ExchangeSimulator
) -> None:
    await public.initialize(["BTC/USDT", "eth_usdt"])
    assert await public.wait_ready(3.0)
    await asyncio.sleep(0.2)  # let the market move through a few diff batches

    simulator.gateio.market.pause()

    for symbol in (BTC, ETH):
        await assert_matches_venue(public, simulator, symbol)
        assert public.book_synchronizer(symbol).gaps == 0
    assert len(public.get_orderbook(BTC, depth=3).bids) == 3


async def test_sequence_gap_marks_the_book_stale_and_resyncs(
    public: GateioCompositePublicSpotExchange, simulator: ExchangeSimulator
) -> None:
    views: list[OrderBook] = []
    public.subscribe_orderbook(views.append)
    await public.initialize([BTC])
    assert await public.wait_ready(3.0)
    sync = public.book_synchronizer(BTC)
    synced_at = sync.book.sequence
    await eventually(lambda: sync.book.sequence > synced_at)  # bridged: continuity is now strict

    simulator.gateio.faults.gap_order_book_updates(1, "BTC_USDT")
    await eventually(lambda: sync.gaps >= 1)

    assert any(not view.is_valid for view in views)  # subscribers saw the book go stale at once
    assert sync.resyncs >= 1
    assert await sync.wait_live(3.0)
    simulator.gateio.market.pause()
    await assert_matches_venue(public, simulator, BTC)


async def test_reconnect_marks_books_stale_and_resyncs(
    public: GateioCompositePublicSpotExchange, simulator: ExchangeSimulator
) -> None:
    await public.initialize([BTC, ETH])
    assert await public.wait_ready(3.0)
    snapshots_before = public.book_synchronizer(BTC).snapshots

    assert await simulator.gateio.faults.drop_ws_connections() >= 1

    await eventually(lambda: not public.get_orderbook(BTC).is_valid)  # disconnected / resyncing
    await eventually(lambda: public.book_synchronizer(BTC).snapshots > snapshots_before, 5.0)
    assert public.book_synchronizer(BTC).resyncs >= 1
    assert await public.wait_ready(3.0)
    simulator.gateio.market.pause()
    for symbol in (BTC, ETH):
        await assert_matches_venue(public, simulator, symbol)


async def test_book_ticker_and_trades(public: GateioCompositePublicSpotExchange, simulator: ExchangeSimulator) -> None:
    tickers: list[BookTicker] = []
    trades: list[Trade] = []

    async def on_trade(trade: Trade) -> None:  # async callbacks are supported
        trades.append(trade)

    public.subscribe_book_ticker(tickers.append)
    public.subscribe_trades(on_trade)
    await public.initialize([BTC])

    await eventually(lambda: public.get_book_ticker(BTC) is not None and bool(trades), 5.0)
    ticker = public.get_book_ticker("BTC_USDT")
    assert ticker is not None and ticker.bid_price < ticker.ask_price and tickers
    assert all(trade.symbol == BTC for trade in trades)
    recent = await public.get_trades(BTC, limit=5)
    assert 0 < len(recent) <= 5 and recent[0].symbol == BTC


async def test_unknown_and_unsubscribed_symbols(public: GateioCompositePublicSpotExchange) -> None:
    with pytest.raises(UnknownSymbolError):
        await public.initialize(["DOGE/EUR"])
    await public.close()


async def test_unsubscribed_symbol_is_refused(public: GateioCompositePublicSpotExchange) -> None:
    await public.initialize([BTC])

    assert public.resolve("SOL_USDT") == Symbol("SOL", "USDT")
    with pytest.raises(UnknownSymbolError, match="not subscribed"):
        public.get_orderbook("SOL/USDT")
    assert public.symbol_info[BTC].tick_size > 0
