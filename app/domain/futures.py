"""Venue-independent types that only perpetual futures have: contracts, funding and the margin account.

Quantities stay in the **base asset** everywhere in the domain (as for spot); a venue that trades in
contracts says how many base units one contract is (``ContractInfo.contract_size``) and converts in one
place. A position's signed size is kept both ways on :class:`~app.domain.models.Position`
(``quantity`` in base, ``contracts`` as the venue counts them).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.domain.enums import ExchangeEnum, PositionMode
from app.domain.models import ZERO
from app.domain.symbol import Symbol


@dataclass(frozen=True, slots=True)
class ContractInfo:
    """What a perpetual contract is: its size in base units, limits in contracts, leverage and funding."""

    exchange: ExchangeEnum
    symbol: Symbol
    native: str
    settle_asset: str
    contract_size: Decimal  # base units per contract (Gate ``quanto_multiplier``)
    tick_size: Decimal
    min_contracts: Decimal
    max_contracts: Decimal | None
    leverage_min: Decimal
    leverage_max: Decimal
    maintenance_rate: Decimal
    funding_interval_s: int
    funding_rate: Decimal
    funding_next_apply_s: int
    mark_price: Decimal | None = None
    index_price: Decimal | None = None
    maker_fee: Decimal = ZERO
    taker_fee: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class FundingRate:
    """The current funding rate of a perpetual and when it is next applied (unix seconds).

    A positive rate means longs pay shorts: a long of notional ``N`` pays ``N * rate`` at each funding time.
    """

    exchange: ExchangeEnum
    symbol: Symbol
    rate: Decimal
    next_apply_s: int
    interval_s: int
    indicative_rate: Decimal | None = None
    mark_price: Decimal | None = None
    index_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class MarginAccount:
    """A futures margin account in its settle asset.

    ``total`` excludes unrealized PnL (deposits + realized PnL - fees + funding); ``available`` is what
    new orders can use; ``position_margin`` and ``order_margin`` are what positions and open orders hold.
    """

    exchange: ExchangeEnum
    asset: str
    total: Decimal
    available: Decimal
    position_margin: Decimal
    order_margin: Decimal
    unrealized_pnl: Decimal
    position_mode: PositionMode
    user_id: str | None = None

    @property
    def equity(self) -> Decimal:
        """Total plus unrealized PnL."""
        return self.total + self.unrealized_pnl


@dataclass(frozen=True, slots=True)
class MarginBalanceChange:
    """One movement of a futures margin account (Gate ``futures.balances`` / account book row).

    ``balance`` is the account total after the change (no available / locked split: the venue does not
    send one); ``kind`` is the venue's ledger type (``fee``, ``pnl``, ``fund``, ``dnw``, ...).
    """

    exchange: ExchangeEnum
    asset: str
    balance: Decimal
    change: Decimal
    kind: str
    text: str
    timestamp_ms: int
