"""The futures transports and public composite against the simulator over loopback, the simulator's position
math, the spot-futures basis, and the container wiring of the venue."""

from __future__ import annotations

import asyncio
import itertools
from decimal import Decimal

import aiohttp
import pytest

from app.config import AppSettings, ExchangeConfig
from app.domain.enums import ExchangeEnum, OrderType, PositionMode, Side, TimeInForce
from app.domain.handlers import create_private_handlers, create_public_handlers
from app.domain.models import OrderBookDiff, Position, PriceLevel
from app.domain.symbol import Symbol
from app.errors import AuthenticationError, ExchangeAPIError, InvalidOrderError, OrderNotFoundError
from app.exchanges.gateio.futures.composite_public import GateioFuturesCompositePublicExchange
from app.exchanges.gateio.futures.rest_private import GateioPrivateFuturesRest
from app.exchanges.gateio.futures.rest_public import GateioPublicFuturesRest
from app.exchanges.gateio.futures.ws_private import GateioPrivateFuturesWebsocket
from app.exchanges.gateio.futures.ws_public import GateioPublicFuturesWebsocket
from app.simulator import ExchangeSimulator
from app.simulator.gateio_futures.accounts import SimPosition, apply_fill
from app.simulator.gateio_futures.venue import GateioFuturesVenue
from app.transport.session import HttpSessionManager
from containers import factory
from tests.waiting import eventually

BTC = Symbol("BTC", "USDT")
D = Decimal


def test_apply_fill_open_add_reduce_flip() -> None:
    position = SimPosition("u", "BTC_USDT", "single")
    assert apply_fill(position, 100, D(100), D("0.0001")) == (0, D(0))
    assert apply_fill(position, 300, D(200), D("0.0001")) == (0, D(0))
    assert position.size == 400 and position.entry_price == D(175)
    closed, pnl = apply_fill(position, -100, D(195), D("0.0001"))
    assert (closed, pnl, position.entry_price) == (100, D("0.2"), D(175))
    closed, pnl = apply_fill(position, -500, D(150), D("0.0001"))  # closes 300, flips to -200 at 150
    assert (closed, pnl, position.size, position.entry_price) == (300, D("-0.75"), -200, D(150))


async def test_public_rest_reads_contracts_book_trades_ticker_funding(
    public_rest: GateioPublicFuturesRest, venue: GateioFuturesVenue
) -> None:
    contracts = await public_rest.get_contracts()
    assert contracts[BTC].contract_size == D("0.0001") and contracts[BTC].leverage_max == 125
    venue.market.pause()
    book = await public_rest.get_orderbook(BTC, limit=5)
    engine = venue.engines["BTC_USDT"]
    assert book.sequence == engine.sequence
    assert [(lvl.price, lvl.quantity) for lvl in book.bids] == [(p, s * D("0.0001")) for p, s in engine.bids.depth(5)]
    funding = await public_rest.get_funding_rate(BTC)
    assert funding.rate == venue.funding_rate("BTC_USDT") and funding.interval_s == 28800
    ticker = await public_rest.get_ticker(BTC)
    assert ticker.bid_price == engine.bids.best() and ticker.ask_price == engine.asks.best()
    assert abs(await public_rest.get_server_time() - venue.clock.now_ms()) < 5000
    venue.apply_funding("BTC_USDT")
    assert (await public_rest.get_funding_rate_history(BTC))[0][1] == venue.funding_history["BTC_USDT"][0][1]


async def test_private_rest_orders_leverage_mode_and_errors(
    private_rest: GateioPrivateFuturesRest, venue: GateioFuturesVenue
) -> None:
    bid = venue.engines["BTC_USDT"].bids.best()
    assert bid is not None
    price = (bid * D("0.9")).quantize(D("0.1"))
    order = await private_rest.create_order(
        BTC, Side.BUY, D("0.001"), price, OrderType.LIMIT, TimeInForce.GTC, "t-rest1"
    )
    assert order.is_open and order.quantity == D("0.001") and venue.orders[order.order_id].quantity == 10
    assert (await private_rest.get_order(BTC, "t-rest1")).order_id == order.order_id
    assert [o.order_id for o in await private_rest.get_open_orders(BTC)] == [order.order_id]
    with pytest.raises(InvalidOrderError) as pending:
        await private_rest.set_position_mode(PositionMode.DUAL)
    assert pending.value.code == "ORDER_PENDING"
    cancelled = await private_rest.cancel_all_orders(BTC)
    assert [o.order_id for o in cancelled] == [order.order_id]
    with pytest.raises(OrderNotFoundError):
        await private_rest.get_order(BTC, "t-neverplaced")
    (position,) = await private_rest.set_leverage(BTC, 3)  # POST with query params, empty body, signed
    assert position.leverage == 3
    with pytest.raises(InvalidOrderError) as deviated:
        far = (price / 3).quantize(D("0.1"))
        await private_rest.create_order(BTC, Side.BUY, D("0.001"), far, OrderType.LIMIT, TimeInForce.GTC, "t-x1")
    assert deviated.value.code == "PRICE_TOO_DEVIATED" and deviated.value.exchange == "gateio_futures"


async def test_size_decimal_header_sends_sizes_as_strings(venue_config: ExchangeConfig) -> None:
    url = f"{venue_config.rest_url}/futures/usdt/order_book?contract=BTC_USDT&limit=1"
    async with (
        aiohttp.ClientSession() as session,
        session.get(url) as plain,
        session.get(url, headers={"X-Gate-Size-Decimal": "1"}) as decimal,
    ):
        assert isinstance((await plain.json())["bids"][0]["s"], int)
        assert isinstance((await decimal.json())["bids"][0]["s"], str)


async def test_public_ws_diffs_are_continuous_in_base_units(
    venue_config: ExchangeConfig, sessions: HttpSessionManager
) -> None:
    diffs: list[OrderBookDiff] = []
    ws = GateioPublicFuturesWebsocket(venue_config.public_view(), sessions, create_public_handlers(diffs.append))
    await ws.start()
    try:
        await ws.subscribe_orderbook([BTC])
        await eventually(lambda: len(diffs) >= 5, what="five diffs")
    finally:
        await ws.close()
    assert all(b.first_update_id == a.last_update_id + 1 for a, b in itertools.pairwise(diffs))
    assert all(q % D("0.0001") == 0 for diff in diffs for _, q in (*diff.bids, *diff.asks))


async def test_private_ws_payload_starts_with_the_uid_read_from_the_account(
    venue_config: ExchangeConfig, sessions: HttpSessionManager, venue: GateioFuturesVenue
) -> None:
    no_uid = venue_config.model_copy(update={"credentials": venue_config.credentials.model_copy(update={"uid": None})})
    positions: list[Position] = []
    ws = GateioPrivateFuturesWebsocket(no_uid, sessions, create_private_handlers(position_handler=positions.append))
    rest = GateioPrivateFuturesRest(venue_config, sessions)
    await ws.start()
    try:
        await ws.subscribe_positions([BTC])
        assert ws.client.subscriptions["futures.positions"] == [(venue.user.uid, "BTC_USDT")]
        await rest.create_order(BTC, Side.SELL, D("0.001"), None, OrderType.MARKET, TimeInForce.IOC, "t-ws1")
        await eventually(lambda: any(p.contracts == -10 for p in positions), what="position on the stream")
        with pytest.raises(ExchangeAPIError) as wrong:
            await ws.client.subscribe("futures.orders", [("99", "!all")])
        assert wrong.value.code == 2
    finally:
        await ws.close()
        await rest.close()


async def test_private_ws_with_a_bad_key_fails_authentication(
    venue_config: ExchangeConfig, sessions: HttpSessionManager
) -> None:
    bad = ExchangeConfig.model_validate(
        {**venue_config.model_dump(exclude={"credentials"}), "api_key": "nope", "api_secret": "x", "uid": "1"}
    )
    ws = GateioPrivateFuturesWebsocket(bad, sessions, create_private_handlers(order_handler=print))
    await ws.start()
    try:
        with pytest.raises(AuthenticationError):
            await ws.subscribe_orders(None)
    finally:
        await ws.close()


async def test_public_composite_books_resync_after_a_gap_and_expose_contracts(
    public: GateioFuturesCompositePublicExchange, venue: GateioFuturesVenue
) -> None:
    await public.initialize(["BTC/USDT", "ETH_USDT"])
    assert await public.wait_ready(5.0)
    assert public.contract_info("BTC/USDT").contract_size == D("0.0001")
    assert (await public.get_funding_rate("ETH/USDT")).symbol == Symbol("ETH", "USDT")
    sync = public.book_synchronizer("BTC/USDT")
    synced_at = sync.book.sequence
    await eventually(lambda: sync.book.sequence > synced_at, what="a live diff after the snapshot")
    venue.faults.gap_order_book_updates(1, "BTC_USDT")
    await eventually(lambda: sync.gaps >= 1, what="gap seen")
    assert await public.wait_ready(5.0)
    venue.market.pause()
    target = venue.engines["BTC_USDT"].sequence
    await eventually(lambda: public.get_orderbook("BTC/USDT").sequence == target, what="caught up")
    book = public.get_orderbook("BTC/USDT", 5)
    assert book.is_valid and [(lvl.price, lvl.quantity) for lvl in book.asks] == [
        (p, s * D("0.0001")) for p, s in venue.engines["BTC_USDT"].asks.depth(5)
    ]
    # the book keeps the stream's levels in contracts and shows base units: every level, both sides
    assert sync.book.quantity_scale == D("0.0001")
    full = public.get_orderbook("BTC/USDT")
    engine = venue.engines["BTC_USDT"]
    assert [(lvl.price, lvl.quantity) for lvl in full.bids] == [
        (p, s * D("0.0001")) for p, s in engine.bids.depth(len(full.bids))
    ]
    assert [(lvl.price, lvl.quantity) for lvl in full.asks] == [
        (p, s * D("0.0001")) for p, s in engine.asks.depth(len(full.asks))
    ]
    assert all(type(level) is PriceLevel for level in (*full.bids, *full.asks))


async def test_futures_follow_spot_with_a_basis() -> None:
    async with ExchangeSimulator(venues=("gateio", "gateio_futures"), tick_interval_s=0.02) as sim:
        spreads = []
        for _ in range(20):
            await asyncio.sleep(0.03)
            spot, futures = sim.gateio.market.mid["BTC_USDT"], sim.gateio_futures.market.mid["BTC_USDT"]
            spreads.append((futures - spot) / spot * 10_000)
        assert all(abs(bps) < 40 for bps in spreads), spreads  # they move together...
        assert len({round(bps, 2) for bps in spreads}) > 1  # ...but not in lockstep


async def test_container_builds_the_futures_pair(venue_sim: ExchangeSimulator) -> None:
    config = venue_sim.exchange_config(ExchangeEnum.GATEIO_FUTURES)
    factory.set_container(None)
    factory.use_settings(AppSettings(env="testing", exchanges={ExchangeEnum.GATEIO_FUTURES: config}))
    try:
        assert ExchangeEnum.GATEIO_FUTURES in factory.get_supported_exchanges()
        public, private = factory.create_exchange_pair(ExchangeEnum.GATEIO_FUTURES, config)
        assert type(public).__name__ == "GateioFuturesCompositePublicExchange"
        assert type(private).__name__ == "GateioFuturesCompositePrivateExchange"
        await public.initialize(["BTC/USDT"])
        assert await public.wait_ready(5.0)
        await private.initialize(["BTC/USDT"])
        assert (await private.get_balances())["USDT"].free > 0
    finally:
        await factory.close_all_exchanges()
        factory.set_container(None)
