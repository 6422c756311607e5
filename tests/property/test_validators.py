"""Bad input at the public API edges gives a typed error, never a crash deep inside (hypothesis).

Each property feeds arbitrary values (numbers of every type, text, None, containers, objects) to one
validator and accepts exactly two outcomes: a value that satisfies the rule, or the documented
:class:`~app.errors.CexArbError` subclass.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.composite.orders import ClientOrderIdRule, coerce_enum, is_multiple, to_decimal, validate_order
from app.config import validate_settings
from app.domain.enums import ExchangeEnum, OrderType, Side, TimeInForce
from app.domain.handlers import create_private_handlers, create_public_handlers, require_private, require_public
from app.domain.models import SymbolInfo
from app.domain.symbol import Symbol, SymbolResolver
from app.errors import (
    ConfigurationError,
    HandlerTypeError,
    InvalidClientOrderIdError,
    InvalidQuantityError,
    UnknownSymbolError,
    ValidationError,
)
from app.exchanges.gateio import constants as gate
from app.transport.rest import build_query

FAST = settings(max_examples=300, deadline=None)

numbers = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=Decimal("0.00001"), max_value=Decimal(100_000), places=5),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["1e999999", "-0", "0.1", "1_000", " 7 ", "NaN", "sNaN", "Infinity", "1e-999999", "0x10"]),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=2),
)
anything = st.one_of(numbers, st.builds(object), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))

INFO = SymbolInfo(
    exchange=ExchangeEnum.GATEIO,
    symbol=Symbol("BTC", "USDT"),
    native="BTC_USDT",
    tick_size=Decimal("0.1"),
    lot_size=Decimal("0.00001"),
    min_quantity=Decimal("0.00001"),
    min_notional=Decimal(3),
    max_quantity=Decimal(1000),
)


@FAST
@given(numbers)
def test_to_decimal_is_finite_or_a_typed_error(value: object) -> None:
    try:
        result = to_decimal(value, "quantity", InvalidQuantityError)
    except InvalidQuantityError:
        return
    assert isinstance(result, Decimal) and result.is_finite()
    assert not isinstance(value, bool | float)


@FAST
@given(
    side=st.one_of(st.sampled_from(["buy", "SELL", " Buy ", Side.BUY]), anything),
    quantity=numbers,
    price=numbers,
    order_type=st.one_of(st.sampled_from(["limit", "market", OrderType.LIMIT]), anything),
    tif=st.one_of(st.sampled_from(["gtc", "ioc", "fok", "post_only", TimeInForce.IOC]), anything),
)
def test_validate_order_accepts_only_orders_within_the_rules(
    side: object, quantity: object, price: object, order_type: object, tif: object
) -> None:
    try:
        order = validate_order(INFO, side, quantity, price, order_type, tif)  # type: ignore[arg-type]
    except ValidationError:
        return
    assert order.quantity > 0 and INFO.min_quantity <= order.quantity <= Decimal(1000)
    assert is_multiple(order.quantity, INFO.lot_size)
    if order.order_type is OrderType.LIMIT:
        assert order.price is not None and order.price > 0 and is_multiple(order.price, INFO.tick_size)
        assert order.price * order.quantity >= INFO.min_notional
    else:
        assert order.time_in_force is not TimeInForce.POST_ONLY and order.time_in_force is not TimeInForce.GTC


@FAST
@given(anything)
def test_coerce_enum_returns_a_member_or_a_typed_error(value: object) -> None:
    try:
        member = coerce_enum(Side, value, "side")
    except ValidationError:
        return
    assert isinstance(member, Side)


RULE = ClientOrderIdRule(
    prefix=gate.CLIENT_ID_PREFIX, max_body_length=gate.CLIENT_ID_MAX_BYTES, charset=gate.CLIENT_ID_CHARSET
)


@FAST
@given(st.one_of(st.text(max_size=40), anything))
def test_client_order_ids_are_normalized_within_the_rule_or_refused(value: object) -> None:
    try:
        normalized = RULE.normalize(value)
    except InvalidClientOrderIdError:
        return
    body = normalized[len(RULE.prefix) :]
    assert normalized.startswith(RULE.prefix) and 1 <= len(body.encode()) <= RULE.max_body_length
    assert RULE.charset.issuperset(body) and RULE.normalize(normalized) == normalized


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 1000))
def test_generated_client_order_ids_pass_the_rule(_: int) -> None:
    generated = RULE()
    assert RULE.normalize(generated) == generated


@FAST
@given(st.one_of(st.text(max_size=20), anything))
def test_symbol_parsing_gives_a_symbol_or_unknown_symbol(value: object) -> None:
    try:
        symbol = Symbol.parse(value)  # type: ignore[arg-type]
    except UnknownSymbolError:
        return
    assert symbol.base and symbol.quote and symbol.base.isalnum() and symbol.quote.isalnum()


@FAST
@given(st.one_of(st.text(max_size=20), anything))
def test_symbol_resolution_is_listed_or_unknown_symbol(value: object) -> None:
    resolver = SymbolResolver("gateio", [(Symbol("BTC", "USDT"), "BTC_USDT"), (Symbol("ETH", "USDT"), "ETH_USDT")])
    try:
        symbol = resolver.resolve(value)  # type: ignore[arg-type]
    except UnknownSymbolError:
        return
    assert symbol in (Symbol("BTC", "USDT"), Symbol("ETH", "USDT"))


@FAST
@given(st.lists(st.tuples(st.text(max_size=8), st.one_of(st.text(max_size=8), anything)), max_size=4))
def test_query_strings_are_sent_as_signed_or_refused(params: list[tuple[str, Any]]) -> None:
    try:
        query = build_query(params)
    except ValidationError:
        return
    assert query == "&".join(f"{k}={v}" for k, v in params)


handler_values = st.one_of(st.none(), anything, st.just(print), st.just(lambda item: None))


@FAST
@given(handler_values, handler_values, handler_values)
def test_handlers_are_callables_or_a_handler_type_error(a: object, b: object, c: object) -> None:
    for factory in (create_public_handlers, create_private_handlers):
        try:
            bundle = factory(a, b, c)  # type: ignore[operator]
        except HandlerTypeError:
            assert any(value is not None and not callable(value) for value in (a, b, c))
            continue
        assert all(value is None or callable(value) for value in (a, b, c))
        other = require_private if factory is create_public_handlers else require_public
        with pytest.raises(HandlerTypeError):
            other(bundle)


config_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(), st.text(max_size=12)),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=8,
)
exchange_keys = st.sampled_from(["gateio", "mexc", "gateio_futures", "binance", ""])
exchange_fields = st.dictionaries(
    st.sampled_from(
        ["rest_url", "ws_url", "request_timeout_s", "recv_window_ms", "ws_backend", "api_key", "rate_limits"]
    ),
    config_values,
    max_size=5,
)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(exchange_keys, exchange_fields, max_size=2),
    st.dictionaries(
        st.sampled_from(["log_level", "env", "simulator", "monitor", "telemetry"]), config_values, max_size=3
    ),
)
def test_settings_validate_or_name_the_bad_key(exchanges: dict[str, Any], extra: dict[str, Any]) -> None:
    try:
        validate_settings({"exchanges": exchanges, **extra}, require_private_credentials=False)
    except ConfigurationError as exc:
        assert str(exc)
