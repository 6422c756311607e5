"""One venue under test: a simulator running just that venue, the real ApplicationContainer pointed at it,
composites built on demand through the container, and the case's simulator hooks bound to the venue."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

from dependency_injector import providers
from pytest_mock import MockerFixture

from app.composite.interfaces import CompositePrivateExchange, CompositePublicExchange
from app.config import AppSettings
from app.domain.models import Balance, OrderBook, SymbolInfo
from app.domain.symbol import Symbol, SymbolLike
from app.errors import RequestTimeoutError
from app.simulator import ExchangeSimulator
from app.transport.rest import RestTransport
from app.transport.session import HttpSessionManager
from containers.application import ApplicationContainer
from containers.factory import shutdown_container
from tests.conformance.case import Levels, VenueCase
from tests.waiting import eventually

FAST_SETTINGS: dict[str, Any] = {"request_timeout_s": 2.0, "ws_reconnect_max_delay_s": 0.2, "book_depth": 50}
"""Short timeouts and reconnect delays so fault tests stay fast (a case may override them)."""


async def pending_tasks(grace_s: float = 1.0) -> list[asyncio.Task[Any]]:
    """Tasks other than the current one still running after ``grace_s`` (closing sockets may take a tick)."""
    deadline = time.monotonic() + grace_s
    while True:
        current = asyncio.current_task()
        others = [task for task in asyncio.all_tasks() if task is not current and not task.done()]
        if not others or time.monotonic() > deadline:
            return others
        await asyncio.sleep(0.01)


def book_levels(book: OrderBook, depth: int) -> tuple[Levels, Levels]:
    return (
        [(level.price, level.quantity) for level in book.bids[:depth]],
        [(level.price, level.quantity) for level in book.asks[:depth]],
    )


def assert_well_formed(book: OrderBook) -> None:
    """Bids strictly descending, asks strictly ascending, positive quantities, not crossed."""
    bids = [level.price for level in book.bids]
    asks = [level.price for level in book.asks]
    assert bids and asks, "empty side"
    assert bids == sorted(bids, reverse=True) and len(set(bids)) == len(bids), "bids not strictly descending"
    assert asks == sorted(asks) and len(set(asks)) == len(asks), "asks not strictly ascending"
    assert all(level.quantity > 0 for level in (*book.bids, *book.asks)), "non-positive level quantity"
    assert bids[0] < asks[0], f"crossed book: bid {bids[0]} >= ask {asks[0]}"


class ValiditySampler:
    """Samples ``get_orderbook(symbol).is_valid`` on every event-loop iteration (catches short stale windows)."""

    def __init__(self, public: CompositePublicExchange, symbol: SymbolLike) -> None:
        self.samples: list[bool] = []
        self._public = public
        self._symbol = symbol
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> ValiditySampler:
        self._task = asyncio.get_running_loop().create_task(self._run(), name="conformance-validity-sampler")
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    @property
    def saw_invalid(self) -> bool:
        return not all(self.samples)

    async def _run(self) -> None:
        while True:
            self.samples.append(self._public.get_orderbook(self._symbol).is_valid)
            await asyncio.sleep(0)


class VenueHarness:
    """Composites of one venue built through the real container, plus that venue's simulator hooks."""

    def __init__(self, case: VenueCase, sim: ExchangeSimulator) -> None:
        self.case = case
        self.sim = sim
        self.venue: Any = sim.venue(case.sim_venue)
        base = sim.exchange_config(case.exchange)
        config = base.model_copy(update={**FAST_SETTINGS, **case.config_overrides})
        self.container = ApplicationContainer()
        self.container.core.settings.override(
            providers.Object(AppSettings(env="testing", exchanges={case.exchange: config}))
        )
        self.sessions: HttpSessionManager = self.container.transport.http_sessions()
        self._public_ready = False
        self._private_ready = False
        self._shut_down = False

    # --- composites (through the container) ------------------------------------------------------------
    def public_composite(self) -> CompositePublicExchange:
        """The container's public composite (the same instance on every call), not initialized here."""
        composite = self.container.composites(self.case.public_composite_key)
        assert isinstance(composite, CompositePublicExchange)
        assert composite.exchange is self.case.exchange
        return composite

    def private_composite(self) -> CompositePrivateExchange:
        """The container's private composite (the same instance on every call), not initialized here."""
        composite = self.container.composites(self.case.private_composite_key)
        assert isinstance(composite, CompositePrivateExchange)
        assert composite.exchange is self.case.exchange
        return composite

    async def public(self, symbols: list[str] | None = None) -> CompositePublicExchange:
        """The public composite, initialized with ``symbols`` (default: the case's) on first use."""
        composite = self.public_composite()
        if not self._public_ready:
            self._public_ready = True
            await composite.initialize(list(self.case.symbols) if symbols is None else symbols)
        return composite

    async def private(self) -> CompositePrivateExchange:
        """The private composite, initialized with the case's symbols on first use."""
        composite = self.private_composite()
        if not self._private_ready:
            self._private_ready = True
            await composite.initialize(list(self.case.symbols))
        return composite

    async def traded_info(self) -> tuple[Symbol, SymbolInfo]:
        """The traded symbol and its rules (read through the public composite)."""
        public = await self.public()
        symbol = public.resolve(self.case.traded)
        return symbol, public.symbol_info[symbol]

    async def shutdown(self) -> None:
        """Close everything the container built (idempotent); the shared HTTP session must end closed."""
        if self._shut_down:
            return
        self._shut_down = True
        await shutdown_container(self.container)
        self.container.core.settings.reset_override()
        assert self.sessions.closed, "the HTTP session was left open"

    # --- simulator hooks bound to this venue ----------------------------------------------------------
    def pause_market(self) -> None:
        self.case.hooks.pause_market(self.venue)

    def inject_book_gap(self, native: str) -> None:
        self.case.hooks.inject_book_gap(self.venue, native)

    async def drop_connections(self) -> int:
        return await self.case.hooks.drop_connections(self.venue)

    def venue_book(self, native: str, depth: int) -> tuple[Levels, Levels]:
        return self.case.hooks.book(self.venue, native, depth)

    def venue_sequence(self, native: str) -> int:
        return self.case.hooks.book_sequence(self.venue, native)

    def venue_balance(self, asset: str) -> Balance:
        return self.case.hooks.balance(self.venue, asset)

    def venue_balances(self) -> dict[str, Balance]:
        return {asset: self.venue_balance(asset) for asset in self.case.balance_assets}

    def venue_orders_with_client_id(self, client_order_id: str) -> int:
        return self.case.hooks.orders_with_client_id(self.venue, client_order_id)

    def venue_order_count(self) -> int:
        return self.case.hooks.order_count(self.venue)

    def best_prices(self, native: str) -> tuple[tuple[Decimal, Decimal], tuple[Decimal, Decimal]]:
        """The venue's best (price, size) bid and ask."""
        bids, asks = self.venue_book(native, 1)
        return bids[0], asks[0]

    # --- checks ---------------------------------------------------------------------------------------
    async def assert_book_matches_venue(self, public: CompositePublicExchange, symbol: SymbolLike) -> OrderBook:
        """With the market paused: the local book reaches the venue's sequence, is valid, equals its top N."""
        native = public.symbol_info[public.resolve(symbol)].native
        target = self.venue_sequence(native)
        await eventually(
            lambda: (book := public.get_orderbook(symbol)).is_valid and book.sequence == target,
            what=f"{symbol} book valid at the venue's sequence {target}",
        )
        book = public.get_orderbook(symbol)
        assert_well_formed(book)
        depth = self.case.compare_depth
        assert book_levels(book, depth) == self.venue_book(native, depth)
        return book

    async def assert_balances_match_venue(self, private: CompositePrivateExchange) -> dict[str, Balance]:
        """The composite's balances of the case's assets become equal to the venue's account."""
        expected = self.venue_balances()
        latest: dict[str, Balance] = {}

        async def poll() -> bool:
            latest.update(await private.get_balances())
            return all(latest.get(asset, Balance(asset, Decimal(0))) == want for asset, want in expected.items())

        deadline = time.monotonic() + 3.0
        while not await poll():
            if time.monotonic() > deadline:
                raise AssertionError(f"balances {latest} never matched the venue's {expected}")
            await asyncio.sleep(0.01)
        return expected


@asynccontextmanager
async def running_harness(case: VenueCase) -> AsyncIterator[VenueHarness]:
    """A simulator running only ``case``'s venue and the container pointed at it (the suites' fixtures).

    On exit the container is closed, then the simulator; then it fails when a task is left pending or the
    loop reported an error (an unclosed session, a task destroyed while pending, an unretrieved exception).
    """
    loop = asyncio.get_running_loop()
    loop_errors: list[dict[str, Any]] = []
    previous_handler = loop.get_exception_handler()
    loop.set_exception_handler(lambda _loop, context: loop_errors.append(context))
    sim = ExchangeSimulator(venues=(case.sim_venue,), tick_interval_s=0.02)
    await sim.start()
    harness = VenueHarness(case, sim)
    try:
        yield harness
    finally:
        try:
            await harness.shutdown()
        finally:
            await sim.stop()
    left = await pending_tasks()
    gc.collect()  # a session dropped unclosed is reported to the handler now
    loop.set_exception_handler(previous_handler)
    assert not left, f"tasks left pending after shutdown: {[task.get_name() for task in left]}"
    assert not loop_errors, f"event loop errors: {[context.get('message') for context in loop_errors]}"


def spy_requests(mocker: MockerFixture) -> Any:
    """Spy on every REST request of every venue (all REST clients send through :class:`RestTransport`)."""
    return mocker.spy(RestTransport, "request")


def time_out_after_placement(mocker: MockerFixture, case: VenueCase) -> list[str]:
    """Let the order-placing request reach the venue, then fail it as if the answer never came back.

    Returns the list of placement requests sent (``"METHOD path"``), to check nothing was re-sent.
    """
    real = RestTransport.request
    placements: list[str] = []

    async def send_then_time_out(self: RestTransport, method: str, path: str, **kwargs: Any) -> Any:
        response = await real(self, method, path, **kwargs)
        if case.is_order_placement(method, path):
            placements.append(f"{method} {path}")
            raise RequestTimeoutError(f"{case.exchange.value}: request timed out (injected after the venue accepted)")
        return response

    mocker.patch.object(RestTransport, "request", new=send_then_time_out)
    return placements
