"""A composite's listed symbols: their trading rules and the resolver built from them."""

from __future__ import annotations

from app.domain.enums import ExchangeEnum
from app.domain.models import SymbolInfo
from app.domain.symbol import Symbol, SymbolLike, SymbolResolver


class SymbolRules:
    """Mixin of the public and private composites: ``symbol_info`` and ``resolve`` over the loaded rules.

    The composite calls :meth:`_set_symbol_info` in its constructor (with ``{}``) and after every load.
    """

    exchange: ExchangeEnum
    _infos: dict[Symbol, SymbolInfo]
    _resolver: SymbolResolver

    @property
    def symbol_info(self) -> dict[Symbol, SymbolInfo]:
        """Trading rules of every listed symbol (empty before the first load)."""
        return self._infos

    def resolve(self, symbol: SymbolLike) -> Symbol:
        """The unified symbol; ``UnknownSymbolError`` for one the venue does not list."""
        return self._resolver.resolve(symbol)

    def _set_symbol_info(self, infos: dict[Symbol, SymbolInfo]) -> None:
        self._infos = infos
        self._resolver = SymbolResolver(self.exchange.value, ((s, info.native) for s, info in infos.items()))
