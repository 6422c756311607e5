"""Gate.io spot traffic: ``spot.order_book_update``, ``spot.trades``, ``spot.book_ticker`` (API v4).

Wire shapes as in ``app/exchanges/gateio/spot/schemas.py`` (reference gateio.md 9.2-9.4), e.g.::

    {"time":1606294781,"time_ms":1606294781236,"channel":"spot.order_book_update","event":"update",
     "result":{"t":1606294781123,"e":"depthUpdate","E":1606294781,"s":"BTC_USDT","U":48776301,"u":48776306,
               "b":[["19137.7","0.0001"]],"a":[["19137.8","0.6135"]]}}

Sequence ids are contiguous (``U`` = previous ``u`` + 1, one id per level change). ccxt.pro only uses
``spot.order_book_update`` on Gate's EU host (elsewhere it uses ``spot.obu``), so the WebSocket is also
served under ``/gateeu/...``.
"""

from __future__ import annotations

import json
import random
from typing import Any

from benchmarks.feeds.base import Feed, Frame, Traffic
from benchmarks.feeds.book_gen import Change, SyntheticBook

_dumps = json.JSONEncoder(separators=(",", ":")).encode
T0_MS = 1_760_000_000_000


def price_str(ticks: int, decimals: int) -> str:
    """Integer ticks -> decimal string (``650001, 1`` -> ``"65000.1"``)."""
    if decimals == 0:
        return str(ticks)
    whole, frac = divmod(ticks, 10**decimals)
    return f"{whole}.{frac:0{decimals}d}"


class GateioSpotFeed(Feed):
    """Gate spot public channels; ``kind`` picks the measured one."""

    venue = "gateio-spot"
    ws_paths = ("/ws/v4/", "/gateeu/ws/v4/")
    channels = {"book": "spot.order_book_update", "trades": "spot.trades", "ticker": "spot.book_ticker"}
    price_decimals = 1
    qty_decimals = 4
    base_per_unit = "1"  # base units per quantity unit (contracts on futures)

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.channel = self.channels[kind]

    def symbols(self, count: int) -> list[str]:
        return ["BTC_USDT"] if count == 1 else [f"C{i:03d}_USDT" for i in range(count)]

    # --- traffic ------------------------------------------------------------------------------------
    def levels(self, changes: list[Change]) -> list[Any]:
        p, q = self.price_decimals, self.qty_decimals
        return [[price_str(price, p), price_str(qty, q)] for price, qty in changes]

    def plain_levels(self, changes: list[Change]) -> list[list[str]]:
        """``[[price, quantity], ...]`` as decimal strings in venue units (what the verifiers compare)."""
        p, q = self.price_decimals, self.qty_decimals
        return [[price_str(price, p), price_str(qty, q)] for price, qty in changes]

    def envelope(self, channel: str, result: Any, ms: int) -> str:
        return _dumps({"time": ms // 1000, "time_ms": ms, "channel": channel, "event": "update", "result": result})

    def book_result(self, symbol: str, first: int, last: int, bids: list[Change], asks: list[Change], ms: int) -> Any:
        return {
            "t": ms,
            "e": "depthUpdate",
            "E": ms // 1000,
            "s": symbol,
            "U": first,
            "u": last,
            "b": self.levels(bids),
            "a": self.levels(asks),
        }

    def snapshot_body(self, book: SyntheticBook, seq: int, ms: int) -> dict[str, Any]:
        bids, asks = book.top()
        return {"id": seq, "current": ms, "update": ms, "bids": self.levels(bids), "asks": self.levels(asks)}

    def generate(self, symbols: list[str], messages: int, warmup_per_symbol: int, seed: int) -> Traffic:
        rng = random.Random(seed)
        traffic = Traffic()
        if self.kind == "book":
            self._books(traffic, symbols, messages, warmup_per_symbol, rng)
        else:
            self._ticks(traffic, symbols, messages, warmup_per_symbol, rng)
        return traffic

    def _books(self, traffic: Traffic, symbols: list[str], messages: int, warmup: int, rng: random.Random) -> None:
        books = {s: SyntheticBook(rng, rng.randint(100_000, 900_000)) for s in symbols}
        seqs = dict.fromkeys(symbols, rng.randint(10_000_000, 90_000_000))
        ms = T0_MS

        def one(symbol: str) -> Frame:
            nonlocal ms
            ms += 1
            book = books[symbol]
            bids, asks = book.step()
            first = seqs[symbol] + 1
            last = seqs[symbol] = first + len(bids) + len(asks) - 1
            return Frame(
                symbol, last, self.envelope(self.channel, self.book_result(symbol, first, last, bids, asks, ms), ms)
            )

        for i in range(warmup):
            for symbol in symbols:
                traffic.warmup.append(one(symbol))
                if i == warmup // 2:  # snapshot in the middle of the buffered diffs: older ones are dropped
                    traffic.snapshots[symbol] = self.snapshot_body(books[symbol], seqs[symbol], ms)
        for i in range(messages):
            traffic.main.append(one(symbols[i % len(symbols)] if len(symbols) < 3 else rng.choice(symbols)))
        for symbol, book in books.items():
            bids, asks = book.top()
            traffic.expected[symbol] = {
                "seq": seqs[symbol],
                "bids": self.plain_levels(bids),
                "asks": self.plain_levels(asks),
                "base_per_unit": self.base_per_unit,
            }

    def _ticks(self, traffic: Traffic, symbols: list[str], messages: int, warmup: int, rng: random.Random) -> None:
        ms = T0_MS
        seq = rng.randint(10_000_000, 90_000_000)
        last: dict[str, Any] = {}

        def one(symbol: str) -> Frame:
            nonlocal ms, seq
            ms += 1
            seq += 1
            mid = 650_000 + rng.randint(-500, 500)
            if self.kind == "trades":
                result: dict[str, Any] = {
                    "id": seq,
                    "create_time": ms // 1000,
                    "create_time_ms": f"{ms}.{rng.randint(0, 9999):04d}",
                    "side": rng.choice(("buy", "sell")),
                    "currency_pair": symbol,
                    "amount": price_str(rng.randint(1, 500_000), 4),
                    "price": price_str(mid, 1),
                    "range": f"{seq}-{seq}",
                }
                last[symbol] = {"id": str(seq), "price": result["price"], "amount": result["amount"]}
            else:
                result = {
                    "t": ms,
                    "u": seq,
                    "s": symbol,
                    "b": price_str(mid - 1, 1),
                    "B": price_str(rng.randint(1, 9_999), 4),
                    "a": price_str(mid + 1, 1),
                    "A": price_str(rng.randint(1, 9_999), 4),
                }
                last[symbol] = {"seq": seq, "b": result["b"], "B": result["B"], "a": result["a"], "A": result["A"]}
            return Frame(symbol, seq, self.envelope(self.channel, result, ms))

        for _ in range(warmup):
            for symbol in symbols:
                traffic.warmup.append(one(symbol))
        for i in range(messages):
            traffic.main.append(one(symbols[i % len(symbols)]))
        traffic.expected = last

    # --- protocol -----------------------------------------------------------------------------------
    def on_client_message(self, data: str | bytes) -> tuple[list[str | bytes], set[str]]:
        try:
            request = json.loads(data)
        except ValueError:
            return [], set()
        channel = request.get("channel", "")
        event = request.get("event", "")
        now_ms = T0_MS
        if event == "subscribe" or event == "unsubscribe":
            ack = {
                "time": now_ms // 1000,
                "time_ms": now_ms,
                "id": request.get("id"),
                "channel": channel,
                "event": event,
                "error": None,
                "result": {"status": "success"},
            }
            covered = {p for p in request.get("payload") or [] if "_" in p} if channel == self.channel else set()
            return [_dumps(ack)], covered if event == "subscribe" else set()
        return [], set()  # pings are not answered: a pong would be counted as traffic

    def rest_routes(self) -> list[tuple[str, str, str]]:
        return [
            ("GET", "/api/v4/spot/currency_pairs", "currency_pairs"),
            ("GET", "/api/v4/margin/currency_pairs", "empty_list"),
            ("GET", "/api/v4/spot/currencies", "empty_list"),
            ("GET", "/api/v4/spot/order_book", "order_book"),
            ("GET", "/api/v4/spot/time", "server_time"),
        ]

    def snapshot_symbol(self, path: str, query: dict[str, str]) -> str | None:
        return query.get("currency_pair") if path.endswith("/order_book") else None

    # --- REST handlers: (query, traffic, symbols) -> (status, body) ----------------------------------
    def currency_pairs(self, query: dict[str, str], traffic: Traffic, symbols: list[str]) -> tuple[int, Any]:
        return 200, [
            {
                "id": s,
                "base": s.split("_")[0],
                "quote": "USDT",
                "fee": "0.2",
                "min_base_amount": "0.0001",
                "min_quote_amount": "1",
                "amount_precision": self.qty_decimals,
                "precision": self.price_decimals,
                "trade_status": "tradable",
                "sell_start": 0,
                "buy_start": 0,
                "type": "normal",
            }
            for s in symbols
        ]

    def empty_list(self, query: dict[str, str], traffic: Traffic, symbols: list[str]) -> tuple[int, Any]:
        return 200, []

    def server_time(self, query: dict[str, str], traffic: Traffic, symbols: list[str]) -> tuple[int, Any]:
        return 200, {"server_time": T0_MS}

    def order_book(self, query: dict[str, str], traffic: Traffic, symbols: list[str]) -> tuple[int, Any]:
        snapshot = traffic.snapshots.get(query.get("currency_pair", ""))
        if snapshot is None:
            return 400, {"label": "INVALID_CURRENCY_PAIR", "message": "unknown pair"}
        limit = int(query.get("limit", "100"))
        return 200, {**snapshot, "bids": snapshot["bids"][:limit], "asks": snapshot["asks"][:limit]}
