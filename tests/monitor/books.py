"""Hand-made books and symbol rules for the spread maths tests."""

from __future__ import annotations

from decimal import Decimal

from app.domain.enums import ExchangeEnum
from app.domain.models import OrderBook, PriceLevel, SymbolInfo
from app.domain.symbol import Symbol

BTC = Symbol("BTC", "USDT")


def D(text: str) -> Decimal:
    return Decimal(text)


def book(
    exchange: ExchangeEnum,
    bids: list[tuple[str, str]],
    asks: list[tuple[str, str]],
    *,
    valid: bool = True,
    sequence: int = 1,
) -> OrderBook:
    return OrderBook(
        exchange,
        BTC,
        tuple(PriceLevel(D(p), D(q)) for p, q in bids),
        tuple(PriceLevel(D(p), D(q)) for p, q in asks),
        sequence,
        1_700_000_000_000,
        valid,
    )


def spot_info(exchange: ExchangeEnum = ExchangeEnum.GATEIO, taker: str = "0.002") -> SymbolInfo:
    """Gate-like BTC/USDT spot: tick 0.1, lot 0.000001, min 0.00001 BTC and 3 USDT."""
    return SymbolInfo(
        exchange, BTC, "BTC_USDT", D("0.1"), D("0.000001"), D("0.00001"), D("3"), taker_fee=D(taker), maker_fee=D(taker)
    )


def perp_info(taker: str = "0.0005") -> SymbolInfo:
    """Gate-futures-like BTC_USDT perpetual: 0.0001 BTC per contract, whole contracts."""
    return SymbolInfo(
        ExchangeEnum.GATEIO_FUTURES,
        BTC,
        "BTC_USDT",
        D("0.1"),
        D("0.0001"),
        D("0.0001"),
        D("0"),
        taker_fee=D(taker),
        contract_size=D("0.0001"),
    )
