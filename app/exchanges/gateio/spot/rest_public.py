"""Gate.io spot public REST: currency pairs, order book, trades, ticker, server time (reference 4)."""

from __future__ import annotations

import logging
import time

from app.config import ExchangeConfig
from app.domain.models import BookTicker, OrderBook, SymbolInfo, Trade
from app.domain.symbol import Symbol
from app.errors import UnknownSymbolError, ValidationError
from app.exchanges.gateio import constants as c
from app.exchanges.gateio.rest import make_gateio_transport
from app.exchanges.gateio.spot import schemas
from app.exchanges.gateio.spot.schemas import native_symbol
from app.transport.clock import ServerClock
from app.transport.rate_limit import PUBLIC, RateLimiter
from app.transport.rest import RestTransport
from app.transport.session import HttpSessionManager


class GateioPublicSpotRest:
    """Market data over REST; no credentials needed. Symbols are :class:`Symbol` (native ``BASE_QUOTE``)."""

    def __init__(
        self,
        config: ExchangeConfig,
        sessions: HttpSessionManager,
        logger: logging.Logger | None = None,
        *,
        clock: ServerClock | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        self.config = config
        self.logger = logger or logging.getLogger("app.exchanges.gateio.spot.rest_public")
        self.transport: RestTransport = make_gateio_transport(
            config, sessions, signer=None, clock=clock, rate_limiter=rate_limiter, logger=self.logger
        )

    async def get_exchange_info(self) -> dict[Symbol, SymbolInfo]:
        """All spot pairs' trading rules (``GET /spot/currency_pairs``)."""
        response = await self.transport.request("GET", c.SPOT_CURRENCY_PAIRS, bucket=PUBLIC)
        infos = (pair.to_domain() for pair in schemas.currency_pairs_decoder.decode(response.body))
        return {info.symbol: info for info in infos}

    async def get_orderbook(self, symbol: Symbol, limit: int = 100) -> OrderBook:
        """A snapshot with ``sequence`` = Gate's book id (``with_id=true``), the WS ``U``/``u`` sequence."""
        if not 1 <= limit <= 1000:
            raise ValidationError(f"order book limit must be 1..1000, got {limit}")
        params = [("currency_pair", native_symbol(symbol)), ("limit", str(limit)), ("with_id", "true")]
        response = await self.transport.request("GET", c.SPOT_ORDER_BOOK, params=params, bucket=PUBLIC)
        return schemas.order_book_decoder.decode(response.body).to_domain(symbol)

    async def get_trades(self, symbol: Symbol, limit: int = 100) -> list[Trade]:
        """Most recent public trades, newest first (``GET /spot/trades``)."""
        if not 1 <= limit <= 1000:
            raise ValidationError(f"trades limit must be 1..1000, got {limit}")
        params = [("currency_pair", native_symbol(symbol)), ("limit", str(limit))]
        response = await self.transport.request("GET", c.SPOT_TRADES, params=params, bucket=PUBLIC)
        return [trade.to_domain() for trade in schemas.public_trades_decoder.decode(response.body)]

    async def get_ticker(self, symbol: Symbol) -> BookTicker:
        """Best bid/ask from ``GET /spot/tickers?currency_pair=`` (stamped with the local receive time)."""
        params = [("currency_pair", native_symbol(symbol))]
        response = await self.transport.request("GET", c.SPOT_TICKERS, params=params, bucket=PUBLIC)
        tickers = schemas.tickers_decoder.decode(response.body)
        if not tickers:
            raise UnknownSymbolError(f"{symbol} has no ticker on gateio")
        return tickers[0].to_domain(self.transport.clock.now_ms())

    async def get_server_time(self) -> int:
        """Server time in ms (``GET /spot/time``)."""
        response = await self.transport.request("GET", c.SPOT_TIME, bucket=PUBLIC)
        return schemas.server_time_decoder.decode(response.body).server_time

    async def measure_server_time(self) -> tuple[int, float, float]:
        """``(server_ms, sent_monotonic, received_monotonic)`` for :meth:`ServerClock.update_from_server`."""
        sent = time.monotonic()
        server_ms = await self.get_server_time()
        return server_ms, sent, time.monotonic()

    async def close(self) -> None:
        await self.transport.close()

    def __repr__(self) -> str:
        return f"GateioPublicSpotRest({self.config.rest_url})"
