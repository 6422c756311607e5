"""A book-diff batch never claims ids whose changes it does not carry, even when its only subscriber left and
another joined within one flush interval (the case a fast reconnect hits; found by the soak)."""

from __future__ import annotations

import json
from decimal import Decimal

from app.domain.enums import Side
from app.simulator import ExchangeSimulator


class FakeSession:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, text: str) -> None:
        self.sent.append(text)


async def test_a_batch_span_restarts_when_nobody_listened(simulator: ExchangeSimulator) -> None:
    hub = simulator.gateio.hub
    simulator.gateio.market.pause()
    old, new = FakeSession(), FakeSession()
    hub._subscribe_obu(old, "SOL_USDT", "100ms", True)  # type: ignore[arg-type]
    feed = hub.obu_feeds[("SOL_USDT", "100ms")]
    hub.on_book_change("SOL_USDT", Side.BUY, Decimal("100"), Decimal("1"), 1001)
    hub._forget(old)  # type: ignore[arg-type]  # the old connection is gone ...
    hub.on_book_change("SOL_USDT", Side.BUY, Decimal("101"), Decimal("2"), 1002)  # ... nobody hears this one
    hub._subscribe_obu(new, "SOL_USDT", "100ms", True)  # type: ignore[arg-type]  # the client is back
    hub.on_book_change("SOL_USDT", Side.SELL, Decimal("102"), Decimal("3"), 1003)
    hub._flush_obu(feed)
    result = json.loads(new.sent[-1])["result"]
    carried = {price for price, _ in result["b"] + result["a"]}
    # every id in U..u has its change in the message: 1002 is not claimed, so the client sees the gap
    assert (result["U"], result["u"]) == (1003, 1003) and carried == {"102"}
