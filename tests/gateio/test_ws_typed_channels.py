"""Typed channels of the Gate WS client: one-pass decoding of updates, the envelope way for everything else."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest

from app.config import ExchangeConfig
from app.domain.models import PriceLevel
from app.exchanges.gateio.spot.schemas import WsOrderBookUpdate, WsTrade
from app.exchanges.gateio.ws_client import GateioWebsocketClient
from app.transport.session import HttpSessionManager

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "gateio" / "ws"


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def client() -> GateioWebsocketClient:
    config = ExchangeConfig.model_validate(
        {"name": "gateio", "rest_url": "http://127.0.0.1:9/api/v4", "ws_url": "ws://127.0.0.1:9/ws/v4/"}
    )
    return GateioWebsocketClient(config, HttpSessionManager(), url=config.ws_url, name="t", ping_channel="spot.ping")


def test_an_update_reaches_its_typed_handler_decoded(client: GateioWebsocketClient) -> None:
    books: list[WsOrderBookUpdate] = []
    trades: list[WsTrade] = []
    client.register_typed_channel("spot.order_book_update", WsOrderBookUpdate, books.append)
    client.register_typed_channel("spot.trades", WsTrade, trades.append)
    client._on_message(load("order_book_update.json"))
    client._on_message(load("trades.json").decode())  # text frames too
    assert [book.U for book in books] == [48776301]
    assert books[0].b == [PriceLevel(Decimal("19137.74"), Decimal("0.0001")), (Decimal("19088.37"), Decimal(0))]
    assert type(books[0].b[0]) is PriceLevel
    assert [trade.id for trade in trades] == [309143071]


def test_key_order_does_not_matter(client: GateioWebsocketClient) -> None:
    books: list[WsOrderBookUpdate] = []
    client.register_typed_channel("spot.order_book_update", WsOrderBookUpdate, books.append)
    frame = msgspec.json.decode(load("order_book_update.json"))
    reordered = {"result": frame["result"], "event": "update", "channel": "spot.order_book_update", "time": 1}
    client._on_message(msgspec.json.encode(reordered))
    assert len(books) == 1 and books[0].u == 48776306


def test_acks_pongs_and_other_channels_take_the_envelope_way(client: GateioWebsocketClient) -> None:
    books: list[Any] = []
    raw: list[msgspec.Raw] = []
    client.register_typed_channel("spot.order_book_update", WsOrderBookUpdate, books.append)
    client.register_channel("spot.orders", raw.append)
    ack = msgspec.json.encode(
        {"time": 1, "id": 7, "channel": "spot.order_book_update", "event": "subscribe", "result": {"status": "success"}}
    )
    client._on_message(ack)
    client._on_message(load("pong.json"))
    client._on_message(load("subscribe_ack.json"))
    orders = {"time": 1, "channel": "spot.orders", "event": "update", "result": [{"id": "1"}]}
    client._on_message(msgspec.json.encode(orders))
    assert books == []
    assert [msgspec.json.decode(r) for r in raw] == [[{"id": "1"}]]


def test_a_malformed_update_still_raises_a_decode_error(client: GateioWebsocketClient) -> None:
    books: list[Any] = []
    client.register_typed_channel("spot.order_book_update", WsOrderBookUpdate, books.append)
    bad = {"time": 1, "channel": "spot.order_book_update", "event": "update", "result": {"t": 1, "s": "BTC_USDT"}}
    with pytest.raises(msgspec.ValidationError):  # the reader counts it as a decode error
        client._on_message(msgspec.json.encode(bad))
    with pytest.raises(msgspec.DecodeError):
        client._on_message(b"{not json")
    assert books == []


def test_a_handler_error_is_not_mistaken_for_a_decode_miss(client: GateioWebsocketClient) -> None:
    calls: list[int] = []

    def failing(update: WsOrderBookUpdate) -> None:
        calls.append(update.U)
        raise RuntimeError("handler bug")

    client.register_typed_channel("spot.order_book_update", WsOrderBookUpdate, failing)
    with pytest.raises(RuntimeError, match="handler bug"):
        client._on_message(load("order_book_update.json"))
    assert calls == [48776301]  # called once, not again through the envelope way
