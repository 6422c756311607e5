"""MEXC user data stream against the simulator: listenKey lifecycle (keep-alive, expiry, renewal), pushes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import pytest

from app.config import ExchangeConfig
from app.domain.enums import OrderStatus, OrderType, Side, TimeInForce
from app.domain.handlers import create_private_handlers, create_public_handlers
from app.domain.models import Balance, Execution, Order
from app.errors import CredentialsRequiredError, HandlerTypeError
from app.exchanges.mexc.spot.rest_private import MexcPrivateSpotRest
from app.exchanges.mexc.spot.ws_private import MexcPrivateSpotWebsocket
from app.simulator.mexc.venue import MexcSpotVenue
from app.transport.session import HttpSessionManager
from tests.mexc.conftest import BTC
from tests.waiting import eventually


class Account:
    def __init__(self) -> None:
        self.orders: list[Order] = []
        self.fills: list[Execution] = []
        self.balances: list[Balance] = []

    def handlers(self) -> Any:
        return create_private_handlers(self.orders.append, self.balances.append, self.fills.append)


@pytest.fixture
async def stream(
    venue_config: ExchangeConfig, sessions: HttpSessionManager, private_rest: MexcPrivateSpotRest
) -> AsyncIterator[tuple[MexcPrivateSpotWebsocket, Account]]:
    account = Account()
    ws = MexcPrivateSpotWebsocket(
        venue_config, sessions, account.handlers(), rest=private_rest, listen_key_keepalive_s=0.2
    )
    yield ws, account
    await ws.close()


async def _subscribe_all(ws: MexcPrivateSpotWebsocket) -> None:
    await ws.start()
    await ws.subscribe_orders()
    await ws.subscribe_executions()
    await ws.subscribe_balances()


async def _taker_buy(rest: MexcPrivateSpotRest, client_id: str) -> Order:
    return await rest.create_order(BTC, Side.BUY, Decimal("0.002"), None, OrderType.MARKET, TimeInForce.IOC, client_id)


async def test_orders_fills_and_balances_are_pushed(
    stream: tuple[MexcPrivateSpotWebsocket, Account], private_rest: MexcPrivateSpotRest, venue: MexcSpotVenue
) -> None:
    ws, account = stream
    await _subscribe_all(ws)
    assert ws.listen_key.key in venue.listen_keys
    placed = await _taker_buy(private_rest, "push-1")
    await eventually(
        lambda: any(o.status is OrderStatus.FILLED for o in account.orders) and account.fills and account.balances,
        3.0,
        "order, fill and balance pushes",
    )
    final = [o for o in account.orders if o.order_id == placed.order_id][-1]
    assert final.client_order_id == "push-1" and final.filled_quantity == Decimal("0.002") and final.symbol == BTC
    assert {f.order_id for f in account.fills} == {placed.order_id} and not account.fills[0].is_maker
    assert account.balances[-1].asset in {"BTC", "USDT"}
    usdt = [b for b in account.balances if b.asset == "USDT"][-1]
    assert usdt.free == venue.balance("USDT").free


async def test_listen_key_is_kept_alive_and_deleted_on_close(
    stream: tuple[MexcPrivateSpotWebsocket, Account], venue: MexcSpotVenue
) -> None:
    ws, _ = stream
    await _subscribe_all(ws)
    key = ws.listen_key.key
    assert key is not None
    first_expiry = venue.listen_keys[key].expires_at
    await eventually(lambda: ws.listen_key.keepalives >= 2, 3.0, "two keep-alive PUTs")
    assert venue.listen_keys[key].expires_at > first_expiry
    await ws.close()
    assert key not in venue.listen_keys


async def test_expired_listen_key_is_recreated_and_the_stream_resumes(
    stream: tuple[MexcPrivateSpotWebsocket, Account], private_rest: MexcPrivateSpotRest, venue: MexcSpotVenue
) -> None:
    ws, account = stream
    reconnects: list[int] = []
    ws.add_reconnect_listener(lambda: reconnects.append(1))
    await _subscribe_all(ws)
    old = ws.listen_key.key
    assert venue.faults.expire_listen_key(old) == 1  # the venue drops the key and its connection
    await eventually(lambda: ws.listen_key.renewals >= 1 and ws.connected and reconnects, 5.0, "a new key in use")
    assert ws.listen_key.key != old and ws.listen_key.key in venue.listen_keys
    await _taker_buy(private_rest, "after-renewal")
    await eventually(
        lambda: any(o.client_order_id == "after-renewal" for o in account.orders), 3.0, "pushes on the new key"
    )


async def test_invalid_key_at_connect_is_reported_and_renewed(
    stream: tuple[MexcPrivateSpotWebsocket, Account], venue: MexcSpotVenue
) -> None:
    ws, _ = stream
    await _subscribe_all(ws)
    venue.listen_keys.clear()  # gone without the venue closing anything: the next connect is refused
    await venue.faults.drop_ws_connections()
    await eventually(lambda: ws.listen_key.renewals >= 1, 5.0, "renewal after 'Invalid listen key'")
    await eventually(lambda: ws.connected and ws.listen_key.key in venue.listen_keys, 5.0, "reconnected")


async def test_failed_keep_alive_creates_a_new_key(
    stream: tuple[MexcPrivateSpotWebsocket, Account], venue: MexcSpotVenue
) -> None:
    ws, _ = stream
    await _subscribe_all(ws)
    old = ws.listen_key.key
    del venue.listen_keys[old]  # PUT now fails with 730002
    await eventually(lambda: ws.listen_key.renewals >= 1 and ws.listen_key.key != old, 3.0, "a new key")
    await eventually(lambda: ws.connected, 3.0, "reconnected with the new key")


async def test_private_channels_need_a_listen_key_connection_and_handlers_are_checked(
    venue_config: ExchangeConfig, sessions: HttpSessionManager
) -> None:
    with pytest.raises(HandlerTypeError):
        MexcPrivateSpotWebsocket(venue_config, sessions, create_public_handlers())  # type: ignore[arg-type]
    with pytest.raises(CredentialsRequiredError):
        MexcPrivateSpotWebsocket(venue_config.public_view(), sessions, create_private_handlers())
