"""Streams under injected faults, on every venue: a stale book is never offered as valid, a restart or a
silent stream is recovered from, a garbled private frame does not leave the account view wrong."""

from __future__ import annotations

import asyncio
import time

from app.soak.checks import instances
from app.transport.websocket import ReconnectingWebSocket
from tests.conformance.case import VenueCase
from tests.conformance.harness import ValiditySampler, VenueHarness
from tests.waiting import eventually

IDLE = {"ws_idle_timeout_s": 1.0, "ws_ping_interval_s": 0.3}


def sockets() -> list[ReconnectingWebSocket]:
    return [ws for ws in instances(ReconnectingWebSocket) if not ws.closed]


async def test_random_gaps_and_garbage_never_leave_a_wrong_valid_book(venue: VenueHarness) -> None:
    public = await venue.public()
    symbol = public.resolve(venue.case.traded)
    native = public.symbol_info[symbol].native
    venue.venue.faults.configure({"gap_rate": 0.3, "malformed_rate": 0.05, "truncated_rate": 0.05})
    wrong: list[int] = []
    deadline = time.monotonic() + 3.0
    async with ValiditySampler(public, symbol) as sampler:
        while time.monotonic() < deadline:
            book = public.get_orderbook(symbol, 10)
            current = book.is_valid and book.sequence == venue.venue_sequence(native)
            if current and [(lv.price, lv.quantity) for lv in book.bids[:10]] != venue.venue_book(native, 10)[0]:
                wrong.append(book.sequence)
            await asyncio.sleep(0.005)
    venue.venue.faults.configure(None)
    assert sampler.saw_invalid and not wrong
    injected = venue.venue.faults.injected
    assert injected["gap"] + injected["malformed_frame"] + injected["truncated_frame"] >= 1
    venue.pause_market()
    await venue.assert_book_matches_venue(public, venue.case.traded)


async def test_a_venue_restart_is_recovered(venue: VenueHarness) -> None:
    public = await venue.public()
    private = await venue.private()
    symbol = public.resolve(venue.case.traded)
    async with ValiditySampler(public, symbol) as sampler:
        await venue.venue.faults.restart(down_s=1.0)
        await eventually(lambda: sampler.saw_invalid, what="the book marked stale by the restart")
        assert not venue.venue.faults.accepting_connections()
        await eventually(lambda: public.get_orderbook(symbol).is_valid, timeout_s=15.0, what="the book resynced")
    assert venue.venue.faults.injected["restart"] == 1 and venue.venue.faults.injected["ws_refused"] >= 1
    venue.pause_market()
    await venue.assert_book_matches_venue(public, venue.case.traded)
    await venue.assert_balances_match_venue(private)


async def test_a_silent_stream_is_noticed_and_reconnected(case: VenueCase) -> None:
    from app.simulator import ExchangeSimulator

    async with ExchangeSimulator(venues=(case.sim_venue,), tick_interval_s=0.02) as sim:
        harness = VenueHarness(_with(case, IDLE), sim)
        try:
            public = await harness.public()
            symbol = public.resolve(case.traded)
            await eventually(lambda: public.get_orderbook(symbol).is_valid, timeout_s=5.0)
            reconnects = sum(ws.reconnect_count for ws in sockets())
            harness.venue.faults.configure({"silent_every_s": 3600.0})  # a mix, so frames pass the model
            await eventually(lambda: bool(harness.venue.faults._frames), what="frames through the fault model")
            harness.venue.faults.silence()  # the open connections hang: connected, nothing sent, no pong
            await eventually(
                lambda: sum(ws.idle_timeouts for ws in sockets()) >= 1, timeout_s=5.0, what="an idle timeout"
            )
            await eventually(
                lambda: (
                    sum(ws.reconnect_count for ws in sockets()) > reconnects and public.get_orderbook(symbol).is_valid
                ),
                timeout_s=10.0,
                what="reconnected and resynced after the silence",
            )
        finally:
            await harness.shutdown()


async def test_a_garbled_private_frame_does_not_leave_the_account_view_wrong(venue: VenueHarness) -> None:
    private = await venue.private()
    symbol, info = await venue.traded_info()
    bid, _ = venue.best_prices(info.native)
    price = venue.case.resting_price(info, bid[0])
    quantity = venue.case.order_quantity(info, price)
    venue.venue.faults.configure({"malformed_rate": 1.0})  # every frame garbled, the private stream included
    order = await private.create_order(symbol, "buy", quantity, price)
    await eventually(lambda: venue.venue.faults.injected["malformed_frame"] >= 2, what="garbled frames")
    venue.venue.faults.configure(None)
    # the order update and the balance push were lost to garbage: the client must re-poll, not trust its cache
    await venue.assert_balances_match_venue(private)
    assert order.order_id in {o.order_id for o in await private.get_open_orders()}


def _with(case: VenueCase, overrides: dict[str, object]) -> VenueCase:
    from dataclasses import replace

    return replace(case, config_overrides={**case.config_overrides, **overrides})


async def test_after_a_reconnect_the_old_book_is_never_offered_as_valid(venue: VenueHarness) -> None:
    public = await venue.public()
    symbol = public.resolve(venue.case.traded)
    native = public.symbol_info[symbol].native
    venue.pause_market()
    await venue.assert_book_matches_venue(public, venue.case.traded)
    old_sequence = public.get_orderbook(symbol).sequence
    venue.venue.faults.configure({"delay_rate": 1.0, "delay_s": 0.3})  # slow acks: a long replay window
    stale_but_valid: list[int] = []

    async def sample() -> None:
        # count only once the client has seen the drop (it cannot know before)
        await eventually(lambda: not public.get_orderbook(symbol).is_valid, timeout_s=10.0, what="the drop seen")
        while True:
            book = public.get_orderbook(symbol)
            if book.is_valid and book.sequence == old_sequence:
                stale_but_valid.append(book.sequence)
            await asyncio.sleep(0)

    sampler = asyncio.get_running_loop().create_task(sample())
    try:
        await venue.drop_connections()
        venue.venue.market.step(1)  # the venue moves on while the client is away
        assert venue.venue_sequence(native) != old_sequence
        await eventually(
            lambda: (b := public.get_orderbook(symbol)).is_valid and b.sequence == venue.venue_sequence(native),
            timeout_s=15.0,
            what="resynced at the venue's new sequence",
        )
    finally:
        sampler.cancel()
        await asyncio.gather(sampler, return_exceptions=True)
        venue.venue.faults.configure(None)
    assert not stale_but_valid, "the pre-reconnect book was offered as valid after the venue moved on"
