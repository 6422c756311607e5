"""Trading through the private composite: balances, resting and crossing orders, validation before any
request, and a create request whose answer is lost (resolved by lookup, never duplicated)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from pytest_mock import MockerFixture

from app.domain.enums import OrderStatus, Side, TimeInForce
from app.domain.models import Order, SymbolInfo
from app.errors import (
    InvalidPriceError,
    InvalidQuantityError,
    MinNotionalError,
    UnknownSymbolError,
    ValidationError,
)
from tests.conformance.case import round_to_step
from tests.conformance.harness import VenueHarness, spy_requests, time_out_after_placement
from tests.waiting import eventually


async def resting_order_terms(harness: VenueHarness) -> tuple[SymbolInfo, Decimal, Decimal]:
    """(rules, price, quantity) of a minimum-size buy that rests well under the market."""
    _, info = await harness.traded_info()
    (best_bid, _), _ = harness.best_prices(info.native)
    price = harness.case.resting_price(info, best_bid)
    return info, price, harness.case.order_quantity(info, price)


async def wait_for_status(harness: VenueHarness, order: Order, done: Callable[[Order], bool]) -> Order:
    """Query the order from the venue (``get_order``) until ``done`` holds."""
    private = await harness.private()
    latest = order
    for _ in range(100):
        latest = await private.get_order(harness.case.traded, order.order_id)
        if done(latest):
            return latest
        await asyncio.sleep(0.02)
    raise AssertionError(f"order never reached the expected state: {latest}")


async def test_balances_equal_the_venue_account(harness: VenueHarness) -> None:
    private = await harness.private()

    balances = await harness.assert_balances_match_venue(private)

    assert any(balance.free > 0 for balance in balances.values()), "the test account should be funded"


async def test_resting_limit_order_is_tracked_queried_and_cancelled(harness: VenueHarness) -> None:
    streamed: list[Order] = []
    harness.private_composite().subscribe_orders(streamed.append)
    private = await harness.private()
    info, price, quantity = await resting_order_terms(harness)
    before = await harness.assert_balances_match_venue(private)

    order = await private.create_order(harness.case.traded, Side.BUY, quantity, price)

    assert order.is_open and order.symbol == info.symbol and order.side is Side.BUY
    assert order.price == price and order.quantity == quantity and order.client_order_id
    await eventually(lambda: any(o.order_id == order.order_id for o in streamed), what="order on the stream")
    open_ids = [o.order_id for o in await private.get_open_orders(harness.case.traded)]
    assert open_ids == [order.order_id]
    by_id = await private.get_order(harness.case.traded, order.order_id)
    assert by_id.order_id == order.order_id and by_id.is_open and by_id.client_order_id == order.client_order_id
    if harness.case.get_order_by_client_id:
        by_client_id = await private.get_order(harness.case.traded, order.client_order_id)
        assert by_client_id.order_id == order.order_id
    locked = await harness.assert_balances_match_venue(private)
    assert sum(b.locked for b in locked.values()) > sum(b.locked for b in before.values()), "nothing locked"

    cancelled = await private.cancel_order(harness.case.traded, order.order_id)

    assert cancelled.order_id == order.order_id and cancelled.status is OrderStatus.CANCELLED
    assert await private.get_open_orders(harness.case.traded) == []
    assert await harness.assert_balances_match_venue(private) == before  # unlocked, nothing spent


async def test_crossing_ioc_order_fills_and_balances_move_by_fills_and_fees(harness: VenueHarness) -> None:
    private = await harness.private()
    symbol, info = await harness.traded_info()
    harness.pause_market()  # the IOC must meet the ask it is priced at
    _, (best_ask, ask_size) = harness.best_prices(info.native)
    quantity = harness.case.order_quantity(info, best_ask)
    assert quantity <= ask_size, "the minimum order should fill at the best ask alone"
    before = await harness.assert_balances_match_venue(private)

    order = await private.create_order(harness.case.traded, Side.BUY, quantity, best_ask, time_in_force=TimeInForce.IOC)
    filled = await wait_for_status(harness, order, lambda o: o.status is OrderStatus.FILLED)

    assert filled.filled_quantity == quantity and filled.fee >= 0
    assert filled.average_price in (None, best_ask)
    after = await harness.assert_balances_match_venue(private)
    expected = harness.case.fill_deltas(symbol, Side.BUY, best_ask, quantity, filled.fee, filled.fee_asset)
    changed = {asset: after[asset].total - before[asset].total for asset in expected}
    assert changed == expected
    assert await private.get_open_orders(harness.case.traded) == []


def _zero_quantity(info: SymbolInfo, price: Decimal, quantity: Decimal) -> dict[str, Any]:
    return {"quantity": Decimal(0)}


def _negative_quantity(info: SymbolInfo, price: Decimal, quantity: Decimal) -> dict[str, Any]:
    return {"quantity": -quantity}


def _off_tick_price(info: SymbolInfo, price: Decimal, quantity: Decimal) -> dict[str, Any]:
    return {"price": price + info.tick_size / 2}


def _below_min_notional(info: SymbolInfo, price: Decimal, quantity: Decimal) -> dict[str, Any]:
    if info.min_notional <= 0:
        pytest.skip("the venue publishes no minimum notional")
    small = max(info.min_quantity, info.lot_size)
    return {"quantity": small, "price": round_to_step(info.min_notional / small / 2, info.tick_size, up=False)}


def _float_quantity(info: SymbolInfo, price: Decimal, quantity: Decimal) -> dict[str, Any]:
    return {"quantity": float(quantity)}


def _float_price(info: SymbolInfo, price: Decimal, quantity: Decimal) -> dict[str, Any]:
    return {"price": float(price)}


def _unknown_symbol(info: SymbolInfo, price: Decimal, quantity: Decimal) -> dict[str, Any]:
    return {"symbol": "DOGE/EUR"}


INVALID_ORDERS: dict[str, tuple[Callable[[SymbolInfo, Decimal, Decimal], dict[str, Any]], type[ValidationError]]] = {
    "zero quantity": (_zero_quantity, InvalidQuantityError),
    "negative quantity": (_negative_quantity, InvalidQuantityError),
    "off-tick price": (_off_tick_price, InvalidPriceError),
    "below min notional": (_below_min_notional, MinNotionalError),
    "float quantity": (_float_quantity, InvalidQuantityError),
    "float price": (_float_price, InvalidPriceError),
    "unknown symbol": (_unknown_symbol, UnknownSymbolError),
}


@pytest.mark.parametrize("invalid", list(INVALID_ORDERS))
async def test_invalid_orders_raise_typed_errors_and_send_nothing(
    harness: VenueHarness, mocker: MockerFixture, invalid: str
) -> None:
    private = await harness.private()
    info, price, quantity = await resting_order_terms(harness)
    make, error = INVALID_ORDERS[invalid]
    params: dict[str, Any] = {"symbol": harness.case.traded, "side": Side.BUY, "quantity": quantity, "price": price}
    params.update(make(info, price, quantity))
    orders_before = harness.venue_order_count()
    requests = spy_requests(mocker)

    with pytest.raises(error):
        await private.create_order(**params)

    assert requests.call_count == 0, f"a request was sent: {requests.call_args_list}"
    assert harness.venue_order_count() == orders_before


@pytest.mark.parametrize("crossing", [False, True], ids=["resting", "filled-at-once"])
async def test_a_timeout_after_the_venue_accepted_is_resolved_by_lookup_without_a_duplicate(
    harness: VenueHarness, mocker: MockerFixture, crossing: bool
) -> None:
    private = await harness.private()
    info, price, quantity = await resting_order_terms(harness)
    time_in_force = TimeInForce.GTC
    if crossing:
        harness.pause_market()
        _, (price, _) = harness.best_prices(info.native)
        quantity, time_in_force = harness.case.order_quantity(info, price), TimeInForce.IOC
    orders_before = harness.venue_order_count()
    placements = time_out_after_placement(mocker, harness.case)

    order = await private.create_order(harness.case.traded, Side.BUY, quantity, price, time_in_force=time_in_force)

    assert len(placements) == 1, f"the order was re-sent: {placements}"
    assert order.client_order_id and order.quantity == quantity
    assert harness.venue_order_count() == orders_before + 1
    assert harness.venue_orders_with_client_id(order.client_order_id) == 1
    open_ids = [o.order_id for o in await private.get_open_orders(harness.case.traded)]
    if crossing:
        assert order.status is OrderStatus.FILLED and open_ids == []
    else:
        assert order.is_open and open_ids == [order.order_id]
