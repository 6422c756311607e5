"""Running PnL from our own fills: per venue and asset balance changes, fees, inventory marked to market.

Every filled quantity of every leg moves the venue's base and quote the way the venue's account moves
them: a buy adds base and spends quote, a sell the reverse, and the fee is taken from the asset it was
charged in (Gate spot: the asset received). On a derivatives venue the "base" change is the position.
``pnl(marks)`` = quote changes + base changes x mark: a fully hedged pair leaves only the locked-in edge
(and the buy leg's base fee, marked).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from app.domain.enums import Side
from app.domain.models import Order
from app.domain.symbol import Symbol

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class FillRecord:
    """One leg's fill as recorded (what the order reported when we last saw it)."""

    venue: str
    symbol: Symbol
    side: Side
    quantity: Decimal
    price: Decimal
    fee: Decimal
    fee_asset: str | None
    order_id: str


class PnlBook:
    """Balance changes caused by our fills, per venue and asset, and the fees paid."""

    def __init__(self) -> None:
        self.changes: dict[tuple[str, str], Decimal] = defaultdict(lambda: ZERO)
        self.fees_quote = ZERO
        self.unpriced_fees: dict[str, Decimal] = defaultdict(lambda: ZERO)  # e.g. fees paid in GT / MX
        self.fills: list[FillRecord] = []
        self.filled_notional = ZERO

    def record(self, venue: str, order: Order) -> FillRecord | None:
        """Record the filled part of ``order`` (call once per order, with its final state)."""
        quantity = order.filled_quantity
        if quantity <= 0:
            return None
        price = order.average_price or order.price
        if price is None or price <= 0:
            raise ValueError(f"{venue} order {order.order_id} reports a fill without a price")
        symbol = order.symbol
        notional = quantity * price
        sign = Decimal(1) if order.side is Side.BUY else Decimal(-1)
        self.changes[(venue, symbol.base)] += sign * quantity
        self.changes[(venue, symbol.quote)] -= sign * notional
        fee_asset = order.fee_asset or symbol.quote
        if order.fee:
            self.changes[(venue, fee_asset)] -= order.fee
            if fee_asset == symbol.quote:
                self.fees_quote += order.fee
            elif fee_asset == symbol.base:
                self.fees_quote += order.fee * price
            else:
                self.unpriced_fees[fee_asset] += order.fee
        record = FillRecord(venue, symbol, order.side, quantity, price, order.fee, fee_asset, order.order_id)
        self.fills.append(record)
        self.filled_notional += notional
        return record

    def change(self, venue: str, asset: str) -> Decimal:
        """Net change of ``asset`` on ``venue`` caused by our fills (fees included)."""
        return self.changes.get((venue, asset), ZERO)

    def inventory(self, symbol: Symbol, venue: str | None = None) -> Decimal:
        """Net base change of ``symbol`` (on one venue, or summed over venues: 0 when hedged, fees aside)."""
        return sum(
            (v for (ven, asset), v in self.changes.items() if asset == symbol.base and venue in (None, ven)), ZERO
        )

    def pnl(self, marks: dict[Symbol, Decimal], quote: str = "USDT") -> Decimal:
        """Quote-asset changes plus every base change marked at ``marks`` (unmarked assets count as 0)."""
        by_base = {symbol.base: price for symbol, price in marks.items()}
        total = ZERO
        for (_venue, asset), value in self.changes.items():
            if asset == quote:
                total += value
            elif asset in by_base:
                total += value * by_base[asset]
        return total
