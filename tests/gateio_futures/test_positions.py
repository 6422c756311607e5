"""Positions, leverage, position mode, funding and the private streams, through the futures private composite
against the simulator over loopback."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pytest_mock import MockerFixture

from app.domain.enums import OrderStatus, OrderType, PositionMode, PositionSide, Side
from app.domain.models import Execution, Order, Position
from app.errors import InvalidOrderError, InvalidOrderParamsError, InvalidQuantityError
from app.exchanges.gateio.futures.composite_private import GateioFuturesCompositePrivateExchange
from app.simulator.gateio_futures.venue import GateioFuturesVenue
from app.transport.rest import RestTransport
from tests.waiting import eventually

BTC = "BTC/USDT"
MULT = Decimal("0.0001")


def venue_size(venue: GateioFuturesVenue, mode: str = "single") -> int:
    return venue.accounts.position(venue.user.uid, "BTC_USDT", mode).size


async def market(private: GateioFuturesCompositePrivateExchange, side: Side, quantity: str, **kw: bool) -> Order:
    order = await private.create_order(BTC, side, Decimal(quantity), order_type=OrderType.MARKET, **kw)
    assert order.status is OrderStatus.FILLED, order
    return order


async def cached_contracts(
    private: GateioFuturesCompositePrivateExchange, contracts: int, side: str | None = None
) -> Position:
    """Wait until the stream-maintained position has ``contracts``."""
    await eventually(
        lambda: (p := private.get_position(BTC, side)) is not None and p.contracts == contracts,
        what=f"position of {contracts} contracts on the stream",
    )
    position = private.get_position(BTC, side)
    assert position is not None
    return position


async def test_position_lifecycle_open_add_reduce_close(
    private: GateioFuturesCompositePrivateExchange, venue: GateioFuturesVenue
) -> None:
    streamed: list[Position] = []
    private.subscribe_positions(streamed.append)
    await private.initialize([BTC])
    assert private.position_mode is PositionMode.SINGLE
    venue.market.pause()

    first = await market(private, Side.BUY, "0.01")
    opened = await cached_contracts(private, 100)
    assert (
        opened.side is PositionSide.LONG
        and opened.quantity == Decimal("0.01")
        and opened.entry_price == first.average_price
    )

    second = await market(private, Side.BUY, "0.005")
    added = await cached_contracts(private, 150)
    assert first.average_price is not None and second.average_price is not None
    assert added.entry_price == (100 * first.average_price + 50 * second.average_price) / 150

    reduce = await market(private, Side.SELL, "0.01", reduce_only=True)
    reduced = await cached_contracts(private, 50)
    assert reduce.reduce_only and reduced.entry_price == added.entry_price
    assert reduce.average_price is not None
    pnl = 100 * MULT * (reduce.average_price - added.entry_price)
    fees = venue.accounts.users[venue.user.uid].history["fee"]
    assert reduced.realized_pnl == pnl + fees  # realized = trading PnL + fees (negative) since the open

    closing = await private.close_position(BTC)
    assert closing.reduce_only and closing.side is Side.SELL and closing.filled_quantity == Decimal("0.005")
    await cached_contracts(private, 0)
    assert await private.get_positions() == [] and venue_size(venue) == 0
    assert [p.contracts for p in streamed if p.symbol.base == "BTC"][-4:] == [100, 150, 50, 0]


async def test_single_mode_flip_and_reduce_only_guards(
    private: GateioFuturesCompositePrivateExchange, venue: GateioFuturesVenue
) -> None:
    await private.initialize([BTC])
    await market(private, Side.BUY, "0.01")
    with pytest.raises(InvalidOrderError) as exceeded:
        await private.create_order(BTC, Side.SELL, Decimal("0.02"), order_type=OrderType.MARKET, reduce_only=True)
    assert exceeded.value.code == "REDUCE_EXCEEDED"
    with pytest.raises(InvalidOrderError) as increase:
        await private.create_order(BTC, Side.BUY, Decimal("0.01"), order_type=OrderType.MARKET, reduce_only=True)
    assert increase.value.code == "INCREASE_POSITION"

    flip = await market(private, Side.SELL, "0.03")
    flipped = await cached_contracts(private, -200)
    assert flipped.side is PositionSide.SHORT and flipped.entry_price == flip.average_price
    assert venue_size(venue) == -200


async def test_dual_mode_long_and_short_at_once_reduce_close_and_flip(
    private: GateioFuturesCompositePrivateExchange, venue: GateioFuturesVenue
) -> None:
    await private.initialize([BTC])
    account = await private.set_position_mode(PositionMode.DUAL)
    assert account.position_mode is PositionMode.DUAL and private.position_mode is PositionMode.DUAL

    await market(private, Side.BUY, "0.01")  # opens the long
    await market(private, Side.SELL, "0.005")  # opens the short: both held at once
    long = await cached_contracts(private, 100, "long")
    short = await cached_contracts(private, -50, "short")
    assert long.mode is PositionMode.DUAL and long.side is PositionSide.LONG and short.side is PositionSide.SHORT
    assert {p.side for p in await private.get_positions(BTC)} == {PositionSide.LONG, PositionSide.SHORT}

    await market(private, Side.SELL, "0.003", reduce_only=True)  # a reduce-only sell reduces the long
    await cached_contracts(private, 70, "long")
    assert venue_size(venue, "dual_short") == -50

    with pytest.raises(InvalidOrderParamsError):
        await private.close_position(BTC)  # dual mode: which side?
    with pytest.raises(InvalidOrderError) as holding:
        await private.set_position_mode(PositionMode.SINGLE)
    assert holding.value.code == "POSITION_HOLDING"

    await private.close_position(BTC, "long")  # flip long -> short: close the long, then add to the short
    await market(private, Side.SELL, "0.01")
    await cached_contracts(private, 0, "long")
    await cached_contracts(private, -150, "short")
    await private.close_position(BTC, PositionSide.SHORT)
    await cached_contracts(private, 0, "short")
    assert (await private.set_position_mode("single")).position_mode is PositionMode.SINGLE


async def test_leverage_moves_position_margin_and_is_checked(
    private: GateioFuturesCompositePrivateExchange, venue: GateioFuturesVenue
) -> None:
    await private.initialize([BTC])
    await market(private, Side.BUY, "0.01")
    at_ten = await cached_contracts(private, 100)
    assert at_ten.leverage == 10

    (at_five,) = await private.set_leverage(BTC, 5)

    assert at_five.leverage == 5 and at_five.margin == 2 * at_ten.margin
    await eventually(
        lambda: (
            private.tracker.balance("USDT") is not None and private.tracker.balance("USDT").locked == at_five.margin
        ),  # type: ignore[union-attr]
        what="account refreshed after the leverage change",
    )
    (cross,) = await private.set_leverage(BTC, 0, cross_leverage_limit=20)
    assert cross.leverage == 0 and cross.margin == at_ten.margin / 2
    with pytest.raises(InvalidOrderError) as too_high:
        await private.set_leverage(BTC, 500)
    assert too_high.value.code == "LEVERAGE_TOO_HIGH"


async def test_funding_is_applied_on_schedule_and_reaches_the_account(
    private: GateioFuturesCompositePrivateExchange, venue: GateioFuturesVenue
) -> None:
    await private.initialize([BTC])
    await market(private, Side.BUY, "0.01")
    await cached_contracts(private, 100)
    user = venue.accounts.users[venue.user.uid]
    assert user.history["fund"] == 0

    venue.set_funding_interval(0.2)
    await eventually(lambda: user.history["fund"] != 0, what="funding applied")

    rate = venue.funding_history["BTC_USDT"][0][1]
    position = venue.accounts.position(venue.user.uid, "BTC_USDT", "single")
    assert (position.pnl_fund < 0) == (rate > 0)  # a long pays a positive rate
    total, _, _ = venue.accounts.totals(venue.user.uid)
    await eventually(
        lambda: (
            private.tracker.balance("USDT") is not None
            and private.tracker.balance("USDT").total == venue.accounts.totals(venue.user.uid)[0]
        ),  # type: ignore[union-attr]
        what="margin account refreshed after the funding row",
    )
    assert any(row.type == "fund" for row in user.book) and total


async def test_quantity_not_a_whole_number_of_contracts_is_refused_before_sending(
    private: GateioFuturesCompositePrivateExchange, mocker: MockerFixture
) -> None:
    await private.initialize([BTC])
    requests = mocker.spy(RestTransport, "request")

    with pytest.raises(InvalidQuantityError, match="whole number of BTC/USDT contracts"):
        await private.create_order(BTC, Side.BUY, Decimal("0.00015"), Decimal(60000))

    assert requests.call_count == 0


async def test_private_streams_report_orders_fills_positions_and_ledger(
    private: GateioFuturesCompositePrivateExchange, venue: GateioFuturesVenue
) -> None:
    orders: list[Order] = []
    fills: list[Execution] = []
    positions: list[Position] = []
    private.subscribe_orders(orders.append)
    private.subscribe_executions(fills.append)
    private.subscribe_positions(positions.append)
    await private.initialize([BTC])

    order = await market(private, Side.BUY, "0.002")

    await eventually(lambda: any(o.order_id == order.order_id and o.status is OrderStatus.FILLED for o in orders))
    await eventually(lambda: sum(f.quantity for f in fills if f.order_id == order.order_id) == Decimal("0.002"))
    await eventually(lambda: any(p.contracts == 20 for p in positions))
    assert all(f.fee > 0 and not f.is_maker for f in fills)
    assert [e.trade_id for e in await private.get_executions(BTC)] == [f.trade_id for f in fills]
    account = await private.get_account()
    assert account.user_id == venue.user.uid
