"""``Symbol`` is interned: equal symbols are one object, so dict lookups hash by identity at C speed."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

from app.domain import Symbol


def test_equal_symbols_are_one_object_however_they_are_made() -> None:
    symbol = Symbol("BTC", "USDT")
    assert Symbol.parse("btc_usdt") is symbol
    assert Symbol(base="BTC", quote="USDT") is symbol
    assert copy.copy(symbol) is symbol and copy.deepcopy(symbol) is symbol
    assert pickle.loads(pickle.dumps(symbol)) is symbol
    assert dataclasses.replace(symbol, quote="USDC") is Symbol("BTC", "USDC")


def test_value_semantics_are_kept() -> None:
    symbol = Symbol("ETH", "USDT")
    assert symbol == Symbol("ETH", "USDT") and hash(symbol) == hash(Symbol("ETH", "USDT"))
    assert symbol != Symbol("ETH", "USDC") and symbol != "ETH/USDT"
    assert {symbol: 1}[Symbol.parse("ETH/USDT")] == 1
    assert (symbol.base, symbol.quote, str(symbol)) == ("ETH", "USDT", "ETH/USDT")
    assert repr(symbol) == "Symbol(base='ETH', quote='USDT')"
    assert dataclasses.asdict(symbol) == {"base": "ETH", "quote": "USDT"}
    with pytest.raises(dataclasses.FrozenInstanceError):
        symbol.base = "BTC"  # type: ignore[misc]
