"""Futures accounts of the simulated venue: positions, entry price, realized PnL, margin, leverage, funding.

Money lives in the shared :class:`~app.simulator.matching.Ledger` in the settle asset (USDT): ``free`` is
the available balance, ``locked`` the order margin plus the position margin. So the venue's account total
(``dnw + pnl + fee + fund``, unrealized PnL excluded) is ``free + locked``.

Rules (simplified from Gate, documented where they differ): isolated margin ``|size| x multiplier x entry /
leverage``; leverage ``0`` means cross, margined at ``cross_leverage_limit`` (default 10); fees are
``contracts x multiplier x price x rate`` in USDT; funding pays ``-size x multiplier x mark x rate`` (longs
pay a positive rate); no liquidation engine (a position is never force-closed).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from app.simulator.gateio_futures.contracts import SETTLE, FuturesContractSpec
from app.simulator.matching import BalanceReason, Ledger

ZERO = Decimal(0)
DEFAULT_LEVERAGE = Decimal(10)
LEDGER_HISTORY = 1000


@dataclass(slots=True)
class SimPosition:
    """One position; ``mode`` is ``single``, ``dual_long`` or ``dual_short``; ``size`` signed contracts."""

    user: str
    contract: str
    mode: str
    size: int = 0
    entry_price: Decimal = ZERO
    margin: Decimal = ZERO
    realised_pnl: Decimal = ZERO
    pnl_pnl: Decimal = ZERO
    pnl_fee: Decimal = ZERO
    pnl_fund: Decimal = ZERO
    history_pnl: Decimal = ZERO
    last_close_pnl: Decimal = ZERO
    update_id: int = 0
    update_time: float = 0.0


@dataclass(frozen=True, slots=True)
class LedgerRow:
    """An account-book row (``futures.balances`` item): ``type`` dnw / pnl / fee / fund."""

    time: float
    change: Decimal
    balance: Decimal
    type: str
    text: str


@dataclass(slots=True)
class FuturesUser:
    """A user's futures settings and positions."""

    uid: str
    dual_mode: bool = False
    leverage: dict[str, Decimal] = field(default_factory=dict)
    cross_leverage_limit: dict[str, Decimal] = field(default_factory=dict)
    positions: dict[tuple[str, str], SimPosition] = field(default_factory=dict)
    history: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(("dnw", "pnl", "fee", "fund"), ZERO))
    book: deque[LedgerRow] = field(default_factory=lambda: deque(maxlen=LEDGER_HISTORY))


def apply_fill(position: SimPosition, contracts: int, price: Decimal, multiplier: Decimal) -> tuple[int, Decimal]:
    """Apply a fill of signed ``contracts`` at ``price``; returns ``(closed contracts, realized PnL)``.

    The part against the position closes it at ``(price - entry) x sign``; the rest opens or adds at a
    size-weighted entry price; a fill larger than the position flips it at ``price``.
    """
    old = position.size
    closing = min(abs(contracts), abs(old)) if old * contracts < 0 else 0
    opening = abs(contracts) - closing
    pnl = ZERO
    if closing:
        direction = 1 if old > 0 else -1
        pnl = closing * multiplier * (price - position.entry_price) * direction
    new = old + contracts
    if opening:
        remaining = abs(old) - closing
        if remaining == 0:
            position.entry_price = price
        else:
            position.entry_price = (remaining * position.entry_price + opening * price) / (remaining + opening)
    elif new == 0:
        position.entry_price = ZERO
    position.size = new
    return closing, pnl


class FuturesAccounts:
    """Every user's positions and margin; reports position changes and ledger rows to the venue."""

    def __init__(
        self,
        ledger: Ledger,
        contracts: dict[str, FuturesContractSpec],
        *,
        clock: Callable[[], float],
        on_position: Callable[[SimPosition], None],
        on_ledger_row: Callable[[str, LedgerRow], None],
    ) -> None:
        self.ledger = ledger
        self.contracts = contracts
        self.users: dict[str, FuturesUser] = {}
        self._clock = clock
        self._on_position = on_position
        self._on_ledger_row = on_ledger_row

    # --- users ----------------------------------------------------------------------------------------
    def open(self, uid: str) -> FuturesUser:
        user = self.users.get(uid)
        if user is None:
            user = self.users[uid] = FuturesUser(uid)
            self.ledger.open_account(uid)
        return user

    def deposit(self, uid: str, amount: Decimal, text: str = "deposit") -> None:
        self.ledger.deposit(uid, SETTLE, amount)
        self._book(uid, "dnw", amount, text)

    def position(self, uid: str, contract: str, mode: str) -> SimPosition:
        user = self.users[uid]
        key = (contract, mode)
        found = user.positions.get(key)
        if found is None:
            found = user.positions[key] = SimPosition(uid, contract, mode)
        return found

    def positions_of(self, uid: str, contract: str) -> list[SimPosition]:
        """The position(s) a user has in one contract under the current mode (one, or long + short)."""
        user = self.users[uid]
        modes = ("dual_long", "dual_short") if user.dual_mode else ("single",)
        return [self.position(uid, contract, mode) for mode in modes]

    def leverage(self, uid: str, contract: str) -> Decimal:
        return self.users[uid].leverage.get(contract, DEFAULT_LEVERAGE)

    def cross_limit(self, uid: str, contract: str) -> Decimal:
        return self.users[uid].cross_leverage_limit.get(contract, DEFAULT_LEVERAGE)

    def effective_leverage(self, uid: str, contract: str) -> Decimal:
        """The leverage margin is computed with (cross: ``cross_leverage_limit``)."""
        leverage = self.leverage(uid, contract)
        return leverage if leverage > 0 else self.cross_limit(uid, contract)

    def margin_for(self, uid: str, contract: str, contracts: int, price: Decimal) -> Decimal:
        spec = self.contracts[contract]
        return abs(contracts) * spec.multiplier * price / self.effective_leverage(uid, contract)

    # --- trading --------------------------------------------------------------------------------------
    def on_fill(
        self,
        uid: str,
        contract: str,
        mode: str,
        contracts: int,
        price: Decimal,
        fee: Decimal,
        released: Decimal,
        text: str,
    ) -> int:
        """Settle one fill of signed ``contracts``: position, realized PnL, fee, margin. Returns the closed part."""
        spec = self.contracts[contract]
        position = self.position(uid, contract, mode)
        old_margin = position.margin
        closing, pnl = apply_fill(position, contracts, price, spec.multiplier)
        position.margin = self.margin_for(uid, contract, position.size, position.entry_price)
        margin_change = position.margin - old_margin
        self.ledger.move(
            uid, SETTLE, released - margin_change + pnl - fee, margin_change - released, BalanceReason.ORDER_MATCH
        )
        user = self.users[uid]
        user.history["pnl"] += pnl
        user.history["fee"] -= fee
        position.pnl_pnl += pnl
        position.pnl_fee -= fee
        position.realised_pnl += pnl - fee
        if pnl:
            self._book(uid, "pnl", pnl, text)
        if fee:
            self._book(uid, "fee", -fee, text)
        if position.size == 0 and closing:
            position.last_close_pnl = position.realised_pnl
            position.history_pnl += position.realised_pnl
            position.realised_pnl = position.pnl_pnl = position.pnl_fee = position.pnl_fund = ZERO
        self._changed(position)
        return closing

    def set_leverage(self, uid: str, contract: str, leverage: Decimal, cross_limit: Decimal | None) -> None:
        """Change leverage; the margin of open positions is re-computed (moved between free and locked)."""
        user = self.users[uid]
        user.leverage[contract] = leverage
        if cross_limit is not None:
            user.cross_leverage_limit[contract] = cross_limit
        for position in self.positions_of(uid, contract):
            new_margin = self.margin_for(uid, contract, position.size, position.entry_price)
            change = new_margin - position.margin
            position.margin = new_margin
            self.ledger.move(uid, SETTLE, -change, change, BalanceReason.ORDER_MATCH)
            self._changed(position)

    def apply_funding(self, contract: str, rate: Decimal, mark: Decimal) -> int:
        """Pay / charge funding on every open position of ``contract``; returns how many were charged."""
        spec = self.contracts[contract]
        charged = 0
        for user in self.users.values():
            for (name, _), position in user.positions.items():
                if name != contract or not position.size:
                    continue
                payment = -position.size * spec.multiplier * mark * rate
                self.ledger.move(user.uid, SETTLE, payment, ZERO, BalanceReason.ORDER_MATCH)
                user.history["fund"] += payment
                position.pnl_fund += payment
                position.realised_pnl += payment
                self._book(user.uid, "fund", payment, f"{contract}:funding")
                self._changed(position)
                charged += 1
        return charged

    # --- reads ----------------------------------------------------------------------------------------
    def totals(self, uid: str) -> tuple[Decimal, Decimal, Decimal]:
        """``(total, available, position_margin)``; order margin = ledger locked - position margin."""
        entry = self.ledger.accounts[uid].balance(SETTLE)
        position_margin = sum((p.margin for p in self.users[uid].positions.values()), ZERO)
        return entry.free + entry.locked, entry.free, position_margin

    # --- internals ------------------------------------------------------------------------------------
    def _changed(self, position: SimPosition) -> None:
        position.update_id += 1
        position.update_time = self._clock()
        self._on_position(position)

    def _book(self, uid: str, kind: str, change: Decimal, text: str) -> None:
        entry = self.ledger.accounts[uid].balance(SETTLE)
        row = LedgerRow(self._clock(), change, entry.free + entry.locked, kind, text)
        user = self.users[uid]
        if kind == "dnw":
            user.history["dnw"] += change
        user.book.append(row)
        self._on_ledger_row(uid, row)
