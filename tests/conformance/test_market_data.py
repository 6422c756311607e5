"""Streams and callbacks: book updates, book tickers and public trades flow; recent trades over REST."""

from __future__ import annotations

from app.domain.models import BookTicker, OrderBook, Trade
from tests.conformance.harness import VenueHarness
from tests.waiting import eventually


async def test_book_ticker_trade_and_book_callbacks_fire(harness: VenueHarness) -> None:
    books: list[OrderBook] = []
    tickers: list[BookTicker] = []
    trades: list[Trade] = []

    async def on_trade(trade: Trade) -> None:  # async callbacks are supported as well as plain ones
        trades.append(trade)

    composite = harness.public_composite()
    composite.subscribe_orderbook(books.append)
    composite.subscribe_book_ticker(tickers.append)
    composite.subscribe_trades(on_trade)
    public = await harness.public([harness.case.traded])
    symbol = public.resolve(harness.case.traded)

    await eventually(lambda: bool(books and tickers and trades), 5.0, "book, ticker and trade callbacks")

    assert all(view.symbol == symbol for view in books) and any(view.is_valid for view in books)
    ticker = public.get_book_ticker(harness.case.traded)
    assert ticker is not None and ticker.symbol == symbol and ticker.bid_price < ticker.ask_price
    assert all(t.symbol == symbol and t.bid_price < t.ask_price for t in tickers)
    assert all(t.symbol == symbol and t.price > 0 and t.quantity > 0 for t in trades)
    recent = await public.get_trades(harness.case.traded, limit=5)
    assert 0 < len(recent) <= 5
    assert all(t.symbol == symbol and t.exchange is harness.case.exchange and t.price > 0 for t in recent)
