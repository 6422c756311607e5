"""Unified symbols, native-form resolution, and the handler bundles' type checks."""

from __future__ import annotations

import pytest

from app.domain import Symbol, SymbolResolver
from app.domain.handlers import create_private_handlers, create_public_handlers, require_private, require_public
from app.errors import HandlerTypeError, UnknownSymbolError


def test_symbol_parse_forms() -> None:
    assert Symbol.parse("BTC/USDT") == Symbol("BTC", "USDT")
    assert Symbol.parse("btc_usdt") == Symbol("BTC", "USDT")
    assert str(Symbol.parse("ETH-USDT")) == "ETH/USDT"
    with pytest.raises(UnknownSymbolError):
        Symbol.parse("BTCUSDT")  # ambiguous without symbol info
    with pytest.raises(UnknownSymbolError):
        Symbol.parse(42)  # type: ignore[arg-type]


def test_resolver_accepts_unified_and_native_forms() -> None:
    resolver = SymbolResolver("gateio", [(Symbol("BTC", "USDT"), "BTC_USDT"), (Symbol("BTC3L", "USDT"), "BTC3L_USDT")])
    for form in ("BTC/USDT", "BTC_USDT", "btcusdt", "BTCUSDT", Symbol("BTC", "USDT")):
        assert resolver.resolve(form) == Symbol("BTC", "USDT")
    assert resolver.native("BTC3L/USDT") == "BTC3L_USDT"
    assert "ETH/USDT" not in resolver
    with pytest.raises(UnknownSymbolError, match="not listed on gateio"):
        resolver.resolve("ETH/USDT")


async def test_handlers_accept_sync_and_async_callables() -> None:
    seen: list[object] = []

    async def on_trade(item: object) -> None:
        seen.append(("async", item))

    handlers = create_public_handlers(
        orderbook_diff_handler=lambda x: seen.append(("sync", x)), trades_handler=on_trade
    )
    assert handlers.orderbook_handler is not None and not handlers.orderbook_handler.is_async
    assert handlers.trades_handler is not None and handlers.trades_handler.is_async
    await handlers.orderbook_handler(1)
    await handlers.trades_handler(2)
    assert seen == [("sync", 1), ("async", 2)]


def test_handler_bundles_are_not_interchangeable() -> None:
    public = create_public_handlers()
    private = create_private_handlers(order_handler=print)
    assert require_public(public) is public
    with pytest.raises(HandlerTypeError, match="PublicWebsocketHandlers"):
        require_public(private)
    with pytest.raises(HandlerTypeError, match="PrivateWebsocketHandlers"):
        require_private(public)
    with pytest.raises(HandlerTypeError, match="callable"):
        create_private_handlers(order_handler="not callable")  # type: ignore[arg-type]
