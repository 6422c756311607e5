"""Gate.io USDT perpetual public REST: contracts, order book, trades, tickers, funding, time (reference 6.1-6.5)."""

from __future__ import annotations

import logging
import time
from decimal import Decimal

from app.config import ExchangeConfig
from app.domain.futures import ContractInfo, FundingRate
from app.domain.models import BookTicker, OrderBook, SymbolInfo, Trade
from app.domain.symbol import Symbol
from app.errors import UnknownSymbolError, ValidationError
from app.exchanges.gateio import constants as c
from app.exchanges.gateio.futures import schemas
from app.exchanges.gateio.futures.contract_sizes import ContractSizes
from app.exchanges.gateio.futures.schemas import native_symbol
from app.exchanges.gateio.rest import make_gateio_transport
from app.exchanges.gateio.spot.schemas import server_time_decoder
from app.transport.clock import ServerClock
from app.transport.rate_limit import PUBLIC, RateLimiter
from app.transport.rest import RestTransport
from app.transport.session import HttpSessionManager


async def fetch_contracts(transport: RestTransport, sizes: ContractSizes | None = None) -> list[schemas.Contract]:
    """``GET /futures/usdt/contracts`` (public, also callable on a signed transport); records multipliers."""
    response = await transport.request("GET", c.FUTURES_CONTRACTS, bucket=PUBLIC)
    contracts = schemas.contracts_decoder.decode(response.body)
    if sizes is not None:
        for contract in contracts:
            sizes.set(contract.symbol, contract.multiplier)
    return contracts


class GateioPublicFuturesRest:
    """Market data of USDT perpetuals; no credentials. Quantities are reported in base units.

    ``contract_sizes`` is filled by :meth:`get_exchange_info` / :meth:`get_contracts` (or on first need)
    and can be shared with the WebSocket clients so they convert with the same multipliers.
    """

    def __init__(
        self,
        config: ExchangeConfig,
        sessions: HttpSessionManager,
        logger: logging.Logger | None = None,
        *,
        clock: ServerClock | None = None,
        rate_limiter: RateLimiter | None = None,
        contract_sizes: ContractSizes | None = None,
    ) -> None:
        self.config = config
        self.logger = logger or logging.getLogger("app.exchanges.gateio.futures.rest_public")
        self.contract_sizes = contract_sizes if contract_sizes is not None else ContractSizes()
        self.transport: RestTransport = make_gateio_transport(
            config,
            sessions,
            signer=None,
            clock=clock,
            rate_limiter=rate_limiter,
            logger=self.logger,
            exchange_name=c.FUTURES_EXCHANGE_NAME,
        )

    # --- contracts -----------------------------------------------------------------------------------
    async def get_contracts(self) -> dict[Symbol, ContractInfo]:
        """Every USDT perpetual: size, limits, leverage bounds, funding (``GET /futures/usdt/contracts``)."""
        contracts = await fetch_contracts(self.transport, self.contract_sizes)
        return {contract.symbol: contract.to_contract_info() for contract in contracts}

    async def get_exchange_info(self) -> dict[Symbol, SymbolInfo]:
        """Trading rules in base units (lot = one contract), as for spot; also records the multipliers."""
        contracts = await fetch_contracts(self.transport, self.contract_sizes)
        return {contract.symbol: contract.to_symbol_info() for contract in contracts}

    async def get_contract(self, symbol: Symbol) -> ContractInfo:
        """One contract (``GET /futures/usdt/contracts/{contract}``): current mark, index and funding."""
        return (await self._contract(symbol)).to_contract_info()

    async def get_funding_rate(self, symbol: Symbol) -> FundingRate:
        """The current funding rate and next funding time of one contract."""
        return (await self._contract(symbol)).to_funding_rate()

    async def get_funding_rate_history(self, symbol: Symbol, limit: int = 100) -> list[tuple[int, Decimal]]:
        """Applied funding rates ``(unix seconds, rate)``, newest first (``GET /futures/usdt/funding_rate``)."""
        if not 1 <= limit <= 1000:
            raise ValidationError(f"funding rate limit must be 1..1000, got {limit}")
        params = [("contract", native_symbol(symbol)), ("limit", str(limit))]
        response = await self.transport.request("GET", c.FUTURES_FUNDING_RATE, params=params, bucket=PUBLIC)
        return [(point.t, point.r) for point in schemas.funding_rate_decoder.decode(response.body)]

    # --- market data ---------------------------------------------------------------------------------
    async def get_orderbook(self, symbol: Symbol, limit: int = 100) -> OrderBook:
        """A snapshot with ``sequence`` = the book id (``with_id=true``), the WS ``U``/``u`` sequence."""
        if not 1 <= limit <= c.FUTURES_ORDER_BOOK_MAX:
            raise ValidationError(f"futures order book limit must be 1..{c.FUTURES_ORDER_BOOK_MAX}, got {limit}")
        mult = await self.multiplier(symbol)
        params = [("contract", native_symbol(symbol)), ("limit", str(limit)), ("with_id", "true")]
        response = await self.transport.request("GET", c.FUTURES_ORDER_BOOK, params=params, bucket=PUBLIC)
        return schemas.order_book_decoder.decode(response.body).to_domain(symbol, mult)

    async def get_trades(self, symbol: Symbol, limit: int = 100) -> list[Trade]:
        """Most recent public trades, newest first (``GET /futures/usdt/trades``)."""
        if not 1 <= limit <= 1000:
            raise ValidationError(f"trades limit must be 1..1000, got {limit}")
        mult = await self.multiplier(symbol)
        params = [("contract", native_symbol(symbol)), ("limit", str(limit))]
        response = await self.transport.request("GET", c.FUTURES_TRADES, params=params, bucket=PUBLIC)
        return [trade.to_domain(mult) for trade in schemas.trades_decoder.decode(response.body)]

    async def get_ticker(self, symbol: Symbol) -> BookTicker:
        """Best bid/ask from ``GET /futures/usdt/tickers?contract=`` (stamped with the local receive time)."""
        mult = await self.multiplier(symbol)
        params = [("contract", native_symbol(symbol))]
        response = await self.transport.request("GET", c.FUTURES_TICKERS, params=params, bucket=PUBLIC)
        tickers = schemas.tickers_decoder.decode(response.body)
        if not tickers:
            raise UnknownSymbolError(f"{symbol} has no ticker on {c.FUTURES_EXCHANGE_NAME}")
        return tickers[0].to_domain(mult, self.transport.clock.now_ms())

    async def get_server_time(self) -> int:
        """Server time in ms (``GET /spot/time``: Gate has one clock for every product)."""
        response = await self.transport.request("GET", c.SPOT_TIME, bucket=PUBLIC)
        return server_time_decoder.decode(response.body).server_time

    async def measure_server_time(self) -> tuple[int, float, float]:
        """``(server_ms, sent_monotonic, received_monotonic)`` for :meth:`ServerClock.update_from_server`."""
        sent = time.monotonic()
        server_ms = await self.get_server_time()
        return server_ms, sent, time.monotonic()

    async def multiplier(self, symbol: Symbol) -> Decimal:
        """Base units per contract (loads the contract list on first need)."""
        if symbol not in self.contract_sizes:
            await fetch_contracts(self.transport, self.contract_sizes)
        return self.contract_sizes.multiplier(symbol)

    async def close(self) -> None:
        await self.transport.close()

    async def _contract(self, symbol: Symbol) -> schemas.Contract:
        path = f"{c.FUTURES_CONTRACTS}/{native_symbol(symbol)}"
        response = await self.transport.request("GET", path, bucket=PUBLIC)
        contract = schemas.contract_decoder.decode(response.body)
        self.contract_sizes.set(contract.symbol, contract.multiplier)
        return contract

    def __repr__(self) -> str:
        return f"GateioPublicFuturesRest({self.config.rest_url})"


async def load_contract_sizes(config: ExchangeConfig, sessions: HttpSessionManager, sizes: ContractSizes) -> None:
    """Fill ``sizes`` from the public contract list with a short-lived unsigned transport (WS clients
    created on their own, without a REST client to share sizes with, use this at start)."""
    transport = make_gateio_transport(
        config.public_view(), sessions, signer=None, exchange_name=c.FUTURES_EXCHANGE_NAME
    )
    try:
        await fetch_contracts(transport, sizes)
    finally:
        await transport.close()
