"""MEXC spot public REST: ping, time, exchangeInfo, depth, trades, tickers (reference section 3)."""

from __future__ import annotations

import logging
import time
from decimal import Decimal

from app.config import ExchangeConfig
from app.domain.models import BookTicker, OrderBook, SymbolInfo, Trade
from app.domain.symbol import Symbol
from app.errors import ValidationError
from app.exchanges.mexc import constants as c
from app.exchanges.mexc.rest import make_mexc_transport
from app.exchanges.mexc.spot import schemas
from app.exchanges.mexc.symbols import MexcSymbolTable
from app.transport.clock import ServerClock
from app.transport.rate_limit import PUBLIC, RateLimiter
from app.transport.rest import RestTransport
from app.transport.session import HttpSessionManager


class MexcPublicSpotRest:
    """Market data over REST; no credentials needed. Symbols are :class:`Symbol` (native ``BASEQUOTE``)."""

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
        self.logger = logger or logging.getLogger("app.exchanges.mexc.spot.rest_public")
        self.symbols = MexcSymbolTable()
        self.transport: RestTransport = make_mexc_transport(
            config, sessions, signer=None, clock=clock, rate_limiter=rate_limiter, logger=self.logger
        )

    async def ping(self) -> None:
        """``GET /api/v3/ping`` (answers ``{}``); raises on any failure."""
        await self.transport.request("GET", c.PING, bucket=PUBLIC)

    async def get_server_time(self) -> int:
        """Server time in ms (``GET /api/v3/time``)."""
        response = await self.transport.request("GET", c.TIME, bucket=PUBLIC)
        return schemas.server_time_decoder.decode(response.body).serverTime

    async def measure_server_time(self) -> tuple[int, float, float]:
        """``(server_ms, sent_monotonic, received_monotonic)`` for :meth:`ServerClock.update_from_server`."""
        sent = time.monotonic()
        server_ms = await self.get_server_time()
        return server_ms, sent, time.monotonic()

    async def get_exchange_info(self) -> dict[Symbol, SymbolInfo]:
        """Every symbol's rules (``GET /api/v3/exchangeInfo``): ``BTCUSDT`` <-> ``BTC/USDT`` from its
        ``baseAsset``/``quoteAsset``, status ``"1"``/``"2"``/``"3"`` (or the old ``"ENABLED"``), tick from
        ``quoteAssetPrecision``, lot from ``baseAssetPrecision``, minimums from ``baseSizePrecision`` and
        ``quoteAmountPrecision``."""
        response = await self.transport.request("GET", c.EXCHANGE_INFO, bucket=PUBLIC)
        infos = (item.to_domain() for item in schemas.exchange_info_decoder.decode(response.body).symbols)
        result = {info.symbol: info for info in infos}
        self.symbols.update(result)
        return result

    async def get_orderbook(self, symbol: Symbol, limit: int = 100) -> OrderBook:
        """A snapshot whose ``sequence`` is ``lastUpdateId``, the version the WS ``fromVersion``/``toVersion``
        continue from."""
        if not 1 <= limit <= c.DEPTH_LIMIT_MAX:
            raise ValidationError(f"depth limit must be 1..{c.DEPTH_LIMIT_MAX}, got {limit}")
        params = [("symbol", self.symbols.add(symbol)), ("limit", str(limit))]
        response = await self.transport.request("GET", c.DEPTH, params=params, bucket=PUBLIC)
        return schemas.depth_decoder.decode(response.body).to_domain(symbol, self.transport.clock.now_ms())

    async def get_trades(self, symbol: Symbol, limit: int = 100) -> list[Trade]:
        """Recent public trades (``GET /api/v3/trades``; ids are null on MEXC, a stable id is derived)."""
        if not 1 <= limit <= c.TRADES_LIMIT_MAX:
            raise ValidationError(f"trades limit must be 1..{c.TRADES_LIMIT_MAX}, got {limit}")
        params = [("symbol", self.symbols.add(symbol)), ("limit", str(limit))]
        response = await self.transport.request("GET", c.TRADES, params=params, bucket=PUBLIC)
        return [trade.to_domain(symbol) for trade in schemas.trades_decoder.decode(response.body)]

    async def get_ticker(self, symbol: Symbol) -> BookTicker:
        """Best bid/ask (``GET /api/v3/ticker/bookTicker?symbol=``), stamped with the local receive time."""
        params = [("symbol", self.symbols.add(symbol))]
        response = await self.transport.request("GET", c.TICKER_BOOK, params=params, bucket=PUBLIC)
        return schemas.book_ticker_decoder.decode(response.body).to_domain(symbol, self.transport.clock.now_ms())

    async def get_book_tickers(self) -> list[BookTicker]:
        """Best bid/ask of every symbol this client knows (``GET /api/v3/ticker/bookTicker``)."""
        response = await self.transport.request("GET", c.TICKER_BOOK, bucket=PUBLIC)
        now = self.transport.clock.now_ms()
        result = []
        for item in schemas.book_tickers_decoder.decode(response.body):
            symbol = self.symbols.get(item.symbol)
            if symbol is not None:
                result.append(item.to_domain(symbol, now))
        return result

    async def get_24hr_ticker(self, symbol: Symbol) -> schemas.Ticker24hr:
        """24 h statistics (``GET /api/v3/ticker/24hr?symbol=``; ``priceChangePercent`` is a fraction)."""
        params = [("symbol", self.symbols.add(symbol))]
        response = await self.transport.request("GET", c.TICKER_24HR, params=params, bucket=PUBLIC)
        return schemas.ticker_24hr_decoder.decode(response.body)

    async def get_price(self, symbol: Symbol) -> Decimal:
        """Last price (``GET /api/v3/ticker/price?symbol=``)."""
        params = [("symbol", self.symbols.add(symbol))]
        response = await self.transport.request("GET", c.TICKER_PRICE, params=params, bucket=PUBLIC)
        return schemas.ticker_price_decoder.decode(response.body).price

    async def close(self) -> None:
        await self.transport.close()

    def __repr__(self) -> str:
        return f"MexcPublicSpotRest({self.config.rest_url})"
