"""Plumbing shared by the simulated venues: start/stop of market and WS hub, the catch-all route,
the endpoints a client is given, and fan-out of engine events to the hub (one base, three venues)."""

from __future__ import annotations

from collections import deque
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from aiohttp import web

from app.simulator.common import VenueEndpoints
from app.simulator.matching import AssetBalance, BalanceChange, EngineListener, Fill, Ledger, MatchingEngine

if TYPE_CHECKING:
    from app.domain.enums import Side
    from app.simulator.market import MarketDriver


class VenueHub(Protocol):
    """The WS hub a venue owns."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def on_book_change(self, symbol: str, side: Side, price: Decimal, total: Decimal, sequence: int) -> None: ...


class SpotVenueHub(VenueHub, Protocol):
    """A spot hub: public trades and balance moves of a user."""

    def on_trade(self, fill: Fill) -> None: ...

    def on_balance(self, change: BalanceChange, user: Any) -> None: ...


class VenueUser(Protocol):
    @property
    def uid(self) -> str: ...

    @property
    def api_key(self) -> str: ...

    @property
    def api_secret(self) -> str: ...


class VenueRest(Protocol):
    def register_fallback(self, router: web.UrlDispatcher) -> None: ...


class SimVenue(EngineListener):
    """Base of a simulated venue: a subclass builds ``hub``, ``market``, ``user`` and mounts ``_rest``."""

    hub: VenueHub
    market: MarketDriver
    user: VenueUser
    _rest: VenueRest

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


class SimSpotVenue(SimVenue):
    """A spot venue: keeps public and per-user trade history and publishes trades and balance moves."""

    hub: SpotVenueHub
    ledger: Ledger
    engines: dict[str, MatchingEngine]
    users_by_account: dict[str, Any]
    public_trades: dict[str, deque[Fill]]
    user_trades: dict[str, deque[tuple[Fill, bool]]]

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

    def balances(self, user: VenueUser) -> dict[str, AssetBalance]:
        return self.ledger.accounts[user.uid].balances

    def balance(self, asset: str, user: VenueUser | None = None) -> AssetBalance:
        """Test helper: the (free, locked) balance of ``asset`` of the test user."""
        return self.ledger.accounts[(user or self.user).uid].balance(asset)

    def deposit(self, asset: str, amount: Decimal, user: VenueUser | None = None) -> None:
        """Test helper: credit ``amount`` of ``asset`` (publishes the venue's balance push)."""
        self.ledger.deposit((user or self.user).uid, asset, amount)

    def depth(self, symbol: str, limit: int | None = None) -> tuple[list[tuple[Decimal, Decimal]], ...]:
        engine = self.engines[symbol]
        return engine.bids.depth(limit), engine.asks.depth(limit)
