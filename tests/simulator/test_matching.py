"""The venue-independent matching engine on its own: priority, fees, locks, time in force, events."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest

from app.domain.enums import OrderType, Side, TimeInForce
from app.simulator.matching import (
    BalanceChange,
    EngineListener,
    Fill,
    FinishReason,
    Ledger,
    MarketSpec,
    MatchingEngine,
    OrderEvent,
    OrderRejected,
    OrderState,
    RejectReason,
    SimOrder,
)

D = Decimal
SPEC = MarketSpec("BTC_USDT", "BTC", "USDT", D("0.1"), D("0.001"), D("0.001"), D("1"), D("0.001"), D("0.002"))


class Recorder(EngineListener):
    def __init__(self) -> None:
        self.book: list[tuple[Side, Decimal, Decimal, int]] = []
        self.fills: list[Fill] = []
        self.orders: list[tuple[str, OrderEvent]] = []
        self.balances: list[BalanceChange] = []

    def on_book_change(self, symbol: str, side: Side, price: Decimal, total: Decimal, sequence: int) -> None:
        self.book.append((side, price, total, sequence))

    def on_trade(self, fill: Fill) -> None:
        self.fills.append(fill)

    def on_order(self, order: SimOrder, event: OrderEvent) -> None:
        self.orders.append((order.order_id, event))

    def on_balance(self, change: BalanceChange) -> None:
        self.balances.append(change)


@pytest.fixture
def setup() -> tuple[MatchingEngine, Recorder]:
    recorder = Recorder()
    ledger = Ledger(recorder, lambda: 1_000_000)
    for account in ("alice", "bob"):
        ledger.open_account(account)
        ledger.deposit(account, "USDT", D(100_000))
        ledger.deposit(account, "BTC", D(10))
    counter = itertools.count(1)
    engine = MatchingEngine(SPEC, ledger, next_trade_id=lambda: str(next(counter)), clock_us=lambda: 1_000_000)
    return engine, recorder


_ids = itertools.count(100)


def order(account: str, side: Side, qty: str, price: str | None = None, **kw: object) -> SimOrder:
    return SimOrder(
        order_id=str(next(_ids)),
        account_id=account,
        symbol="BTC_USDT",
        side=side,
        order_type=OrderType.LIMIT if price else OrderType.MARKET,
        time_in_force=kw.pop("tif", TimeInForce.GTC if price else TimeInForce.IOC),  # type: ignore[arg-type]
        quantity=D(qty),
        price=D(price) if price else None,
        **kw,  # type: ignore[arg-type]
    )


def test_price_time_priority_partial_fills_and_sequence(setup: tuple[MatchingEngine, Recorder]) -> None:
    engine, rec = setup
    first = engine.submit(order("alice", Side.SELL, "1", "100"))
    second = engine.submit(order("alice", Side.SELL, "1", "100"))
    better = engine.submit(order("alice", Side.SELL, "0.5", "99.9"))
    start = engine.sequence
    taker = engine.submit(order("bob", Side.BUY, "1.2", "100"))
    assert [(f.maker.order_id, f.price, f.quantity) for f in rec.fills] == [
        (better.order_id, D("99.9"), D("0.5")),
        (first.order_id, D("100"), D("0.7")),
    ]
    assert taker.state is OrderState.FILLED and first.remaining == D("0.3") and second.remaining == 1
    assert [c[3] for c in rec.book[-2:]] == [start + 1, start + 2]  # one id per level change
    assert engine.asks.depth() == [(D("100"), D("1.3"))]


def test_fees_and_balances(setup: tuple[MatchingEngine, Recorder]) -> None:
    engine, _ = setup
    engine.submit(order("alice", Side.SELL, "1", "100"))
    alice = engine.ledger.accounts["alice"]
    assert alice.balance("BTC").locked == 1
    engine.submit(order("bob", Side.BUY, "1", "101"))
    bob = engine.ledger.accounts["bob"]
    assert bob.balance("BTC").free == D(10) + 1 - D("0.002")  # taker fee in the received asset
    assert (
        bob.balance("USDT").free == D(100_000) - 100 and bob.balance("USDT").locked == 0
    )  # price improvement refunded
    assert alice.balance("USDT").free == D(100_000) + 100 - D("0.1")  # maker fee 0.1 % of the quote received
    assert alice.balance("BTC").locked == 0 and alice.balance("BTC").free == 9


def test_time_in_force_and_rejections(setup: tuple[MatchingEngine, Recorder]) -> None:
    engine, _ = setup
    engine.submit(order("alice", Side.SELL, "1", "100"))
    with pytest.raises(OrderRejected) as post_only:
        engine.submit(order("bob", Side.BUY, "1", "100", tif=TimeInForce.POST_ONLY))
    assert post_only.value.reason is RejectReason.POST_ONLY_WOULD_TAKE
    with pytest.raises(OrderRejected) as broke:
        engine.submit(order("bob", Side.BUY, "5000", "100"))
    assert broke.value.reason is RejectReason.INSUFFICIENT_BALANCE
    fok = engine.submit(order("bob", Side.BUY, "2", "100", tif=TimeInForce.FOK))
    assert (fok.state, fok.finish_reason, fok.filled) == (OrderState.CANCELLED, FinishReason.FOK, 0)
    ioc = engine.submit(order("bob", Side.BUY, "2", "100", tif=TimeInForce.IOC))
    assert (ioc.state, ioc.finish_reason, ioc.filled) == (OrderState.CANCELLED, FinishReason.IOC, 1)
    assert engine.ledger.accounts["bob"].balance("USDT").locked == 0
    with pytest.raises(KeyError):
        engine.cancel(ioc.order_id)


def test_market_buy_by_quote_stops_at_a_lot(setup: tuple[MatchingEngine, Recorder]) -> None:
    engine, _ = setup
    engine.submit(order("alice", Side.SELL, "1", "100"))
    buy = order("bob", Side.BUY, "0")
    buy.quote_quantity = D("50.05")
    engine.submit(buy)
    assert (buy.state, buy.filled, buy.filled_quote) == (OrderState.FILLED, D("0.5"), D("50"))
    assert engine.ledger.accounts["bob"].balance("USDT").locked == 0
    empty = order("bob", Side.SELL, "0.001")
    engine.submit(empty)  # no bids at all
    assert (empty.state, empty.finish_reason) == (OrderState.CANCELLED, FinishReason.NO_LIQUIDITY)
