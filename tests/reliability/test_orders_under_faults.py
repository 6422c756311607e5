"""Orders under injected faults, on every venue: nothing placed twice, nothing lost, no failed order from a
skewed clock, 429s backed off and counted, the configured order budget kept by the client itself."""

from __future__ import annotations

import asyncio
import contextlib
from decimal import Decimal

from app.domain.enums import OrderType, Side, TimeInForce
from app.errors import RateLimitError
from app.simulator.common import RateLimitRule
from app.soak.checks import instances
from app.transport.rate_limit import RateLimiter
from app.transport.websocket import WS_RESUBSCRIBED, ReconnectingWebSocket
from tests.conformance.harness import VenueHarness
from tests.waiting import eventually


async def resting_order_args(venue: VenueHarness) -> tuple[object, Decimal, Decimal]:
    symbol, info = await venue.traded_info()
    bid, _ = venue.best_prices(info.native)
    price = venue.case.resting_price(info, bid[0])
    return symbol, venue.case.order_quantity(info, price), price


async def test_a_lost_answer_to_an_accepted_order_is_resolved_once(venue: VenueHarness) -> None:
    private = await venue.private()
    symbol, quantity, price = await resting_order_args(venue)
    before = venue.venue_order_count()
    venue.venue.faults.configure({"lost_order_response_rate": 1.0})
    try:
        order = await private.create_order(symbol, Side.BUY, quantity, price, client_order_id=None)
    finally:
        venue.venue.faults.configure(None)
    assert venue.venue.faults.injected["lost_order_response"] == 1
    assert order.client_order_id is not None and venue.venue_orders_with_client_id(order.client_order_id) == 1
    assert venue.venue_order_count() == before + 1
    await eventually(lambda: order.order_id in {o.order_id for o in venue.private_composite().tracker.open_orders()})


async def test_a_skewed_server_clock_fails_no_order(venue: VenueHarness) -> None:
    private = await venue.private()
    symbol, quantity, price = await resting_order_args(venue)
    venue.sim.clock.offset_s = 90.0  # beyond Gate's 60 s and MEXC's recvWindow
    placed = await private.create_order(symbol, Side.BUY, quantity, price)
    venue.sim.clock.offset_s = -90.0  # and back past it the other way
    cancelled = await private.cancel_order(symbol, placed.order_id)
    assert cancelled.order_id == placed.order_id and not cancelled.is_open
    assert venue.venue_orders_with_client_id(placed.client_order_id or "") == 1


async def test_the_private_stream_reconnects_through_a_skewed_clock(venue: VenueHarness) -> None:
    await venue.private()
    private_sockets = [ws for ws in instances(ReconnectingWebSocket) if "private" in ws.name and not ws.closed]
    assert private_sockets
    resubscribed: set[str] = set()
    for ws in private_sockets:
        ws.add_listener(lambda event, sock: resubscribed.add(sock.name) if event == WS_RESUBSCRIBED else None)
    clock = venue.private_composite()._rest.clock  # type: ignore[attr-defined]
    measured = clock.resyncs
    venue.sim.clock.offset_s = 90.0  # the replayed subscriptions are signed with a time the venue refuses
    assert await venue.drop_connections() >= 1
    await eventually(
        lambda: resubscribed == {ws.name for ws in private_sockets},
        timeout_s=15.0,
        what="every private stream resubscribed (no REST call in between to fix the clock)",
    )
    if clock.resync is not None:  # Gate signs each channel's subscription: all refused at once, measured once
        assert clock.resyncs == measured + 1


async def test_429s_are_backed_off_counted_and_recovered(venue: VenueHarness) -> None:
    public = await venue.public()
    symbol = public.resolve(venue.case.traded)
    venue.venue.faults.configure({"http_429_rate": 1.0})
    try:
        with contextlib.suppress(RateLimitError):  # it may also succeed on a retry
            await public.get_trades(symbol, 10)
    finally:
        venue.venue.faults.configure(None)
    limiters = [lim for lim in _limiters() if lim.rate_limited]
    assert limiters and sum(lim.rate_limited for lim in limiters) >= 1
    assert venue.venue.faults.injected["http_429"] >= 1
    trades = await public.get_trades(symbol, 10)  # waits out the penalty, then succeeds
    assert isinstance(trades, list)


async def test_the_client_keeps_its_order_budget_by_itself(venue: VenueHarness) -> None:
    private = await venue.private()
    symbol, quantity, price = await resting_order_args(venue)
    budget = venue.container.core.settings().exchange(venue.case.exchange).rate_limits.orders_per_second
    # the venue allows exactly what the client's bucket can send in one second at worst (burst + refill)
    for category in ("place", "order"):
        if category in venue.venue.rate_limits.categories:
            venue.venue.rate_limits.categories[category] = RateLimitRule(2 * budget, 1.0)
    count = min(3 * budget, 40)
    orders = await asyncio.gather(*(private.create_order(symbol, Side.BUY, quantity, price) for _ in range(count)))
    assert len({o.order_id for o in orders}) == count
    assert venue.venue.faults.injected["enforced_429"] == 0


async def test_ioc_orders_under_5xx_and_lost_answers_are_never_duplicated(venue: VenueHarness) -> None:
    private = await venue.private()
    symbol, info = await venue.traded_info()
    _, ask = venue.best_prices(info.native)
    price = ask[0] * Decimal("1.01")
    price -= price % info.tick_size
    quantity = venue.case.order_quantity(info, price)
    venue.venue.faults.configure({"http_5xx_rate": 0.3, "lost_order_response_rate": 0.5})
    outcomes: list[object] = []
    try:
        for _ in range(8):
            try:
                outcomes.append(
                    await private.create_order(symbol, Side.BUY, quantity, price, OrderType.LIMIT, TimeInForce.IOC)
                )
            except Exception as exc:
                outcomes.append(exc)
    finally:
        venue.venue.faults.configure(None)
    ids = [
        o.client_order_id
        for o in venue.venue.orders.values()
        if o.client_order_id and o.account_id == venue.venue.user.uid
    ]
    assert len(ids) == len(set(ids)), "an order was placed twice"
    placed = [o for o in outcomes if not isinstance(o, Exception)]
    assert all(venue.venue_orders_with_client_id(o.client_order_id or "") == 1 for o in placed)  # type: ignore[attr-defined]


def _limiters() -> list[RateLimiter]:
    import gc

    return [obj for obj in gc.get_objects() if isinstance(obj, RateLimiter)]
