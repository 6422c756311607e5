"""The one place where Gate futures contracts and base-asset quantities are converted.

Gate counts every futures size in **contracts** (``size``, ``left``, book ``s``); one contract is
``quanto_multiplier`` units of the base asset (BTC_USDT: ``0.0001`` BTC). The unified API speaks base
units, so every parser multiplies by the contract's multiplier (:meth:`ContractSizes.to_base`) and every
order divides (:meth:`ContractSizes.to_contracts`), which refuses a quantity that is not a whole number
of contracts before anything is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from app.domain.models import SymbolInfo
from app.domain.symbol import Symbol
from app.errors import InvalidQuantityError, UnknownSymbolError
from app.exchanges.gateio.spot.schemas import native_symbol, symbol_from_native

ONE = Decimal(1)


class ContractSizes:
    """Base units per contract for each contract; filled from the venue's contract list."""

    __slots__ = ("_by_native", "_multipliers")

    def __init__(self, multipliers: Mapping[Symbol, Decimal] | None = None) -> None:
        self._multipliers: dict[Symbol, Decimal] = {}
        self._by_native: dict[str, tuple[Symbol, Decimal]] = {}  # "BTC_USDT" -> (symbol, multiplier)
        for symbol, multiplier in (multipliers or {}).items():
            self.set(symbol, multiplier)

    def set(self, symbol: Symbol, multiplier: Decimal) -> None:
        """Record one contract's multiplier (``0``, seen on inverse contracts, counts as 1, as ccxt does)."""
        value = self._multipliers[symbol] = multiplier if multiplier > 0 else ONE
        self._by_native[native_symbol(symbol)] = (symbol, value)

    def update(self, infos: Mapping[Symbol, SymbolInfo]) -> None:
        """Record the multipliers of loaded symbol info (``SymbolInfo.contract_size``)."""
        for symbol, info in infos.items():
            self.set(symbol, info.contract_size)

    @property
    def loaded(self) -> bool:
        return bool(self._multipliers)

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._multipliers

    def multiplier(self, symbol: Symbol) -> Decimal:
        """Base units per contract of ``symbol``; ``UnknownSymbolError`` when not loaded."""
        multiplier = self._multipliers.get(symbol)
        if multiplier is None:
            raise UnknownSymbolError(f"{symbol}: contract size unknown (contracts not loaded or not listed)")
        return multiplier

    def route(self, native: str) -> tuple[Symbol, Decimal]:
        """``(symbol, multiplier)`` of a contract id as the stream names it (``"BTC_USDT"``): one lookup per
        message on the book stream; ``UnknownSymbolError`` when not loaded."""
        found = self._by_native.get(native)
        if found is None:
            symbol = symbol_from_native(native)
            found = (symbol, self.multiplier(symbol))
        return found

    def to_base(self, symbol: Symbol, contracts: Decimal | int) -> Decimal:
        """Contracts (signed) -> base units (signed)."""
        return contracts * self.multiplier(symbol)

    def to_contracts(self, symbol: Symbol, quantity: Decimal) -> int:
        """Base units (signed) -> a whole number of contracts; ``InvalidQuantityError`` otherwise."""
        multiplier = self.multiplier(symbol)
        contracts = quantity / multiplier
        if contracts != contracts.to_integral_value():
            raise InvalidQuantityError(
                f"{quantity} {symbol.base} is not a whole number of {symbol} contracts "
                f"(1 contract = {multiplier} {symbol.base}); use a multiple of {multiplier}"
            )
        return int(contracts)

    def __repr__(self) -> str:
        return f"ContractSizes({len(self._multipliers)} contracts)"
