"""The host app: a container per test, providers overridden, handlers injected, unwired in teardown."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from decimal import Decimal
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from dependency_injector import providers

from app.composite.interfaces import CompositePublicExchange
from app.config import AppSettings
from app.domain.enums import ExchangeEnum
from app.domain.models import BookTicker, OrderBook, SymbolInfo, Trade
from app.domain.symbol import Symbol, SymbolLike
from app.host.accounts import AccountsView
from app.host.container import HostContainer
from app.host.server import create_app
from app.monitor.monitor import ArbitrageMonitor, MonitorConfig
from app.simulator import ExchangeSimulator
from tests.monitor.books import BTC, book, spot_info


class FixedBooks(CompositePublicExchange):
    """A public composite serving one hand-made book (what the overridden monitor reads)."""

    def __init__(self, exchange: ExchangeEnum, snapshot: OrderBook, info: SymbolInfo) -> None:
        self.exchange = exchange
        self._book, self._info = snapshot, info

    async def initialize(self, symbols: Sequence[SymbolLike]) -> None:
        return None

    @property
    def symbol_info(self) -> dict[Symbol, SymbolInfo]:
        return {BTC: self._info}

    def resolve(self, symbol: SymbolLike) -> Symbol:
        return BTC

    def get_orderbook(self, symbol: SymbolLike, depth: int | None = None) -> OrderBook:
        return self._book

    async def get_trades(self, symbol: SymbolLike, limit: int = 100) -> list[Trade]:
        return []

    def get_book_ticker(self, symbol: SymbolLike) -> BookTicker | None:
        return None

    def subscribe_orderbook(self, callback: Callable[[OrderBook], Any]) -> None: ...
    def subscribe_trades(self, callback: Callable[[Trade], Any]) -> None: ...
    def subscribe_book_ticker(self, callback: Callable[[BookTicker], Any]) -> None: ...

    async def close(self) -> None:
        return None


@pytest.fixture
async def container() -> AsyncIterator[HostContainer]:
    built = HostContainer()
    yield built
    built.unwire()
    built.reset_override()


async def _client(container: HostContainer) -> TestClient[Any, Any]:
    client: TestClient[Any, Any] = TestClient(TestServer(create_app(container)))
    await client.start_server()
    return client


async def test_spreads_endpoint_serves_the_overridden_monitor(container: HostContainer) -> None:
    cheap = FixedBooks(ExchangeEnum.GATEIO, book(ExchangeEnum.GATEIO, [("64990", "1")], [("65000", "1")]), spot_info())
    dear = FixedBooks(
        ExchangeEnum.MEXC,
        book(ExchangeEnum.MEXC, [("65400", "1")], [("65410", "1")]),
        spot_info(ExchangeEnum.MEXC, taker="0.0005"),
    )
    config = MonitorConfig(("BTC/USDT",), threshold_bps=Decimal(5), size_quote=Decimal(100))
    monitor = ArbitrageMonitor({"gateio": cheap, "mexc": dear}, config)
    container.monitor.override(providers.Object(monitor))
    container.accounts.override(providers.Object(AccountsView({})))
    client = await _client(container)
    try:
        spreads = await (await client.get("/spreads")).json()
        books = await (await client.get("/books")).json()
        opportunities = await (await client.get("/opportunities")).json()
        balances = await (await client.get("/balances")).json()
    finally:
        await client.close()
    by_direction = {(s["buy_venue"], s["sell_venue"]): s for s in spreads["spreads"]}
    best = by_direction[("gateio", "mexc")]
    assert best["quantity"] == "0.001533" and best["buy_price"] == "65000" and best["sell_price"] == "65400"
    assert Decimal(best["net_bps"]) > 30 and best["status"] == "ok"  # 61.5 bps gross - 25 bps of fees
    assert Decimal(by_direction[("mexc", "gateio")]["net_bps"]) < 0
    assert {(b["venue"], b["bid"], b["ask"], b["valid"]) for b in books["books"]} == {
        ("gateio", "64990", "65000", True),
        ("mexc", "65400", "65410", True),
    }
    assert opportunities["seen"] == 1 and opportunities["recent"][0]["buy_venue"] == "gateio"
    assert balances == {"balances": {}}


async def test_live_endpoints_against_the_simulator(container: HostContainer, simulator: ExchangeSimulator) -> None:
    settings = AppSettings(
        env="testing",
        exchanges={ExchangeEnum.GATEIO: simulator.exchange_config(ExchangeEnum.GATEIO)},
        monitor={"symbols": ["BTC/USDT"], "venues": ["gateio"]},
    )
    container.core.settings.override(providers.Object(settings))
    client = await _client(container)
    try:
        for _ in range(500):
            books = (await (await client.get("/books")).json())["books"]
            if books and all(b["valid"] for b in books):
                break
            await asyncio.sleep(0.02)
        balances = (await (await client.get("/balances")).json())["balances"]
    finally:
        await client.close()  # runs the app's clean-up: monitor, container resources, unwire
    assert books[0]["venue"] == "gateio" and books[0]["valid"] and Decimal(books[0]["bid"]) < Decimal(books[0]["ask"])
    assert Decimal(balances["gateio"]["USDT"]["free"]) == Decimal(1_000_000)
