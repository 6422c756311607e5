"""The venue-independent :class:`MatchingEngine` turned into a contracts engine.

Price-time matching, order states, book sequence ids and listener events are the shared engine's; only
money differs: an order locks **initial margin** for the part that opens or adds to a position (nothing for
reduce-only), and each fill is settled by :class:`FuturesAccounts` (position, entry, realized PnL, fee,
position margin) instead of moving base and quote assets. Quantities are whole contracts.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from app.domain.enums import Side
from app.simulator.gateio_futures.accounts import FuturesAccounts
from app.simulator.gateio_futures.contracts import SETTLE, FuturesContractSpec
from app.simulator.matching import BalanceReason, FinishReason, Ledger, MatchingEngine, OrderState, SimOrder

ZERO = Decimal(0)


class FuturesMatchingEngine(MatchingEngine):
    """One contract's book. Orders carry ``extra``: ``mode`` (position it trades), ``reduce_only``."""

    def __init__(
        self,
        contract: FuturesContractSpec,
        ledger: Ledger,
        accounts: FuturesAccounts,
        *,
        next_trade_id: Callable[[], str],
        clock_us: Callable[[], int],
        mark_price: Callable[[], Decimal],
        start_sequence: int = 1,
    ) -> None:
        super().__init__(
            contract.market_spec(),
            ledger,
            next_trade_id=next_trade_id,
            clock_us=clock_us,
            start_sequence=start_sequence,
        )
        self.contract = contract
        self.accounts = accounts
        self._mark_price = mark_price
        self._taker: SimOrder | None = None

    def submit(self, order: SimOrder) -> SimOrder:
        self._taker = order
        try:
            return super().submit(order)
        finally:
            self._taker = None

    def _is_user(self, order: SimOrder) -> bool:
        return not self.ledger.accounts[order.account_id].unlimited

    def _required_lock(self, order: SimOrder) -> tuple[str, Decimal]:
        """Initial margin of the part of the order that opens or adds to the position."""
        if not self._is_user(order) or order.extra.get("reduce_only"):
            return SETTLE, ZERO
        position = self.accounts.position(order.account_id, self.spec.symbol, order.extra["mode"])
        signed = int(order.quantity) if order.side is Side.BUY else -int(order.quantity)
        opening = abs(signed)
        if position.size * signed < 0:
            opening = max(0, abs(signed) - abs(position.size))
        price = order.price or self.side(order.side.opposite).best() or self._mark_price()
        return SETTLE, self.accounts.margin_for(order.account_id, self.spec.symbol, opening, price)

    def _settle(self, order: SimOrder, quantity: Decimal, quote: Decimal, price: Decimal, fee: Decimal) -> None:
        if not self._is_user(order):
            return
        maker = order is not self._taker
        rate = self.contract.maker_fee if maker else self.contract.taker_fee
        futures_fee = quantity * self.contract.multiplier * price * rate
        before = order.remaining + quantity
        released = order.locked * quantity / before if before else ZERO
        order.locked -= released
        order.fee += futures_fee
        contracts = int(quantity) if order.side is Side.BUY else -int(quantity)
        text = f"{self.spec.symbol}:{order.order_id}"
        closed = self.accounts.on_fill(
            order.account_id, self.spec.symbol, order.extra["mode"], contracts, price, futures_fee, released, text
        )
        order.extra.update(fill_fee=futures_fee, fill_role="maker" if maker else "taker", close_size=closed)

    def _finish(self, order: SimOrder, state: OrderState, reason: FinishReason) -> None:
        if order.locked > 0:
            why = BalanceReason.ORDER_MATCH if state is OrderState.FILLED else BalanceReason.ORDER_CANCEL
            self.ledger.move(order.account_id, SETTLE, order.locked, -order.locked, why)
            order.locked = ZERO
        super()._finish(order, state, reason)
