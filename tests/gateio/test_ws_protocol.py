"""Gate WS envelope encoding: subscribe requests with auth, pings, request ids."""

from __future__ import annotations

import msgspec

from app.exchanges.gateio.auth import sign_ws
from app.exchanges.gateio.ws_protocol import WsAuth, encode_ping, encode_request, next_request_id


def test_subscribe_request_matches_the_documented_shape() -> None:
    auth = WsAuth(method="api_key", KEY="k", SIGN=sign_ws("secret", "spot.orders", "subscribe", 1611541000))
    text = encode_request(
        "spot.orders", "subscribe", ["BTC_USDT", "GT_USDT"], time_s=1611541000, request_id=123456789, auth=auth
    )
    assert text.startswith('{"time":1611541000,"id":123456789,"channel":"spot.orders","event":"subscribe"')
    decoded = msgspec.json.decode(text)
    assert decoded["payload"] == ["BTC_USDT", "GT_USDT"]
    assert decoded["auth"]["SIGN"].startswith("833a44bb4cd083e4")


def test_public_request_without_payload_or_auth() -> None:
    text = encode_request("spot.balances", "subscribe", None, time_s=1)
    assert msgspec.json.decode(text) == {"time": 1, "channel": "spot.balances", "event": "subscribe"}


def test_ping_and_ids() -> None:
    assert msgspec.json.decode(encode_ping("spot.ping", 1545404023)) == {"time": 1545404023, "channel": "spot.ping"}
    first, second = next_request_id(), next_request_id()
    assert second == first + 1 and 0 < first < 2**31
