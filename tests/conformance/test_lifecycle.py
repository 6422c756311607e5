"""Shutdown: closing the container closes every composite, stream, task and the HTTP session."""

from __future__ import annotations

from app.domain.enums import Side
from app.domain.models import OrderBook
from tests.conformance.harness import VenueHarness, pending_tasks
from tests.waiting import eventually


async def test_shutdown_closes_everything_and_leaves_nothing_pending(harness: VenueHarness) -> None:
    received: list[OrderBook] = []

    async def on_book(view: OrderBook) -> None:  # an async subscriber runs in a dispatcher task
        received.append(view)

    harness.public_composite().subscribe_orderbook(on_book)
    public = await harness.public()
    private = await harness.private()
    _, info = await harness.traded_info()
    (best_bid, _), _ = harness.best_prices(info.native)
    price = harness.case.resting_price(info, best_bid)
    await private.create_order(harness.case.traded, Side.BUY, harness.case.order_quantity(info, price), price)
    await eventually(lambda: bool(received) and public.get_orderbook(harness.case.traded).is_valid, what="live")

    await harness.shutdown()
    await harness.sim.stop()

    left = await pending_tasks()
    assert not left, f"tasks left pending: {[task.get_name() for task in left]}"
    assert harness.sessions.closed
    assert not public.get_orderbook(harness.case.traded).is_valid, "a closed composite reported a valid book"
    await public.close()  # idempotent
    await private.close()
