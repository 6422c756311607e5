"""GateioRequestSigner: headers per reference 3, clock-corrected Timestamp, secrets never shown."""

from __future__ import annotations

from pydantic import SecretStr

from app.config import ExchangeCredentials, RateLimitConfig
from app.exchanges.gateio.auth import sign_rest, sign_ws
from app.exchanges.gateio.rate_limit_headers import GateioRateLimitHeaders
from app.exchanges.gateio.signer import GateioRequestSigner
from app.transport.clock import ServerClock
from app.transport.rate_limit import RateLimiter

CREDS = ExchangeCredentials(api_key=SecretStr("key"), api_secret=SecretStr("secret"))


def test_signer_produces_the_official_vector_with_a_fixed_clock() -> None:
    clock = ServerClock(wall=lambda: 1541993715.9)
    headers = GateioRequestSigner(CREDS)(
        "GET", "/api/v4/futures/orders", "contract=BTC_USD&status=finished&limit=50", b"", clock
    )
    assert headers["KEY"] == "key"
    assert headers["Timestamp"] == "1541993715"
    assert headers["SIGN"].startswith("55f84ea195d6fe57ce62464daaa7c3c0")


def test_signer_applies_the_server_offset() -> None:
    clock = ServerClock(wall=lambda: 1_700_000_000.0, monotonic=lambda: 10.0)
    clock.update_from_server(1_700_000_100_000, 10.0, 10.0)  # server 100 s ahead
    headers = GateioRequestSigner(CREDS)("POST", "/api/v4/spot/orders", "", b"{}", clock)
    assert headers["Timestamp"] == "1700000100"
    assert headers["SIGN"] == sign_rest("secret", "POST", "/api/v4/spot/orders", "", b"{}", "1700000100")


def test_ws_auth_block_and_repr_hide_the_secret() -> None:
    signer = GateioRequestSigner(CREDS)
    auth = signer.ws_auth("spot.orders", "subscribe", 1611541000)
    assert auth.method == "api_key" and auth.KEY == "key"
    assert sign_ws("secret", "spot.orders", "subscribe", 1611541000) == auth.SIGN
    assert "secret" not in repr(signer) and "key" not in repr(auth).replace("WsAuth", "")


def test_rate_limit_header_hook_pauses_when_nothing_remains() -> None:
    limiter = RateLimiter.from_config(RateLimitConfig())
    hook = GateioRateLimitHeaders(limiter, wall=lambda: 1000.0)
    hook({"X-Gate-RateLimit-Requests-Remain": "5", "X-Gate-RateLimit-Limit": "200"})
    assert (hook.last_remaining, hook.last_limit) == (5, 200)
    assert limiter.blocked_for_s == 0
    hook({"X-Gate-RateLimit-Requests-Remain": "0", "X-Gate-RateLimit-Reset-Timestamp": "1002"})
    assert 1.5 < limiter.blocked_for_s <= 2.0
    assert limiter.rate_limited == 0  # a header pause is not a 429
