"""The MEXC depth hot path: the bounded price cache and the frame -> diff route through the client's handler."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.config import ExchangeConfig
from app.domain.enums import ExchangeEnum
from app.domain.handlers import create_public_handlers
from app.domain.models import OrderBookDiff, PriceLevel
from app.exchanges.mexc.proto import mexc_push_pb2 as pb
from app.exchanges.mexc.spot import push
from app.exchanges.mexc.spot.push import DecimalCache
from app.exchanges.mexc.spot.ws_public import MexcPublicSpotWebsocket
from app.transport.session import HttpSessionManager
from tests.mexc.conftest import BTC, fixture_bytes

CHANNEL = "spot@public.aggre.depth.v3.api.pb@100ms@BTCUSDT"
# decimal texts as a venue may write them, including forms whose exponent differs for one value
texts = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=8).map(lambda d: format(d, "f")),
    st.decimals(allow_nan=False, allow_infinity=False).map(str),
    st.sampled_from(["0", "0.0", "0.00000000", "1", "1.0", "1.00", "1E+2", "100", "-0", "117145.49"]),
)


def test_the_cache_gives_the_value_decimal_gives_and_keeps_it() -> None:
    cache = DecimalCache(limit=8)
    one, one_again = cache["1.0"], cache["1.0"]
    assert one is one_again and str(one) == "1.0"
    assert str(cache["1.00"]) == "1.00" and len(cache) == 2  # equal values, distinct texts: distinct entries


def test_the_cache_is_emptied_when_full_so_it_never_grows_past_its_limit() -> None:
    cache = DecimalCache(limit=4)
    for tick in range(100):
        assert cache[f"{tick}.5"] == Decimal(tick) + Decimal("0.5")
        assert len(cache) <= 4
    assert "99.5" in cache  # the latest text is kept: the cache refills with what is hot


def test_invalid_text_raises_as_decimal_does_and_is_not_stored() -> None:
    cache = DecimalCache()
    for text in ("", "abc", "1.2.3"):
        with pytest.raises(InvalidOperation):
            cache[text]
    assert len(cache) == 0


@settings(max_examples=400, deadline=None)
@given(st.lists(texts, min_size=1, max_size=30), st.integers(1, 8))
def test_the_cache_is_exact_for_any_text_and_any_bound(values: list[str], limit: int) -> None:
    cache = DecimalCache(limit=limit)
    for text in values:
        cached = cache[text]
        assert cached.as_tuple() == Decimal(text).as_tuple()  # same sign, digits and exponent
        assert len(cache) <= limit


def _depth_frame(bids: list[tuple[str, str]], asks: list[tuple[str, str]], first: int, last: int) -> bytes:
    message = pb.PushDataV3ApiWrapper(channel=CHANNEL, symbol="BTCUSDT", sendTime=1754741322152)
    body = message.publicAggreDepths
    for side, rows in ((body.bids, bids), (body.asks, asks)):
        for price, quantity in rows:
            side.add(price=price, quantity=quantity)
    body.fromVersion, body.toVersion = str(first), str(last)
    data: bytes = message.SerializeToString()
    return data


def _reference(data: bytes) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
    """The conversion with no cache: ``Decimal`` of every text read from upb."""
    body = pb.PushDataV3ApiWrapper.FromString(data).publicAggreDepths
    return (
        [(Decimal(i.price), Decimal(i.quantity)) for i in body.bids],
        [(Decimal(i.price), Decimal(i.quantity)) for i in body.asks],
    )


@pytest.fixture
def collected() -> tuple[MexcPublicSpotWebsocket, list[OrderBookDiff], HttpSessionManager]:
    config = ExchangeConfig(name=ExchangeEnum.MEXC, rest_url="http://127.0.0.1:9", ws_url="ws://127.0.0.1:9/ws")
    diffs: list[OrderBookDiff] = []
    sessions = HttpSessionManager()
    ws = MexcPublicSpotWebsocket(config, sessions, create_public_handlers(orderbook_diff_handler=diffs.append))
    ws.symbols.add(BTC)
    return ws, diffs, sessions


async def test_frames_through_the_client_give_exact_diffs_with_a_small_cache(
    collected: tuple[MexcPublicSpotWebsocket, list[OrderBookDiff], HttpSessionManager],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Prices repeat and change across far more frames than the cache holds: every diff is still exact,
    its levels are the book's :class:`PriceLevel`, and the cache never holds more than its limit."""
    ws, diffs, sessions = collected
    cache = DecimalCache(limit=16)
    monkeypatch.setattr(push, "PRICES", cache)
    on_message = ws.client._message_handler(None)  # type: ignore[arg-type]
    frames = [fixture_bytes("ws/aggre_depth.hex")]
    for index in range(400):
        bids = [(f"{65000 - (index * 7 + k) % 50}.{k}0", f"0.{index:04d}{k}") for k in range(index % 4)]
        asks = [(f"{65100 + (index * 3 + k) % 90}.1", "0" if k == 1 else f"{k + 1}.5") for k in range(index % 3)]
        frames.append(_depth_frame(bids, asks, index * 10 + 1, index * 10 + 9))
    for data in frames:
        on_message(data)
        assert len(cache) <= cache.limit
    assert len(diffs) == len(frames)
    for data, diff in zip(frames, diffs, strict=True):
        bids, asks = _reference(data)
        assert [tuple(level) for level in diff.bids] == bids and [tuple(level) for level in diff.asks] == asks
        assert [str(level.price) for level in diff.bids] == [str(price) for price, _ in bids]  # same exponent
        assert all(type(level) is PriceLevel for level in (*diff.bids, *diff.asks))
    last = diffs[-1]
    assert (last.first_update_id, last.last_update_id) == (3991, 3999) and last.timestamp_ms == 1754741322152
    assert diffs[0].last_update_id == 10589632359 and diffs[0].symbol == BTC
    await ws.close()
    await sessions.close()


async def test_a_push_without_the_symbol_field_is_routed_by_its_channel(
    collected: tuple[MexcPublicSpotWebsocket, list[OrderBookDiff], HttpSessionManager],
) -> None:
    ws, diffs, sessions = collected
    message = pb.PushDataV3ApiWrapper(channel=CHANNEL)
    message.publicAggreDepths.bids.add(price="10.5", quantity="2")
    message.publicAggreDepths.fromVersion, message.publicAggreDepths.toVersion = "4", "5"
    ws.client._message_handler(None)(message.SerializeToString())  # type: ignore[arg-type]
    assert [(d.symbol, d.last_update_id, list(d.bids)) for d in diffs] == [(BTC, 5, [(Decimal("10.5"), 2)])]
    assert ws.unknown_symbols == 0 and ws.client.unhandled == 0
    await ws.close()
    await sessions.close()
