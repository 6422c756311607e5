"""Gate.io USDT perpetual public composite: the shared book, ticker and trade machinery on the futures
transports, plus contract info and funding rates.

Books are maintained exactly as for spot (one :class:`~app.composite.book.BookSynchronizer` per symbol on
``futures.order_book_update`` + ``GET /futures/usdt/order_book?with_id=true``) by the shared
:class:`~app.composite.public_base.StreamingPublicExchange`, given the futures REST client and a WebSocket
that shares the REST client's contract sizes. The stream hands its book diffs to the books in contracts
(``quantity_scale`` = the contract's multiplier); a book converts a level to base units when it is read, so
every quantity it shows is in base units and no per-level conversion runs per message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from app.composite.public_base import StreamingPublicExchange
from app.config import ExchangeConfig
from app.domain.enums import ExchangeEnum
from app.domain.futures import ContractInfo, FundingRate
from app.domain.handlers import PublicWebsocketHandlers
from app.domain.symbol import Symbol, SymbolLike
from app.errors import UnknownSymbolError
from app.exchanges.gateio.futures.rest_public import GateioPublicFuturesRest, fetch_contracts
from app.exchanges.gateio.futures.ws_public import GateioPublicFuturesWebsocket

FuturesPublicWsFactory = Callable[..., GateioPublicFuturesWebsocket]
"""Called as ``ws_factory(handlers=PublicWebsocketHandlers)`` (the container's Factory provider)."""


class GateioFuturesCompositePublicExchange(
    StreamingPublicExchange[GateioPublicFuturesRest, GateioPublicFuturesWebsocket]
):
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
        """``options``: the resync settings of :class:`~app.composite.public_base.StreamingPublicExchange`."""
        super().__init__(config, rest, ws_factory, logger, **options)
        self._contracts: dict[Symbol, ContractInfo] = {}

    def _stream_is_connected(self, ws: GateioPublicFuturesWebsocket) -> bool:
        return ws.client.ready  # after a reconnect: only once the listeners marked the books stale

    def _create_stream(self, handlers: PublicWebsocketHandlers) -> GateioPublicFuturesWebsocket:
        ws = super()._create_stream(handlers)
        ws.use_contract_sizes(self._rest.contract_sizes)
        ws.use_contract_book_diffs()  # only our books read them: they convert the levels they show
        return ws

    def _book_quantity_scale(self, symbol: Symbol) -> Decimal:
        return self._rest.contract_sizes.multiplier(symbol)

    async def _load_symbol_info(self) -> None:
        """One ``GET /futures/usdt/contracts`` gives the rules, the contract info and the sizes."""
        contracts = await fetch_contracts(self._rest.transport, self._rest.contract_sizes)
        self._contracts = {contract.symbol: contract.to_contract_info() for contract in contracts}
        self._set_symbol_info({contract.symbol: contract.to_symbol_info() for contract in contracts})

    # --- futures extras ------------------------------------------------------------------------------
    def contract_info(self, symbol: SymbolLike) -> ContractInfo:
        """Contract size, limits, leverage bounds and funding schedule as loaded by :meth:`initialize`."""
        resolved = self.resolve(symbol)
        info = self.contracts.get(resolved)
        if info is None:
            raise UnknownSymbolError(f"{resolved}: contract info not loaded")
        return info

    @property
    def contracts(self) -> dict[Symbol, ContractInfo]:
        """Contract info of every listed contract (empty before :meth:`initialize`)."""
        return self._contracts

    async def get_funding_rate(self, symbol: SymbolLike) -> FundingRate:
        """The current funding rate and next funding time (REST, fresh)."""
        return await self._rest.get_funding_rate(self.resolve(symbol))
