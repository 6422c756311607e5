"""Gate.io USDT perpetual public composite: the spot composite's book, ticker and trade machinery on the
futures transports, plus contract info and funding rates.

Books are maintained exactly as for spot (one :class:`~app.composite.book.BookSynchronizer` per symbol on
``futures.order_book_update`` + ``GET /futures/usdt/order_book?with_id=true``): the spot composite is
reused as is, given the futures REST client and a WebSocket factory that shares the REST client's
contract sizes, so every quantity reaching the book is already in base units.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, cast

from app.config import ExchangeConfig
from app.domain.enums import ExchangeEnum
from app.domain.futures import ContractInfo, FundingRate
from app.domain.handlers import PublicWebsocketHandlers
from app.domain.symbol import Symbol, SymbolLike, SymbolResolver
from app.errors import UnknownSymbolError
from app.exchanges.gateio.futures.rest_public import GateioPublicFuturesRest, fetch_contracts
from app.exchanges.gateio.futures.ws_public import GateioPublicFuturesWebsocket
from app.exchanges.gateio.spot.composite_public import GateioCompositePublicSpotExchange

FuturesPublicWsFactory = Callable[..., GateioPublicFuturesWebsocket]
"""Called as ``ws_factory(handlers=PublicWebsocketHandlers)`` (the container's Factory provider)."""


class GateioFuturesCompositePublicExchange(GateioCompositePublicSpotExchange):
    """Market data of USDT perpetuals for the symbols given to :meth:`initialize` (quantities in base units).

    Same interface and extras as the spot composite (``wait_ready``, ``book_synchronizer``,
    ``stream_connected``), plus :meth:`contract_info` and :meth:`get_funding_rate`.
    """

    exchange = ExchangeEnum.GATEIO_FUTURES

    def __init__(
        self,
        config: ExchangeConfig,
        rest: GateioPublicFuturesRest,
        ws_factory: FuturesPublicWsFactory,
        logger: logging.Logger | None = None,
        **options: Any,
    ) -> None:
        self._futures_rest = rest
        self._futures_ws_factory = ws_factory
        self._contracts: dict[Symbol, ContractInfo] = {}
        super().__init__(
            config,
            # The spot composite only calls get_exchange_info / get_orderbook / get_trades, which the
            # futures client provides with the same signatures (structural reuse, not inheritance).
            cast(Any, rest),
            cast(Any, self._create_ws),
            logger or logging.getLogger("app.exchanges.gateio.futures.composite_public"),
            **options,
        )

    def _create_ws(self, *, handlers: PublicWebsocketHandlers) -> GateioPublicFuturesWebsocket:
        ws = self._futures_ws_factory(handlers=handlers)
        ws.use_contract_sizes(self._futures_rest.contract_sizes)
        return ws

    async def _load_symbol_info(self) -> None:
        """One ``GET /futures/usdt/contracts`` gives the rules, the contract info and the sizes."""
        contracts = await fetch_contracts(self._futures_rest.transport, self._futures_rest.contract_sizes)
        self._infos = {contract.symbol: contract.to_symbol_info() for contract in contracts}
        self._contracts = {contract.symbol: contract.to_contract_info() for contract in contracts}
        self._resolver = SymbolResolver(self.exchange.value, ((s, info.native) for s, info in self._infos.items()))

    # --- futures extras ------------------------------------------------------------------------------
    def contract_info(self, symbol: SymbolLike) -> ContractInfo:
        """Contract size, limits, leverage bounds and funding schedule as loaded by :meth:`initialize`."""
        resolved = self.resolve(symbol)
        info = self._contracts.get(resolved)
        if info is None:
            raise UnknownSymbolError(f"{resolved}: contract info not loaded")
        return info

    @property
    def contracts(self) -> dict[Symbol, ContractInfo]:
        return self._contracts

    async def get_funding_rate(self, symbol: SymbolLike) -> FundingRate:
        """The current funding rate and next funding time (REST, fresh)."""
        return await self._futures_rest.get_funding_rate(self.resolve(symbol))

    def __repr__(self) -> str:
        return f"GateioFuturesCompositePublicExchange(symbols={[str(s) for s in self.symbols]})"
