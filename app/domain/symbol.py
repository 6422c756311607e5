"""Unified symbols (``BTC/USDT``) and their resolution from venue-native forms."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.errors import UnknownSymbolError

_INTERNED: dict[tuple[type, str, str], Symbol] = {}


@dataclass(frozen=True, slots=True, init=False, eq=False)
class Symbol:
    """A market in unified form: base and quote asset, upper case. ``str()`` gives ``"BTC/USDT"``.

    Interned: ``Symbol(base, quote)`` returns the one instance per ``(base, quote)``, so equality is
    identity and the hash is the C-level identity hash (measured in ``scripts/bench``: a dict lookup
    keyed by the old frozen dataclass recomputed a tuple hash in Python per call, ~7x a ``str`` key;
    now it costs what a ``str`` key costs). Copies and pickles come back as the same interned instance.
    """

    base: str
    quote: str

    def __new__(cls, base: str, quote: str) -> Symbol:
        key = (cls, base, quote)
        symbol = _INTERNED.get(key)
        if symbol is None:
            symbol = object.__new__(cls)
            object.__setattr__(symbol, "base", base)
            object.__setattr__(symbol, "quote", quote)
            symbol = _INTERNED.setdefault(key, symbol)
        return symbol

    def __reduce__(self) -> tuple[type[Symbol], tuple[str, str]]:
        return (type(self), (self.base, self.quote))

    def __str__(self) -> str:
        return f"{self.base}/{self.quote}"

    @classmethod
    def parse(cls, text: str) -> Symbol:
        """Parse the unified form ``"BTC/USDT"`` (or ``"BTC_USDT"``, split on the first ``_``).

        The concatenated native form ``"BTCUSDT"`` is ambiguous without symbol info: resolve it with
        :class:`SymbolResolver`.
        """
        if not isinstance(text, str):
            raise UnknownSymbolError(f"symbol must be a string, got {type(text).__name__}")
        raw = text.strip().upper()
        for sep in ("/", "_", "-"):
            if sep in raw:
                base, _, quote = raw.partition(sep)
                quote = quote.split(":", 1)[0]
                if base and quote and base.isalnum() and quote.isalnum():
                    return cls(base, quote)
                break
        raise UnknownSymbolError(f"cannot parse symbol {text!r}; use the unified form 'BASE/QUOTE'")


SymbolLike = Symbol | str


class SymbolResolver:
    """Maps unified symbols and venue-native ids to each other, built from the loaded symbol info.

    Accepts ``"BTC/USDT"``, ``"BTC_USDT"``, ``"btc_usdt"``, ``"BTCUSDT"`` and :class:`Symbol`; a symbol
    the venue does not list raises :class:`UnknownSymbolError` before any network call.
    """

    __slots__ = ("_by_key", "_to_native", "exchange")

    def __init__(self, exchange: str, pairs: Iterable[tuple[Symbol, str]] = ()) -> None:
        self.exchange = exchange
        self._to_native: dict[Symbol, str] = {}
        self._by_key: dict[str, Symbol] = {}
        for symbol, native in pairs:
            self.add(symbol, native)

    def add(self, symbol: Symbol, native: str) -> None:
        self._to_native[symbol] = native
        for key in (str(symbol), native, f"{symbol.base}_{symbol.quote}", f"{symbol.base}{symbol.quote}"):
            self._by_key[key.upper()] = symbol

    def resolve(self, value: SymbolLike) -> Symbol:
        """Return the unified :class:`Symbol` for any accepted form, or raise ``UnknownSymbolError``."""
        if isinstance(value, Symbol):
            if value in self._to_native:
                return value
        elif isinstance(value, str):
            found = self._by_key.get(value.strip().upper())
            if found is not None:
                return found
        else:
            raise UnknownSymbolError(f"symbol must be a str or Symbol, got {type(value).__name__}")
        raise UnknownSymbolError(f"{value!s} is not listed on {self.exchange} (or symbol info not loaded)")

    def native(self, value: SymbolLike) -> str:
        """Return the venue-native id (``BTC_USDT`` on Gate, ``BTCUSDT`` on MEXC)."""
        return self._to_native[self.resolve(value)]

    def from_native(self, native: str) -> Symbol:
        return self.resolve(native)

    def __contains__(self, value: object) -> bool:
        try:
            self.resolve(value)  # type: ignore[arg-type]
        except UnknownSymbolError:
            return False
        return True

    def __len__(self) -> int:
        return len(self._to_native)

    def symbols(self) -> list[Symbol]:
        return list(self._to_native)
