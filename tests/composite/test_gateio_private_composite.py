"""Gate.io private composite against the simulator: snapshots + stream-kept orders and balances, order
entry, validation before any network call, and the resolution of create requests with unknown outcome."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pytest_mock import MockerFixture

from app.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from app.domain.models import Balance, Order
from app.domain.symbol import Symbol
from app.errors import (
    InvalidClientOrderIdError,
    InvalidOrderParamsError,
    InvalidPriceError,
    InvalidQuantityError,
    MinNotionalError,
    NetworkError,
    OrderStateUnknownError,
    RequestTimeoutError,
    UnknownSymbolError,
)
from app.exchanges.gateio.spot.composite_private import GateioCompositePrivateSpotExchange
from app.exchanges.gateio.spot.rest_private import GateioPrivateSpotRest
from app.simulator import ExchangeSimulator
from tests.waiting import eventually

BTC = Symbol("BTC", "USDT")
D = Decimal
FAR_BID = D("50000.0")  # far below the simulated BTC market (~65000): rests on the book


def venue_orders(simulator: ExchangeSimulator, text: str) -> list[Any]:
    return [order for order in simulator.gateio.orders.values() if order.client_order_id == text]


def timeout_after_sending(mocker: MockerFixture, rest: GateioPrivateSpotRest) -> Any:
    """Make ``create_order`` reach the venue, then fail as if the answer never came back."""
    real = rest.create_order

    async def create_then_time_out(*args: Any, **kwargs: Any) -> Order:
        await real(*args, **kwargs)
        raise RequestTimeoutError("gateio: request timed out")

    return mocker.patch.object(rest, "create_order", side_effect=create_then_time_out)


async def test_initial_snapshot_and_balances_from_the_stream(
    private: GateioCompositePrivateSpotExchange, simulator: ExchangeSimulator
) -> None:
    updates: list[Balance] = []
    private.subscribe_balances(updates.append)
    await private.initialize()

    balances = await private.get_balances()
    assert balances["USDT"].free == simulator.gateio.balance("USDT").free == D(1_000_000)
    assert balances["BTC"].free == D(10)

    simulator.gateio.deposit("USDT", D(5))

    await eventually(lambda: private.tracker.balance("USDT") == Balance("USDT", D(1_000_005)))
    assert any(update.asset == "USDT" for update in updates)


async def test_create_get_cancel_with_open_orders_and_locks_tracked(
    private: GateioCompositePrivateSpotExchange, simulator: ExchangeSimulator
) -> None:
    seen: list[Order] = []
    private.subscribe_orders(seen.append)
    await private.initialize([BTC])

    order = await private.create_order("BTC/USDT", "buy", "0.001", "50000.0")

    assert order.status is OrderStatus.NEW and order.client_order_id is not None
    assert order.client_order_id.startswith("t-") and order.price == FAR_BID
    assert [o.order_id for o in await private.get_open_orders(BTC)] == [order.order_id]
    await eventually(lambda: private.tracker.balance("USDT") == Balance("USDT", D(999_950), D(50)))
    assert any(o.order_id == order.order_id for o in seen)  # the stream reported it too
    assert (await private.get_order(BTC, order.order_id)).order_id == order.order_id

    cancelled = await private.cancel_order(BTC, order.order_id)

    assert cancelled.status is OrderStatus.CANCELLED
    assert await private.get_open_orders() == []
    assert simulator.gateio.user_orders(simulator.gateio.user, is_open=True) == []
    await eventually(lambda: private.tracker.balance("USDT") == Balance("USDT", D(1_000_000), D(0)))


async def test_given_client_order_id_is_used_and_prefixed(
    private: GateioCompositePrivateSpotExchange, simulator: ExchangeSimulator
) -> None:
    await private.initialize([BTC])

    order = await private.create_order(BTC, Side.BUY, D("0.001"), D("50000.0"), client_order_id="arb-1")

    assert order.client_order_id == "t-arb-1" and len(venue_orders(simulator, "t-arb-1")) == 1


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"symbol": "DOGE/EUR"}, UnknownSymbolError),
        ({"quantity": "0"}, InvalidQuantityError),
        ({"quantity": "0.0000001"}, InvalidQuantityError),  # below min and off lot
        ({"quantity": 0.001}, InvalidQuantityError),  # float rejected
        ({"price": None}, InvalidPriceError),
        ({"price": "50000.05"}, InvalidPriceError),  # off tick
        ({"quantity": "0.00002", "price": "100.0"}, MinNotionalError),
        ({"order_type": OrderType.MARKET, "time_in_force": TimeInForce.POST_ONLY}, InvalidOrderParamsError),
        ({"order_type": OrderType.MARKET, "price": None}, InvalidOrderParamsError),  # market buy needs a price
        ({"client_order_id": "t-has space"}, InvalidClientOrderIdError),
    ],
)
async def test_validation_errors_send_nothing(
    private: GateioCompositePrivateSpotExchange,
    private_rest: GateioPrivateSpotRest,
    simulator: ExchangeSimulator,
    mocker: MockerFixture,
    kwargs: dict[str, Any],
    error: type[Exception],
) -> None:
    await private.initialize([BTC])
    request = mocker.spy(private_rest.transport, "request")
    params: dict[str, Any] = {"symbol": BTC, "side": Side.BUY, "quantity": "0.001", "price": "50000.0", **kwargs}

    with pytest.raises(error):
        await private.create_order(**params)

    assert request.call_count == 0
    assert simulator.gateio.user_orders(simulator.gateio.user, is_open=True) == []


async def test_timeout_after_the_venue_accepted_is_resolved_by_lookup(
    private: GateioCompositePrivateSpotExchange,
    private_rest: GateioPrivateSpotRest,
    simulator: ExchangeSimulator,
    mocker: MockerFixture,
) -> None:
    await private.initialize([BTC])
    create = timeout_after_sending(mocker, private_rest)

    order = await private.create_order(BTC, Side.BUY, "0.001", "50000.0", client_order_id="t-lost-answer")

    assert order.client_order_id == "t-lost-answer" and order.status is OrderStatus.NEW
    assert create.call_count == 1  # never re-sent
    assert len(venue_orders(simulator, "t-lost-answer")) == 1
    assert [o.order_id for o in await private.get_open_orders()] == [order.order_id]


async def test_timeout_after_an_immediate_fill_is_resolved(
    private: GateioCompositePrivateSpotExchange,
    private_rest: GateioPrivateSpotRest,
    simulator: ExchangeSimulator,
    mocker: MockerFixture,
) -> None:
    """Gate finds a ``t-`` id only while the order is open: a filled one is found through the fills."""
    await private.initialize([BTC])
    best_ask = simulator.gateio.depth("BTC_USDT", 1)[1][0][0]
    create = timeout_after_sending(mocker, private_rest)

    order = await private.create_order(
        BTC, Side.BUY, "0.0001", best_ask, time_in_force=TimeInForce.IOC, client_order_id="t-filled-fast"
    )

    assert order.status is OrderStatus.FILLED and order.filled_quantity == D("0.0001")
    assert create.call_count == 1 and len(venue_orders(simulator, "t-filled-fast")) == 1


async def test_timeout_before_the_venue_got_it_reports_not_placed(
    private: GateioCompositePrivateSpotExchange,
    private_rest: GateioPrivateSpotRest,
    simulator: ExchangeSimulator,
    mocker: MockerFixture,
) -> None:
    await private.initialize([BTC])
    create = mocker.patch.object(private_rest, "create_order", side_effect=RequestTimeoutError("timed out"))
    lookup = mocker.spy(private_rest, "get_order")

    with pytest.raises(RequestTimeoutError) as info:
        await private.create_order(BTC, Side.BUY, "0.001", "50000.0", client_order_id="t-never-sent")

    assert "not placed" in " ".join(getattr(info.value, "__notes__", []))
    assert create.call_count == 1 and lookup.call_count == 3
    assert venue_orders(simulator, "t-never-sent") == []


async def test_failed_lookup_raises_order_state_unknown(
    private: GateioCompositePrivateSpotExchange,
    private_rest: GateioPrivateSpotRest,
    mocker: MockerFixture,
) -> None:
    await private.initialize([BTC])
    mocker.patch.object(private_rest, "create_order", side_effect=RequestTimeoutError("timed out"))
    mocker.patch.object(private_rest, "get_order", side_effect=NetworkError("connection reset"))

    with pytest.raises(OrderStateUnknownError) as info:
        await private.create_order(BTC, Side.BUY, "0.001", "50000.0", client_order_id="t-unknown")

    assert info.value.client_order_id == "t-unknown" and info.value.symbol == "BTC/USDT"


async def test_orders_placed_elsewhere_are_tracked_from_the_stream(
    private: GateioCompositePrivateSpotExchange, simulator: ExchangeSimulator
) -> None:
    await private.initialize()
    venue = simulator.gateio

    placed = venue.place_order(venue.user, symbol="BTC_USDT", side="buy", amount="0.001", price="50000", text="t-ui")

    await eventually(lambda: private.tracker.find_by_client_id("t-ui") is not None)
    assert [o.order_id for o in await private.get_open_orders()] == [placed.order_id]
    venue.cancel_order(venue.user, "BTC_USDT", placed.order_id)
    await eventually(lambda: not private.tracker.open_orders())
    assert private.tracker.get(placed.order_id).status is OrderStatus.CANCELLED  # type: ignore[union-attr]


async def test_reconnect_repolls_orders_missed_while_disconnected(
    private: GateioCompositePrivateSpotExchange, private_rest: GateioPrivateSpotRest, simulator: ExchangeSimulator
) -> None:
    await private.initialize([BTC])
    venue = simulator.gateio

    assert await venue.faults.drop_ws_connections() >= 1
    placed = venue.place_order(venue.user, symbol="BTC_USDT", side="buy", amount="0.001", price="50000", text="t-gap")

    await eventually(lambda: private.tracker.get(placed.order_id) is not None, 5.0)
    assert [o.client_order_id for o in await private.get_open_orders(BTC)] == ["t-gap"]


async def test_filled_order_found_through_recent_fills_when_the_stream_missed_it(
    private: GateioCompositePrivateSpotExchange,
    private_rest: GateioPrivateSpotRest,
    simulator: ExchangeSimulator,
    mocker: MockerFixture,
) -> None:
    await private.initialize([Symbol("ETH", "USDT")])  # BTC orders are not streamed to this composite
    simulator.gateio.market.pause()  # the IOC must meet the ask it was priced at
    best_ask = simulator.gateio.depth("BTC_USDT", 1)[1][0][0]
    timeout_after_sending(mocker, private_rest)
    fills = mocker.spy(private_rest, "get_my_trades")

    order = await private.create_order(
        BTC, Side.BUY, "0.0001", best_ask, time_in_force=TimeInForce.IOC, client_order_id="t-via-fills"
    )

    assert order.status is OrderStatus.FILLED and order.client_order_id == "t-via-fills"
    assert fills.call_count >= 1
