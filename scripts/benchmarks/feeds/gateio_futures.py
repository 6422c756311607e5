"""Gate.io USDT perpetuals traffic: ``futures.order_book_update`` (+ trades, book tickers) (API v4).

Same envelope as spot; levels are objects with the size in contracts (0 deletes)::

    {"time":1615366381,"time_ms":1615366381419,"channel":"futures.order_book_update","event":"update",
     "result":{"t":1615366381417,"s":"BTC_USDT","U":2517661101,"u":2517661113,
               "b":[{"p":"54672.1","s":0},{"p":"54664.5","s":58794}],"a":[{"p":"54743.6","s":95}],"l":"100"}}

Contracts are ``quanto_multiplier`` = 0.0001 base units; the expected final books are in contracts (ccxt
keeps contracts, our client base units: the verifier multiplies).
"""

from __future__ import annotations

from typing import Any

from benchmarks.feeds.book_gen import Change
from benchmarks.feeds.gateio_spot import T0_MS, GateioSpotFeed, price_str

MULTIPLIER = "0.0001"


class GateioFuturesFeed(GateioSpotFeed):
    """Gate USDT-settled perpetual futures public channels (WS path ``/v4/ws/usdt``)."""

    venue = "gateio-futures"
    ws_paths = ("/v4/ws/usdt",)
    channels = {"book": "futures.order_book_update", "trades": "futures.trades", "ticker": "futures.book_ticker"}
    qty_decimals = 0  # contracts
    base_per_unit = MULTIPLIER

    def levels(self, changes: list[Change]) -> list[Any]:
        return [{"p": price_str(price, self.price_decimals), "s": qty} for price, qty in changes]

    def book_result(self, symbol: str, first: int, last: int, bids: list[Change], asks: list[Change], ms: int) -> Any:
        return {"t": ms, "s": symbol, "U": first, "u": last, "b": self.levels(bids), "a": self.levels(asks), "l": "100"}

    def snapshot_body(self, book: Any, seq: int, ms: int) -> dict[str, Any]:
        bids, asks = book.top()
        return {
            "id": seq,
            "current": ms / 1000,
            "update": ms / 1000,
            "bids": self.levels(bids),
            "asks": self.levels(asks),
        }

    def rest_routes(self) -> list[tuple[str, str, str]]:
        return [
            ("GET", "/api/v4/futures/usdt/contracts", "contracts"),
            ("GET", "/api/v4/futures/btc/contracts", "empty_list"),
            ("GET", "/api/v4/futures/usdt/order_book", "order_book"),
            ("GET", "/api/v4/spot/currencies", "empty_list"),
            ("GET", "/api/v4/spot/time", "server_time"),
        ]

    def snapshot_symbol(self, path: str, query: dict[str, str]) -> str | None:
        return query.get("contract") if path.endswith("/order_book") else None

    def contracts(self, query: dict[str, str], traffic: Any, symbols: list[str]) -> tuple[int, Any]:
        return 200, [
            {
                "name": s,
                "type": "direct",
                "quanto_multiplier": MULTIPLIER,
                "order_price_round": "0.1",
                "mark_price_round": "0.01",
                "order_size_min": 1,
                "order_size_max": 1_000_000,
                "leverage_min": "1",
                "leverage_max": "100",
                "maintenance_rate": "0.005",
                "mark_price": "65000",
                "index_price": "65000",
                "last_price": "65000",
                "funding_rate": "0.0001",
                "funding_interval": 28800,
                "funding_next_apply": T0_MS // 1000 + 3600,
                "maker_fee_rate": "-0.00025",
                "taker_fee_rate": "0.00075",
                "in_delisting": False,
                "status": "trading",
                "settle": "usdt",
                "order_price_deviate": "0.5",
                "risk_limit_base": "1000000",
                "risk_limit_step": "1000000",
                "risk_limit_max": "8000000",
                "create_time": 1609899548,
                "launch_time": 1609899548,
            }
            for s in symbols
        ]

    def order_book(self, query: dict[str, str], traffic: Any, symbols: list[str]) -> tuple[int, Any]:
        snapshot = traffic.snapshots.get(query.get("contract", ""))
        if snapshot is None:
            return 400, {"label": "CONTRACT_NOT_FOUND", "message": "unknown contract"}
        limit = int(query.get("limit", "100"))
        return 200, {**snapshot, "bids": snapshot["bids"][:limit], "asks": snapshot["asks"][:limit]}
