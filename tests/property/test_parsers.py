"""Venue parsers against generated payloads (hypothesis): what decodes is exact, what does not is a typed
decode error, and an error answer of any shape maps to an :class:`~app.errors.ExchangeAPIError`.

Payload shapes follow the samples in the schemas' docstrings, e.g. Gate ``spot.order_book_update``::

    {"t":1606294781123,"s":"BTC_USDT","U":48776301,"u":48776306,"b":[["19137.74","0.0001"]],"a":[]}
"""

from __future__ import annotations

from decimal import Decimal

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.symbol import Symbol
from app.errors import ExchangeAPIError, RateLimitError
from app.exchanges.gateio.errors import map_gateio_error
from app.exchanges.gateio.spot import schemas as gate
from app.exchanges.mexc.errors import map_mexc_error
from app.exchanges.mexc.proto import mexc_push_pb2 as pb
from app.exchanges.mexc.spot import push

FAST = settings(max_examples=300, deadline=None)
decimals = st.decimals(min_value=Decimal("0.00000001"), max_value=Decimal(10**9), places=8)
levels = st.lists(st.tuples(decimals, st.one_of(st.just(Decimal(0)), decimals)), max_size=20)
ids = st.integers(0, 2**62)


@FAST
@given(ids, ids, levels, levels, st.integers(0, 2**50))
def test_gate_book_update_decodes_exactly(first: int, last: int, bids: list, asks: list, ts: int) -> None:  # type: ignore[type-arg]
    payload = {
        "t": ts,
        "e": "depthUpdate",
        "s": "BTC_USDT",
        "U": first,
        "u": last,
        "b": [[format(p, "f"), format(q, "f")] for p, q in bids],
        "a": [[format(p, "f"), format(q, "f")] for p, q in asks],
    }
    diff = gate.ws_order_book_update_decoder.decode(msgspec.json.encode(payload)).to_domain()
    assert (diff.first_update_id, diff.last_update_id, diff.timestamp_ms) == (first, last, ts)
    assert [tuple(level) for level in diff.bids] == bids and [tuple(level) for level in diff.asks] == asks
    assert diff.symbol == Symbol("BTC", "USDT")


@FAST
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_gate_book_update_garbage_is_a_decode_error(data: bytes) -> None:
    try:
        update = gate.ws_order_book_update_decoder.decode(data)
    except msgspec.MsgspecError:  # DecodeError and ValidationError: the socket drops and the book resyncs
        return
    assert isinstance(update, gate.WsOrderBookUpdate)


@FAST
@given(ids, ids, levels, levels)
def test_mexc_depth_push_roundtrips(first: int, last: int, bids: list, asks: list) -> None:  # type: ignore[type-arg]
    message = pb.PushDataV3ApiWrapper(channel="spot@public.aggre.depth.v3.api.pb@100ms@BTCUSDT", symbol="BTCUSDT")
    body = message.publicAggreDepths
    for side, rows in ((body.bids, bids), (body.asks, asks)):
        for price, quantity in rows:
            item = side.add()
            item.price, item.quantity = format(price, "f"), format(quantity, "f")
    body.fromVersion, body.toVersion = str(first), str(last)
    parsed = pb.PushDataV3ApiWrapper()
    parsed.ParseFromString(message.SerializeToString())
    diff = push.aggre_depth(parsed, Symbol("BTC", "USDT"))
    assert (diff.first_update_id, diff.last_update_id) == (first, last)
    assert list(diff.bids) == bids and list(diff.asks) == asks


@FAST
@given(ids, ids, levels)
def test_a_truncated_mexc_depth_push_never_parses_as_a_shorter_valid_diff(first: int, last: int, bids: list) -> None:  # type: ignore[type-arg]
    message = pb.PushDataV3ApiWrapper(channel="c", symbol="BTCUSDT")
    body = message.publicAggreDepths
    for price, quantity in bids:
        item = body.bids.add()
        item.price, item.quantity = format(price, "f"), format(quantity, "f")
    body.fromVersion, body.toVersion = str(first), str(last)
    data = message.SerializeToString()
    truncated = data[: len(data) // 2]
    parsed = pb.PushDataV3ApiWrapper()
    try:
        parsed.ParseFromString(truncated)
        diff = push.aggre_depth(parsed, Symbol("BTC", "USDT"))
    except Exception:
        return
    # a cut on a field boundary may parse: then it must not pass for the complete diff
    assert (diff.first_update_id, diff.last_update_id, list(diff.bids)) != (first, last, bids) or truncated == data


status_codes = st.integers(100, 599)
bodies = st.one_of(
    st.binary(max_size=120),
    st.builds(
        lambda label, message: msgspec.json.encode({"label": label, "message": message}),
        st.one_of(st.none(), st.text(max_size=20), st.sampled_from(["TOO_MANY_REQUESTS", "REQUEST_EXPIRED"])),
        st.one_of(st.none(), st.text(max_size=20), st.integers()),
    ),
    st.builds(
        lambda code, msg: msgspec.json.encode({"code": code, "msg": msg}),
        st.one_of(st.none(), st.integers(-(2**40), 2**40), st.text(max_size=8)),
        st.one_of(st.none(), st.text(max_size=20)),
    ),
)
headers = st.dictionaries(
    st.sampled_from(["Retry-After", "X-Gate-RateLimit-Reset-Timestamp", "Other"]), st.text(max_size=12)
)


@FAST
@given(status_codes, bodies, headers)
def test_error_answers_of_any_shape_map_to_a_typed_error(status: int, body: bytes, hdrs: dict[str, str]) -> None:
    for mapper in (map_gateio_error, map_mexc_error):
        error = mapper(status, body, hdrs)
        assert isinstance(error, ExchangeAPIError) and error.status == status
        if status == 429:
            assert isinstance(error, RateLimitError)
            assert error.retry_after is None or error.retry_after >= 0
