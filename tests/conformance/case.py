"""What a venue supplies to the conformance suite: one :class:`VenueCase` (data + a simulator-hooks object).

The suite itself is venue-blind: it talks to the composites through ``app/composite/interfaces.py`` and
to the simulator only through :class:`SimulatorHooks`. Everything venue-specific lives here, in a case.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any, Protocol

from app.domain.enums import ExchangeEnum, Side
from app.domain.models import Balance, SymbolInfo
from app.domain.symbol import Symbol

Levels = list[tuple[Decimal, Decimal]]
"""(price, quantity) pairs, best first."""


class SimulatorHooks(Protocol):
    """How the suite drives and inspects one simulated venue (``venue`` is ``sim.venue(case.sim_venue)``)."""

    def pause_market(self, venue: Any) -> None:
        """Stop the synthetic market (no book change, no taker flow) until the simulator stops."""

    def inject_book_gap(self, venue: Any, native: str) -> None:
        """Make the venue lose the next book update of ``native``: the client must see a sequence gap."""

    async def drop_connections(self, venue: Any) -> int:
        """Close every WebSocket connection of the venue; returns how many were closed."""

    def book(self, venue: Any, native: str, depth: int) -> tuple[Levels, Levels]:
        """The venue's own top ``depth`` (bids, asks)."""

    def book_sequence(self, venue: Any, native: str) -> int:
        """The venue's current book sequence, in the units the venue publishes (compared to ``OrderBook.sequence``)."""

    def balance(self, venue: Any, asset: str) -> Balance:
        """The test account's balance of ``asset`` as the venue holds it."""

    def orders_with_client_id(self, venue: Any, client_order_id: str) -> int:
        """How many orders (open or finished) of the test account carry ``client_order_id`` on the venue."""

    def order_count(self, venue: Any) -> int:
        """How many orders (open or finished) the test account has ever had accepted by the venue."""


class CommonSimulatorHooks:
    """:class:`SimulatorHooks` as most simulated venues answer them (a spot venue's book and balances, Gate's
    gap fault): a case subclasses it and overrides what its venue does differently."""

    def pause_market(self, venue: Any) -> None:
        venue.market.pause()

    def inject_book_gap(self, venue: Any, native: str) -> None:
        venue.faults.gap_order_book_updates(1, native)

    async def drop_connections(self, venue: Any) -> int:
        closed: int = await venue.faults.drop_ws_connections()
        return closed

    def book(self, venue: Any, native: str, depth: int) -> tuple[Levels, Levels]:
        bids, asks = venue.depth(native, depth)
        return list(bids), list(asks)

    def book_sequence(self, venue: Any, native: str) -> int:
        sequence: int = venue.engines[native].sequence
        return sequence

    def balance(self, venue: Any, asset: str) -> Balance:
        held = venue.balance(asset)
        return Balance(asset, held.free, held.locked)

    def orders_with_client_id(self, venue: Any, client_order_id: str) -> int:
        return sum(1 for order in venue.orders.values() if order.client_order_id == client_order_id)

    def order_count(self, venue: Any) -> int:
        return sum(1 for order in venue.orders.values() if order.account_id == venue.user.uid)


FillDeltas = Callable[[Symbol, Side, Decimal, Decimal, Decimal, str | None], dict[str, Decimal]]
"""(symbol, side, price, quantity, fee, fee_asset) -> expected change of each asset's total balance."""


def spot_fill_deltas(
    symbol: Symbol, side: Side, price: Decimal, quantity: Decimal, fee: Decimal, fee_asset: str | None
) -> dict[str, Decimal]:
    """Spot: a buy receives base and pays quote (a sell the reverse); the fee comes off ``fee_asset``."""
    sign = 1 if side is Side.BUY else -1
    deltas = {symbol.base: sign * quantity, symbol.quote: -sign * quantity * price}
    if fee and fee_asset is not None:
        deltas[fee_asset] = deltas.get(fee_asset, Decimal(0)) - fee
    return deltas


def round_to_step(value: Decimal, step: Decimal, *, up: bool) -> Decimal:
    """``value`` on the ``step`` grid, rounded up or down."""
    units = (value / step).to_integral_value(rounding=ROUND_CEILING if up else ROUND_FLOOR)
    return units * step


def minimum_order_quantity(info: SymbolInfo, price: Decimal) -> Decimal:
    """The smallest lot-aligned quantity that meets the minimum quantity and (with 10 % room) notional."""
    needed = max(info.min_quantity, info.lot_size, info.min_notional * Decimal("1.1") / price)
    return round_to_step(needed, info.lot_size, up=True)


def resting_buy_price(info: SymbolInfo, best_bid: Decimal) -> Decimal:
    """A tick-aligned bid 20 % under the market: it rests and no taker flow reaches it."""
    return round_to_step(best_bid * Decimal("0.8"), info.tick_size, up=False)


@dataclass(frozen=True, slots=True)
class VenueCase:
    """One venue as the conformance suite sees it.

    ``symbols`` are unified symbols the suite subscribes (the first one is traded); ``native_forms``
    maps some of them to the venue-native spelling, which ``initialize``/``resolve`` must accept.
    ``is_order_placement(method, path)`` recognises the REST request that places an order (``path`` as
    given to ``RestTransport.request``), used to simulate a timeout after the venue accepted it.
    """

    id: str
    exchange: ExchangeEnum
    sim_venue: str
    hooks: SimulatorHooks
    symbols: tuple[str, ...]
    native_forms: Mapping[str, str]
    is_order_placement: Callable[[str, str], bool]
    balance_assets: tuple[str, ...]
    public_key: str = ""
    private_key: str = ""
    config_overrides: Mapping[str, Any] = field(default_factory=dict)
    fill_deltas: FillDeltas = spot_fill_deltas
    order_quantity: Callable[[SymbolInfo, Decimal], Decimal] = minimum_order_quantity
    resting_price: Callable[[SymbolInfo, Decimal], Decimal] = resting_buy_price
    get_order_by_client_id: bool = True
    compare_depth: int = 10

    @property
    def traded(self) -> str:
        return self.symbols[0]

    @property
    def public_composite_key(self) -> str:
        """The ``ApplicationContainer.composites`` key of the public composite."""
        return self.public_key or f"{self.exchange.value}:public"

    @property
    def private_composite_key(self) -> str:
        return self.private_key or f"{self.exchange.value}:private"
