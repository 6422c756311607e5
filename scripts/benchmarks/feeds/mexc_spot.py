"""MEXC spot traffic: protobuf ``spot@public.aggre.depth.v3.api.pb@100ms@<SYMBOL>`` (reference mexc.md 9.4).

Each frame is a binary ``PushDataV3ApiWrapper`` (built with the project's generated module, the same
``.proto`` ccxt ships); as protobuf JSON::

    {"channel":"spot@public.aggre.depth.v3.api.pb@100ms@BTCUSDT","symbol":"BTCUSDT","sendTime":"1754741322152",
     "publicAggreDepths":{"asks":[{"price":"117145.49","quantity":"0"}],"bids":[{"price":"117053.41",
     "quantity":"1.86837271"}],"eventType":"spot@public.aggre.depth.v3.api.pb@100ms",
     "fromVersion":"43296363236","toVersion":"43296363255"}}

Versions are contiguous (``fromVersion`` = previous ``toVersion`` + 1). ccxt.pro fetches its snapshot after
25 cached diffs, so the warm-up is at least 30 frames per symbol.
"""

from __future__ import annotations

import json
import random
from typing import Any

from benchmarks.feeds.base import Feed, Frame, Traffic
from benchmarks.feeds.book_gen import Change, SyntheticBook
from benchmarks.feeds.gateio_spot import T0_MS, price_str

CHANNEL = "spot@public.aggre.depth.v3.api.pb@100ms@"
MIN_WARMUP = 30


class MexcSpotFeed(Feed):
    """MEXC spot aggregated depth (protobuf); the only measured MEXC stream."""

    venue = "mexc-spot"
    ws_paths = ("/ws",)
    price_decimals = 2
    qty_decimals = 6
    base_per_unit = "1"

    def __init__(self, kind: str = "book") -> None:
        self.kind = kind

    def symbols(self, count: int) -> list[str]:
        return ["BTCUSDT"] if count == 1 else [f"C{i:03d}USDT" for i in range(count)]

    def unified(self, native: str) -> str:
        return f"{native[:-4]}/USDT"

    def plain_levels(self, changes: list[Change]) -> list[list[str]]:
        p, q = self.price_decimals, self.qty_decimals
        return [[price_str(price, p), price_str(qty, q)] for price, qty in changes]

    def generate(self, symbols: list[str], messages: int, warmup_per_symbol: int, seed: int) -> Traffic:
        from app.exchanges.mexc.proto import mexc_push_pb2 as pb  # the server runs in the project environment

        rng = random.Random(seed)
        traffic = Traffic()
        books = {s: SyntheticBook(rng, rng.randint(10_000_000, 90_000_000)) for s in symbols}
        versions = dict.fromkeys(symbols, rng.randint(40_000_000_000, 45_000_000_000))
        ms = T0_MS
        wrapper = pb.PushDataV3ApiWrapper()

        def one(symbol: str) -> Frame:
            nonlocal ms
            ms += 1
            bids, asks = books[symbol].step()
            first = versions[symbol] + 1
            last = versions[symbol] = first + len(bids) + len(asks) - 1
            wrapper.Clear()
            wrapper.channel = CHANNEL + symbol
            wrapper.symbol = symbol
            wrapper.sendTime = ms
            body = wrapper.publicAggreDepths
            for side, changes in ((body.bids, bids), (body.asks, asks)):
                for price, quantity in self.plain_levels(changes):
                    side.add(price=price, quantity=quantity)
            body.eventType = CHANNEL[:-1]
            body.fromVersion = str(first)
            body.toVersion = str(last)
            return Frame(symbol, last, wrapper.SerializeToString())

        warmup = max(warmup_per_symbol, MIN_WARMUP)
        for i in range(warmup):
            for symbol in symbols:
                traffic.warmup.append(one(symbol))
                if i == warmup // 2:
                    traffic.snapshots[symbol] = self.snapshot(versions[symbol], ms, *books[symbol].top())
        for i in range(messages):
            traffic.main.append(one(symbols[i % len(symbols)] if len(symbols) < 3 else rng.choice(symbols)))
        for symbol, book in books.items():
            top_bids, top_asks = book.top()
            traffic.expected[symbol] = {
                "seq": versions[symbol],
                "bids": self.plain_levels(top_bids),
                "asks": self.plain_levels(top_asks),
                "base_per_unit": self.base_per_unit,
            }
        return traffic

    def snapshot(self, version: int, ms: int, bids: list[Change], asks: list[Change]) -> dict[str, Any]:
        """``GET /api/v3/depth`` body."""
        return {
            "lastUpdateId": version,
            "timestamp": ms,
            "bids": self.plain_levels(bids),
            "asks": self.plain_levels(asks),
        }

    def on_client_message(self, data: str | bytes) -> tuple[list[str | bytes], set[str]]:
        try:
            request = json.loads(data)
        except ValueError:
            return [], set()
        method = request.get("method", "")
        if method == "PING":
            return ['{"id":0,"code":0,"msg":"PONG"}'], set()
        if method in ("SUBSCRIPTION", "UNSUBSCRIPTION"):
            params = [p for p in request.get("params") or [] if isinstance(p, str)]
            ack = json.dumps({"id": request.get("id", 0), "code": 0, "msg": ",".join(params)}, separators=(",", ":"))
            covered = (
                {p[len(CHANNEL) :] for p in params if p.startswith(CHANNEL)} if method == "SUBSCRIPTION" else set()
            )
            return [ack], covered
        return [], set()

    def rest_routes(self) -> list[tuple[str, str, str]]:
        return [
            ("GET", "/api/v3/exchangeInfo", "exchange_info"),
            ("GET", "/api/v3/depth", "depth"),
            ("GET", "/api/v3/time", "server_time"),
            ("GET", "/api/v3/ping", "ping"),
            ("GET", "/api/v1/contract/detail", "no_contracts"),
        ]

    def snapshot_symbol(self, path: str, query: dict[str, str]) -> str | None:
        return query.get("symbol") if path.endswith("/depth") else None

    def exchange_info(self, query: dict[str, str], traffic: Traffic, symbols: list[str]) -> tuple[int, Any]:
        rows = [
            {"symbol": s, "status": "1", "baseAsset": s[:-4], "baseAssetPrecision": self.qty_decimals,
             "quoteAsset": "USDT", "quotePrecision": self.price_decimals, "quoteAssetPrecision": self.price_decimals,
             "baseCommissionPrecision": self.qty_decimals, "quoteCommissionPrecision": self.price_decimals,
             "orderTypes": ["LIMIT", "MARKET", "LIMIT_MAKER"], "isSpotTradingAllowed": True,
             "isMarginTradingAllowed": False, "quoteAmountPrecision": "1", "baseSizePrecision": "0",
             "permissions": ["SPOT"], "filters": [], "maxQuoteAmount": "2000000", "makerCommission": "0.0005",
             "takerCommission": "0.0005", "quoteAmountPrecisionMarket": "1", "maxQuoteAmountMarket": "100000",
             "fullName": s[:-4], "tradeSideType": 1}
            for s in symbols
        ]  # fmt: skip
        return 200, {"timezone": "CST", "serverTime": T0_MS, "rateLimits": [], "exchangeFilters": [], "symbols": rows}

    def depth(self, query: dict[str, str], traffic: Traffic, symbols: list[str]) -> tuple[int, Any]:
        snapshot = traffic.snapshots.get(query.get("symbol", ""))
        if snapshot is None:
            return 400, {"code": -1121, "msg": "Invalid symbol."}
        limit = int(query.get("limit", "100"))
        return 200, {**snapshot, "bids": snapshot["bids"][:limit], "asks": snapshot["asks"][:limit]}

    def server_time(self, query: dict[str, str], traffic: Traffic, symbols: list[str]) -> tuple[int, Any]:
        return 200, {"serverTime": T0_MS}

    def no_contracts(self, query: dict[str, str], traffic: Traffic, symbols: list[str]) -> tuple[int, Any]:
        return 200, {"success": True, "code": 0, "data": []}

    def ping(self, query: dict[str, str], traffic: Traffic, symbols: list[str]) -> tuple[int, Any]:
        return 200, {}
