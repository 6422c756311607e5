"""What the simulated venues share: the API user, where a venue's numbers start, the venue state every venue
builds the same way (clock, ledger, id sequences, rate limits, users, the market maker), start/stop of
market and WS hub, the catch-all route, the endpoints a client is given, and fan-out of engine events to
the hub (one base, three venues; :class:`SimSpotVenue` adds the spot markets and accounts)."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from aiohttp import web

from app.simulator.common import IdSequence, RateLimitRule, RateLimits, SimClock, VenueEndpoints
from app.simulator.market import MARKET_MAKER_ACCOUNT, MarketDriver, MarketParams
from app.simulator.matching import (
    AssetBalance,
    BalanceChange,
    EngineListener,
    Fill,
    Ledger,
    MarketSpec,
    MatchingEngine,
    SimOrder,
)

if TYPE_CHECKING:
    from app.domain.enums import Side
    from app.simulator.faults import VenueFaults
    from app.simulator.price_path import UnderlyingPrices

HISTORY_LIMIT = 1000
"""Public and per-user trades a venue keeps (what its trade-history endpoints can return)."""


@dataclass(frozen=True, slots=True)
class SimUser:
    """A simulated API user; the key and secret never show in a repr. A venue subclasses it for its name."""

    uid: str
    api_key: str = field(repr=False)
    api_secret: str = field(repr=False)


UserT = TypeVar("UserT", bound=SimUser)


@dataclass(frozen=True, slots=True)
class VenueNumbering:
    """Where a venue's numbers start, in the venue's own ranges: order and trade ids start at
    ``first_* + seed * ids_per_seed`` (each seed its own range) and the book sequence of the ``index``-th
    market at ``sequence_step * (index + 1) + seed``."""

    first_order_id: int
    first_trade_id: int
    ids_per_seed: int
    sequence_step: int

    def order_ids(self, seed: int) -> IdSequence:
        return IdSequence(self.first_order_id + seed * self.ids_per_seed)

    def trade_ids(self, seed: int) -> IdSequence:
        return IdSequence(self.first_trade_id + seed * self.ids_per_seed)

    def start_sequence(self, index: int, seed: int) -> int:
        return self.sequence_step * (index + 1) + seed


class ClockedVenue(Protocol):
    """What a venue's REST routes and WS hub read from any venue: its clock and its fault model."""

    @property
    def clock(self) -> SimClock: ...

    @property
    def faults(self) -> VenueFaults: ...


class VenueHub(Protocol):
    """The WS hub a venue owns."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def on_book_change(self, symbol: str, side: Side, price: Decimal, total: Decimal, sequence: int) -> None: ...


class SpotVenueHub(VenueHub, Protocol):
    """A spot hub: public trades and balance moves of a user."""

    def on_trade(self, fill: Fill) -> None: ...

    def on_balance(self, change: BalanceChange, user: Any) -> None: ...


class VenueRest(Protocol):
    def register_fallback(self, router: web.UrlDispatcher) -> None: ...


class Listing(Protocol):
    """A listed spot market: the engine's rules and how the synthetic market moves."""

    @property
    def spec(self) -> MarketSpec: ...

    @property
    def params(self) -> MarketParams: ...


class SimVenue(EngineListener, Generic[UserT]):
    """Base of a simulated venue. ``__init__`` builds the state every venue has; a subclass then builds its
    ``hub`` and ``faults``, its engines (:meth:`_open_markets`), registers its test ``user`` and mounts
    ``_rest``."""

    hub: VenueHub
    market: MarketDriver
    user: UserT
    public_trades: dict[str, deque[Fill]]
    user_trades: dict[str, deque[Any]]
    _rest: VenueRest

    def __init__(
        self,
        *,
        seed: int,
        clock: SimClock | None,
        prices: UnderlyingPrices | None,
        numbering: VenueNumbering,
        rate_limits: Mapping[str, RateLimitRule],
    ) -> None:
        self.clock = clock or SimClock()
        self.prices = prices
        self.ledger = Ledger(self, self.clock.now_us)
        self._seed = seed
        self._numbering = numbering
        self._order_ids = numbering.order_ids(seed)
        self._trade_ids = numbering.trade_ids(seed)
        self.rate_limits = RateLimits(categories=dict(rate_limits))
        self.orders: dict[str, SimOrder] = {}
        self.users_by_key: dict[str, UserT] = {}
        self.users_by_account: dict[str, UserT] = {}
        self.user_trades = {}

    # --- construction -------------------------------------------------------------------------------
    def _next_order_id(self) -> str:
        """The next order id (user and market-maker orders share one sequence)."""
        return self._order_ids.next()

    def _start_sequence(self, index: int) -> int:
        """The first book sequence of the ``index``-th market."""
        return self._numbering.start_sequence(index, self._seed)

    def _open_markets(
        self,
        engines: Mapping[str, MatchingEngine],
        params: Mapping[str, MarketParams],
        *,
        seed: int,
        tick_interval_s: float,
        anchor: Callable[[str], Decimal | None],
    ) -> None:
        """The public trade tape of each engine and the market maker quoting and trading on them, with its
        own RNG (``seed``), following ``anchor`` when the simulator has a shared price path."""
        self.public_trades = {symbol: deque(maxlen=HISTORY_LIMIT) for symbol in engines}
        self.ledger.open_account(MARKET_MAKER_ACCOUNT, unlimited=True)
        self.market = MarketDriver(
            engines,
            params,
            next_order_id=self._next_order_id,
            seed=seed,
            tick_interval_s=tick_interval_s,
            anchor=None if self.prices is None else anchor,
        )

    def _register_user(self, user: UserT) -> UserT:
        """Make ``user`` known by API key and uid, with an empty trade history (the caller funds it)."""
        self.users_by_key[user.api_key] = user
        self.users_by_account[user.uid] = user
        self.user_trades[user.uid] = deque(maxlen=HISTORY_LIMIT)
        return user

    # --- simulator plug-in --------------------------------------------------------------------------
    def register_fallbacks(self, router: web.UrlDispatcher) -> None:
        """The venue-shaped 404 for any other path of its prefix: registered after every venue has mounted."""
        self._rest.register_fallback(router)

    def _endpoints(self, rest_url: str, ws_url: str) -> VenueEndpoints:
        return VenueEndpoints(
            rest_url=rest_url,
            ws_url=ws_url,
            api_key=self.user.api_key,
            api_secret=self.user.api_secret,
            uid=self.user.uid,
        )

    async def start(self) -> None:
        self.market.bootstrap()
        await self.market.start()
        await self.hub.start()

    async def stop(self) -> None:
        await self.market.stop()
        await self.hub.stop()

    def on_book_change(self, symbol: str, side: Side, price: Decimal, total: Decimal, sequence: int) -> None:
        self.hub.on_book_change(symbol, side, price, total, sequence)


class SimSpotVenue(SimVenue[UserT]):
    """A spot venue: one :class:`MatchingEngine` per listing, users funded with ``deposits``; keeps public
    and per-user trade history and publishes trades and balance moves."""

    hub: SpotVenueHub
    engines: dict[str, MatchingEngine]
    user_trades: dict[str, deque[tuple[Fill, bool]]]

    def _open_spot(
        self,
        listings: Mapping[str, Listing],
        *,
        market_seed: int,
        tick_interval_s: float,
        user: UserT,
        deposits: Mapping[str, Decimal],
    ) -> None:
        """The engines of ``listings``, the market maker on them (its RNG seeded ``market_seed``) and the
        test ``user``, funded like every user added later."""
        self.engines = {
            symbol: MatchingEngine(
                item.spec,
                self.ledger,
                next_trade_id=self._trade_ids.next,
                clock_us=self.clock.now_us,
                start_sequence=self._start_sequence(index),
            )
            for index, (symbol, item) in enumerate(listings.items())
        }
        params = {symbol: item.params for symbol, item in listings.items()}
        self._open_markets(
            self.engines, params, seed=market_seed, tick_interval_s=tick_interval_s, anchor=self._underlying
        )
        self._deposits = deposits
        self.user = self._add_user(user)

    def _add_user(self, user: UserT) -> UserT:
        """Register ``user`` and open its account with the venue's default deposits."""
        self._register_user(user)
        self.ledger.open_account(user.uid)
        for asset, amount in self._deposits.items():
            self.ledger.deposit(user.uid, asset, amount)
        return user

    def _underlying(self, symbol: str) -> Decimal | None:
        """The shared price path's price of the market's base asset."""
        return None if self.prices is None else self.prices.price(self.engines[symbol].spec.base)

    # --- engine events ------------------------------------------------------------------------------
    def on_trade(self, fill: Fill) -> None:
        self.public_trades[fill.symbol].append(fill)
        for order, maker in ((fill.maker, True), (fill.taker, False)):
            trades = self.user_trades.get(order.account_id)
            if trades is not None:
                trades.append((fill, maker))
        self.hub.on_trade(fill)

    def on_balance(self, change: BalanceChange) -> None:
        user = self.users_by_account.get(change.account_id)
        if user is not None:
            self.hub.on_balance(change, user)

    # --- test helpers -------------------------------------------------------------------------------
    def balances(self, user: SimUser) -> dict[str, AssetBalance]:
        return self.ledger.accounts[user.uid].balances

    def balance(self, asset: str, user: SimUser | None = None) -> AssetBalance:
        """Test helper: the (free, locked) balance of ``asset`` of the test user."""
        return self.ledger.accounts[(user or self.user).uid].balance(asset)

    def deposit(self, asset: str, amount: Decimal, user: SimUser | None = None) -> None:
        """Test helper: credit ``amount`` of ``asset`` (publishes the venue's balance push)."""
        self.ledger.deposit((user or self.user).uid, asset, amount)

    def depth(self, symbol: str, limit: int | None = None) -> tuple[list[tuple[Decimal, Decimal]], ...]:
        engine = self.engines[symbol]
        return engine.bids.depth(limit), engine.asks.depth(limit)
