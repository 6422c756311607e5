"""An order whose answer was lost is resolved by lookup even when the venue rate-limits the lookups."""

from __future__ import annotations

from decimal import Decimal

from app.composite.orders import resolve_unknown_order
from app.domain.enums import ExchangeEnum, OrderStatus, OrderType, Side
from app.domain.models import Order
from app.domain.symbol import Symbol
from app.errors import RateLimitError, RequestTimeoutError

BTC = Symbol("BTC", "USDT")


async def test_a_429_on_the_lookup_is_transient_not_an_unknown_outcome() -> None:
    placed = Order(
        ExchangeEnum.GATEIO, BTC, "7", "t-x", Side.BUY, OrderType.LIMIT, Decimal(1), Decimal(1), Decimal(0),
        OrderStatus.NEW,
    )  # fmt: skip
    answers: list[Order | Exception] = [RateLimitError("gateio", "too many", status=429), placed]
    calls: list[int] = []

    async def lookup() -> Order:
        calls.append(1)
        answer = answers[len(calls) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer

    found = await resolve_unknown_order(
        lookup, cause=RequestTimeoutError("lost"), client_order_id="t-x", symbol=BTC, base_delay_s=0.001
    )
    assert found is placed and len(calls) == 2
