"""Symbols: unified and venue-native forms resolve alike; an unknown symbol fails before any network call."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pytest_mock import MockerFixture

from app.domain.symbol import Symbol
from app.errors import UnknownSymbolError
from app.transport.websocket import ReconnectingWebSocket
from tests.conformance.harness import VenueHarness, spy_requests

UNKNOWN = "DOGE/EUR"


async def test_initialize_accepts_unified_and_native_forms(harness: VenueHarness) -> None:
    case = harness.case
    requested = [case.native_forms.get(symbol, symbol) for symbol in case.symbols]
    assert requested != list(case.symbols), "a case should list at least one native form"

    public = await harness.public(requested)

    for unified in case.symbols:
        symbol = Symbol.parse(unified)
        assert public.resolve(unified) == symbol
        info = public.symbol_info[symbol]
        assert info.exchange is case.exchange and info.symbol == symbol
        native = case.native_forms.get(unified)
        if native is not None:
            assert info.native == native and public.resolve(native) == symbol
            assert public.get_orderbook(native).symbol == symbol
        assert info.tick_size > 0 and info.lot_size > 0
        assert info.min_quantity >= 0 and info.min_notional >= 0
        assert info.min_quantity > 0 or info.min_notional > 0, "no minimum order size published"
        assert info.is_tradable


async def test_unknown_symbol_fails_before_any_stream_starts(harness: VenueHarness, mocker: MockerFixture) -> None:
    start = mocker.spy(ReconnectingWebSocket, "start")

    with pytest.raises(UnknownSymbolError):
        await harness.public([harness.case.traded, UNKNOWN])

    assert start.call_count == 0


async def test_unknown_symbol_needs_no_network_call(harness: VenueHarness, mocker: MockerFixture) -> None:
    public = await harness.public()
    requests = spy_requests(mocker)

    with pytest.raises(UnknownSymbolError):
        public.resolve(UNKNOWN)
    with pytest.raises(UnknownSymbolError):
        public.get_orderbook(UNKNOWN)
    with pytest.raises(UnknownSymbolError):
        public.get_book_ticker(UNKNOWN)
    with pytest.raises(UnknownSymbolError):
        await public.get_trades(UNKNOWN)

    assert requests.call_count == 0
    assert public.symbol_info[public.resolve(harness.case.traded)].tick_size > Decimal(0)
