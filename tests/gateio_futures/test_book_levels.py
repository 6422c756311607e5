"""Futures book levels: base units, built as the book's own ``PriceLevel`` (stored as is by the local book)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from app.domain import Symbol
from app.domain.models import PriceLevel
from app.exchanges.gateio.futures import schemas
from app.exchanges.gateio.ws_protocol import decode_envelope

FIXTURE = Path(__file__).parents[1] / "fixtures" / "gateio_futures" / "ws" / "order_book_update.json"
D = Decimal


def _update() -> schemas.WsFuturesOrderBookUpdate:
    return schemas.ws_order_book_update_decoder.decode(decode_envelope(FIXTURE.read_bytes()).result)


def test_levels_are_price_levels_in_base_units() -> None:
    diff = _update().to_domain(D("0.0001"))
    assert list(diff.bids) == [(D("54672.1"), D(0)), (D("54664.5"), D("5.8794"))]
    assert list(diff.asks) == [(D("54743.6"), D(0)), (D("54742"), D("0.0095"))]
    assert all(type(level) is PriceLevel for level in (*diff.bids, *diff.asks))
    assert diff.bids[1].quantity == D("5.8794") and diff.bids[1].price == D("54664.5")


def test_a_multiplier_of_one_and_a_resolved_symbol() -> None:
    symbol = Symbol("BTC", "USD")
    diff = _update().to_domain(D(1), symbol)
    assert diff.symbol is symbol
    assert [level.quantity for level in diff.bids] == [D(0), D(58794)]
    assert all(type(level) is PriceLevel for level in diff.bids)
