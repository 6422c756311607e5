"""Venue-independent order logic: validation, client order ids, the tracker, unknown-outcome resolution."""

from __future__ import annotations

import string
import time
from collections.abc import Callable
from decimal import Decimal

import pytest

from app.composite.orders import (
    ClientOrderIdRule,
    OrderTracker,
    merge_order,
    place_order,
    resolve_unknown_order,
    validate_order,
)
from app.domain.enums import ExchangeEnum, OrderStatus, OrderType, Side, TimeInForce, TradingStatus
from app.domain.models import Balance, Order, SymbolInfo
from app.domain.symbol import Symbol
from app.errors import (
    ExchangeUnavailableError,
    InvalidClientOrderIdError,
    InvalidOrderParamsError,
    InvalidPriceError,
    InvalidQuantityError,
    MinNotionalError,
    NetworkError,
    OrderNotFoundError,
    OrderStateUnknownError,
    RequestTimeoutError,
)

BTC = Symbol("BTC", "USDT")
D = Decimal
INFO = SymbolInfo(
    exchange=ExchangeEnum.GATEIO,
    symbol=BTC,
    native="BTC_USDT",
    tick_size=D("0.1"),
    lot_size=D("0.0001"),
    min_quantity=D("0.0001"),
    min_notional=D("3"),
    max_quantity=D("100"),
)
GATE_CHARSET = frozenset(string.ascii_letters + string.digits + "_.-")
RULE = ClientOrderIdRule(prefix="t-", max_body_length=28, charset=GATE_CHARSET)


def order(
    order_id: str = "1",
    status: OrderStatus = OrderStatus.NEW,
    filled: str = "0",
    client_order_id: str | None = "t-abc",
    update_ms: int = 0,
) -> Order:
    return Order(
        exchange=ExchangeEnum.GATEIO,
        symbol=BTC,
        order_id=order_id,
        client_order_id=client_order_id,
        side=Side.BUY,
        order_type=OrderType.LIMIT,
        price=D("65000"),
        quantity=D("0.01"),
        filled_quantity=D(filled),
        status=status,
        update_ms=update_ms,
    )


# --- validation ----------------------------------------------------------------------------------
def test_valid_limit_order_is_normalized() -> None:
    result = validate_order(INFO, "BUY", "0.0100", 65000, "limit", "gtc")

    assert result.side is Side.BUY and result.order_type is OrderType.LIMIT
    assert result.quantity == D("0.01") and result.price == D("65000")


@pytest.mark.parametrize(
    ("quantity", "price", "error"),
    [
        ("0", "65000", InvalidQuantityError),
        ("-1", "65000", InvalidQuantityError),
        ("0.00005", "65000", InvalidQuantityError),  # below min
        ("0.00015", "65000", InvalidQuantityError),  # off lot
        ("101", "65000", InvalidQuantityError),  # above max
        ("abc", "65000", InvalidQuantityError),
        ("NaN", "65000", InvalidQuantityError),
        (0.01, "65000", InvalidQuantityError),  # float rejected
        (True, "65000", InvalidQuantityError),
        ("0.01", None, InvalidPriceError),  # limit without price
        ("0.01", "0", InvalidPriceError),
        ("0.01", "-5", InvalidPriceError),
        ("0.01", "65000.05", InvalidPriceError),  # off tick
        ("0.01", 65000.0, InvalidPriceError),  # float rejected
        ("0.0001", "100", MinNotionalError),  # 0.01 USDT < 3
    ],
)
def test_invalid_orders_are_refused(quantity: object, price: object, error: type[Exception]) -> None:
    with pytest.raises(error):
        validate_order(INFO, Side.BUY, quantity, price)


def test_float_error_message_suggests_decimal() -> None:
    with pytest.raises(InvalidQuantityError, match=r"Decimal\('0.1'\)"):
        validate_order(INFO, Side.BUY, 0.1, "65000")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"side": "hold"}, "side"),
        ({"order_type": "stop"}, "order_type"),
        ({"time_in_force": "day"}, "time_in_force"),
        ({"order_type": OrderType.MARKET, "time_in_force": TimeInForce.POST_ONLY}, "post-only"),
    ],
)
def test_invalid_parameter_combinations(kwargs: dict[str, object], message: str) -> None:
    params: dict[str, object] = {"side": Side.BUY, "quantity": "0.01", "price": "65000", **kwargs}
    with pytest.raises(InvalidOrderParamsError, match=message):
        validate_order(INFO, **params)  # type: ignore[arg-type]


def test_market_order_gtc_becomes_ioc_and_price_is_optional() -> None:
    result = validate_order(INFO, Side.SELL, "0.01", None, OrderType.MARKET)

    assert result.time_in_force is TimeInForce.IOC and result.price is None


def test_market_order_reference_price_is_not_tick_checked_but_notional_is() -> None:
    assert validate_order(INFO, Side.BUY, "0.01", "65000.05", OrderType.MARKET).price == D("65000.05")
    with pytest.raises(MinNotionalError):
        validate_order(INFO, Side.BUY, "0.0001", "10", OrderType.MARKET)


@pytest.mark.parametrize(
    ("status", "side"),
    [(TradingStatus.HALTED, Side.BUY), (TradingStatus.BUY_ONLY, Side.SELL), (TradingStatus.SELL_ONLY, Side.BUY)],
)
def test_trading_status_restrictions(status: TradingStatus, side: Side) -> None:
    info = SymbolInfo(**{**{f: getattr(INFO, f) for f in INFO.__slots__}, "status": status})  # type: ignore[arg-type]
    with pytest.raises(InvalidOrderParamsError):
        validate_order(info, side, "0.01", "65000")


# --- client order ids ----------------------------------------------------------------------------
def test_generated_client_ids_follow_the_rule_and_are_unique() -> None:
    ids = {RULE() for _ in range(500)}

    assert len(ids) == 500
    assert all(cid.startswith("t-") and 1 <= len(cid) - 2 <= 28 and RULE.normalize(cid) == cid for cid in ids)


def test_client_id_prefix_is_added_when_missing() -> None:
    assert RULE("my-order_1.a") == "t-my-order_1.a"
    assert RULE("t-x") == "t-x"


@pytest.mark.parametrize("value", ["t-", "t-" + "a" * 29, "t-bad id", "t-ümlaut", 123])
def test_bad_client_ids_are_refused(value: object) -> None:
    with pytest.raises(InvalidClientOrderIdError):
        RULE.normalize(value)


# --- tracker -------------------------------------------------------------------------------------
def test_merge_keeps_final_state_and_never_rewinds_fills() -> None:
    filled = order(status=OrderStatus.FILLED, filled="0.01")
    partial = order(status=OrderStatus.PARTIALLY_FILLED, filled="0.005")

    assert merge_order(filled, order()) is filled
    assert merge_order(partial, order(filled="0")) is partial
    assert merge_order(order(), partial) is partial
    assert merge_order(order(client_order_id="t-1"), order(client_order_id=None)).client_order_id == "t-1"


def test_tracker_moves_finished_orders_out_of_open() -> None:
    tracker = OrderTracker()
    tracker.on_order(order("1"))
    tracker.on_order(order("2", client_order_id="t-two"))

    tracker.on_order(order("1", OrderStatus.CANCELLED))

    assert [o.order_id for o in tracker.open_orders()] == ["2"]
    assert tracker.get("1") is not None and tracker.get("1").status is OrderStatus.CANCELLED  # type: ignore[union-attr]
    assert tracker.find_by_client_id("t-two") is not None
    assert tracker.open_orders(Symbol("ETH", "USDT")) == []


def test_tracker_snapshot_reports_vanished_orders_but_keeps_fresh_stream_updates() -> None:
    tracker = OrderTracker()
    tracker.on_order(order("old"))
    vanished = tracker.replace_open_orders([order("listed")], requested_at=time.monotonic())
    assert [o.order_id for o in vanished] == ["old"]

    requested_at = time.monotonic()
    tracker.on_order(order("fresh"))  # the stream reported it after the REST request started
    vanished = tracker.replace_open_orders([order("listed")], requested_at=requested_at)

    assert vanished == [] and {o.order_id for o in tracker.open_orders()} == {"listed", "fresh"}


def test_tracker_balances_snapshot_and_stream() -> None:
    tracker = OrderTracker()
    tracker.on_balance(Balance("USDT", D("5")))

    tracker.replace_balances([Balance("BTC", D("1"))], requested_at=-1.0)

    assert tracker.balances() == {"BTC": Balance("BTC", D("1")), "USDT": Balance("USDT", D("5"))}
    tracker.replace_balances([Balance("BTC", D("2"))])
    assert tracker.balances() == {"BTC": Balance("BTC", D("2"))}
    assert tracker.balance("btc") == Balance("BTC", D("2"))


# --- unknown outcome -----------------------------------------------------------------------------
def lookup_from(outcomes: list[Order | Exception]) -> tuple[Callable[[], object], list[int]]:
    calls: list[int] = []

    async def lookup() -> Order:
        calls.append(1)
        outcome = outcomes[min(len(calls), len(outcomes)) - 1]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    return lookup, calls


async def test_unknown_outcome_found_on_a_later_lookup() -> None:
    lookup, calls = lookup_from([OrderNotFoundError("gateio", "not found"), order()])

    found = await resolve_unknown_order(
        lookup,  # type: ignore[arg-type]
        cause=RequestTimeoutError("timeout"),
        client_order_id="t-abc",
        symbol=BTC,
        base_delay_s=0.001,
    )

    assert found.order_id == "1" and len(calls) == 2


async def test_unknown_outcome_not_found_reraises_the_original_error() -> None:
    lookup, calls = lookup_from([OrderNotFoundError("gateio", "not found")])
    cause = RequestTimeoutError("timeout")

    with pytest.raises(RequestTimeoutError) as info:
        await resolve_unknown_order(
            lookup,  # type: ignore[arg-type]
            cause=cause,
            client_order_id="t-abc",
            symbol=BTC,
            attempts=3,
            base_delay_s=0.001,
        )

    assert info.value is cause and len(calls) == 3
    assert "not placed" in "".join(getattr(info.value, "__notes__", []))


async def test_unknown_outcome_lookup_failing_raises_state_unknown() -> None:
    lookup, calls = lookup_from([NetworkError("still down")])

    with pytest.raises(OrderStateUnknownError) as info:
        await resolve_unknown_order(
            lookup,  # type: ignore[arg-type]
            cause=ExchangeUnavailableError("gateio", "busy", status=503),
            client_order_id="t-abc",
            symbol=BTC,
            base_delay_s=0.001,
        )

    assert info.value.client_order_id == "t-abc" and info.value.symbol == "BTC/USDT" and len(calls) == 3


async def test_unknown_outcome_resolved_from_the_stream_cache_without_lookup() -> None:
    tracker = OrderTracker()
    tracker.on_order(order("77", client_order_id="t-abc"))
    lookup, calls = lookup_from([NetworkError("down")])

    found = await resolve_unknown_order(
        lookup,  # type: ignore[arg-type]
        cause=RequestTimeoutError("timeout"),
        client_order_id="t-abc",
        symbol=BTC,
        tracker=tracker,
    )

    assert found.order_id == "77" and calls == []


async def test_place_order_sends_once_and_does_not_resolve_venue_rejections() -> None:
    sends: list[int] = []
    lookup, calls = lookup_from([order()])

    async def send() -> Order:
        sends.append(1)
        raise InvalidPriceError("venue said no")

    with pytest.raises(InvalidPriceError):
        await place_order(send, lookup, client_order_id="t-abc", symbol=BTC)  # type: ignore[arg-type]

    assert sends == [1] and calls == []


async def test_place_order_resolves_a_timeout_by_lookup_without_resending() -> None:
    sends: list[int] = []
    lookup, calls = lookup_from([order("9")])

    async def send() -> Order:
        sends.append(1)
        raise RequestTimeoutError("timeout")

    found = await place_order(send, lookup, client_order_id="t-abc", symbol=BTC)  # type: ignore[arg-type]

    assert found.order_id == "9" and sends == [1] and calls == [1]
