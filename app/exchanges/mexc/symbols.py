"""MEXC symbol table: unified ``BTC/USDT`` <-> native ``BTCUSDT``, learned from exchangeInfo.

A native id is never split by string slicing (``BTCUSDT`` could be BTC/USDT or BTCU/SDT): the mapping comes
from the venue's ``baseAsset``/``quoteAsset``. Going the other way is plain concatenation.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from app.domain.models import SymbolInfo
from app.domain.symbol import Symbol
from app.errors import UnknownSymbolError


def native_symbol(symbol: Symbol) -> str:
    """``Symbol("BTC", "USDT")`` -> ``"BTCUSDT"``."""
    return f"{symbol.base}{symbol.quote}"


class MexcSymbolTable:
    """Native id -> :class:`Symbol` for the pairs this client has seen (exchangeInfo or its own requests)."""

    __slots__ = ("_by_native",)

    def __init__(self, pairs: Iterable[Symbol] = ()) -> None:
        self._by_native: dict[str, Symbol] = {}
        for symbol in pairs:
            self.add(symbol)

    def add(self, symbol: Symbol) -> str:
        """Remember ``symbol`` and return its native id."""
        native = native_symbol(symbol)
        self._by_native[native] = symbol
        return native

    def update(self, infos: Mapping[Symbol, SymbolInfo]) -> None:
        for symbol, info in infos.items():
            self._by_native[info.native] = symbol

    def get(self, native: str) -> Symbol | None:
        """The symbol of ``native`` or None when this table has not seen it (hot path: one dict read)."""
        return self._by_native.get(native)

    def symbol(self, native: str) -> Symbol:
        found = self._by_native.get(native)
        if found is None:
            raise UnknownSymbolError(f"mexc symbol {native!r} is not known (load exchangeInfo first)")
        return found

    def __contains__(self, native: object) -> bool:
        return native in self._by_native

    def __len__(self) -> int:
        return len(self._by_native)
