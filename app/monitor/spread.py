"""Executable cross-venue spread in Decimal: walk each book's depth for a trade size, charge taker fees.

Buying ``quantity`` on venue A takes A's asks from the best one down until ``quantity`` is covered;
selling it on venue B takes B's bids. The IOC limit price of a leg is the worst level it touches, so an
order at that price fills exactly the walked levels. The net result after taker fees on both legs, in
quote units and in basis points of the buy notional, is what an arbitrage of that size would earn now.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from app.domain.models import OrderBook, PriceLevel, SymbolInfo
from app.domain.symbol import Symbol

ZERO = Decimal(0)
ONE = Decimal(1)
BPS = Decimal(10_000)


@dataclass(frozen=True, slots=True)
class DepthFill:
    """What taking ``quantity`` from one side of a book would do."""

    quantity: Decimal  # covered (== requested when ``complete``)
    notional: Decimal  # sum of price x quantity over the walked levels
    worst_price: Decimal  # the limit price that takes all of it (0 when nothing was walked)
    levels: int
    complete: bool

    @property
    def average_price(self) -> Decimal:
        return self.notional / self.quantity if self.quantity else ZERO


def walk_depth(levels: Sequence[PriceLevel], quantity: Decimal) -> DepthFill:
    """Take ``quantity`` from ``levels`` (best first): covered quantity, notional, worst price touched."""
    remaining = quantity
    notional = ZERO
    worst = ZERO
    used = 0
    for level in levels:
        if remaining <= 0:
            break
        take = level.quantity if level.quantity < remaining else remaining
        if take <= 0:
            continue
        notional += take * level.price
        remaining -= take
        worst = level.price
        used += 1
    covered = quantity - remaining if remaining > 0 else quantity
    return DepthFill(covered, notional, worst, used, remaining <= 0)


def decimal_lcm(a: Decimal, b: Decimal) -> Decimal:
    """Least common multiple of two positive decimal steps (``0.0001`` and ``0.000001`` -> ``0.0001``)."""
    places = max(0, -int(a.as_tuple().exponent), -int(b.as_tuple().exponent))
    scale = Decimal(10) ** places
    return Decimal(math.lcm(int(a * scale), int(b * scale))) / scale


def order_step(info: SymbolInfo) -> Decimal:
    """The base-quantity increment a venue accepts: the lot size, and whole contracts on futures."""
    step = info.lot_size if info.lot_size > 0 else ONE
    if info.contract_size != ONE and info.contract_size > 0:
        step = decimal_lcm(step, info.contract_size)
    return step


def common_step(infos: Iterable[SymbolInfo]) -> Decimal:
    """The smallest base quantity increment every leg accepts."""
    step: Decimal | None = None
    for info in infos:
        leg = order_step(info)
        step = leg if step is None else decimal_lcm(step, leg)
    return step if step is not None else ONE


def round_down(quantity: Decimal, step: Decimal) -> Decimal:
    """``quantity`` rounded down to a multiple of ``step``."""
    return (quantity // step) * step if step > 0 else quantity


class QuoteStatus(StrEnum):
    """Whether a spread quote can be acted upon."""

    OK = "ok"
    STALE = "stale"  # a book is invalid (resync pending) or too old
    NO_DEPTH = "no_depth"  # a book cannot cover the size
    BELOW_MINIMUM = "below_min"  # the size rounds below a venue's minimum quantity / notional


@dataclass(frozen=True, slots=True)
class SpreadQuote:
    """Buy ``quantity`` on ``buy_venue`` and sell it on ``sell_venue`` now: the result after taker fees."""

    symbol: Symbol
    buy_venue: str
    sell_venue: str
    quantity: Decimal
    buy: DepthFill
    sell: DepthFill
    buy_fee: Decimal  # quote units
    sell_fee: Decimal
    net_quote: Decimal
    spread_bps: Decimal  # net / buy notional
    gross_bps: Decimal  # before fees, average prices
    status: QuoteStatus

    @property
    def actionable(self) -> bool:
        return self.status is QuoteStatus.OK

    @property
    def key(self) -> tuple[Symbol, str, str]:
        return (self.symbol, self.buy_venue, self.sell_venue)


def trade_quantity(
    size_quote: Decimal, reference_price: Decimal, buy_info: SymbolInfo, sell_info: SymbolInfo
) -> Decimal:
    """Base quantity for a quote-sized trade, rounded down to what both legs accept (0 if below a minimum)."""
    if reference_price <= 0:
        return ZERO
    quantity = round_down(size_quote / reference_price, common_step((buy_info, sell_info)))
    for info in (buy_info, sell_info):
        if quantity < info.min_quantity or quantity * reference_price < info.min_notional:
            return ZERO
        if info.max_quantity is not None and quantity > info.max_quantity:
            return ZERO
    return quantity


def quote_spread(
    symbol: Symbol,
    buy_venue: str,
    buy_book: OrderBook,
    buy_info: SymbolInfo,
    sell_venue: str,
    sell_book: OrderBook,
    sell_info: SymbolInfo,
    size_quote: Decimal,
    *,
    fresh: bool = True,
) -> SpreadQuote:
    """The executable spread of buying on ``buy_venue`` and selling on ``sell_venue`` for ``size_quote``.

    ``fresh`` is the caller's verdict on book age; an invalid book is always ``STALE``.
    """
    best_ask, best_bid = buy_book.best_ask, sell_book.best_bid
    reference = (best_ask.price + best_bid.price) / 2 if best_ask and best_bid else ZERO
    quantity = trade_quantity(size_quote, reference, buy_info, sell_info)
    buy = walk_depth(buy_book.asks, quantity)
    sell = walk_depth(sell_book.bids, quantity)
    buy_fee = buy.notional * buy_info.taker_fee
    sell_fee = sell.notional * sell_info.taker_fee
    net = sell.notional - buy.notional - buy_fee - sell_fee
    complete = quantity > 0 and buy.complete and sell.complete
    spread_bps = net / buy.notional * BPS if complete and buy.notional else ZERO
    gross_bps = (
        (sell.average_price - buy.average_price) / buy.average_price * BPS if complete and buy.notional else ZERO
    )
    if not (buy_book.is_valid and sell_book.is_valid and fresh):
        status = QuoteStatus.STALE
    elif quantity <= 0:
        status = QuoteStatus.NO_DEPTH if reference <= 0 else QuoteStatus.BELOW_MINIMUM
    elif not complete:
        status = QuoteStatus.NO_DEPTH
    else:
        status = QuoteStatus.OK
    return SpreadQuote(
        symbol=symbol,
        buy_venue=buy_venue,
        sell_venue=sell_venue,
        quantity=quantity,
        buy=buy,
        sell=sell,
        buy_fee=buy_fee,
        sell_fee=sell_fee,
        net_quote=net if complete else ZERO,
        spread_bps=spread_bps,
        gross_bps=gross_bps,
        status=status,
    )
