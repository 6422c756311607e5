"""HTTP handlers: their dependencies are injected from the container (``@inject`` + ``Provide[...]``).

``create_app`` wires this module; a test overrides ``HostContainer.monitor`` / ``.accounts`` and the
handlers get the override without any change here.
"""

from __future__ import annotations

import time
from typing import Any

from aiohttp import web
from dependency_injector.wiring import Provide, inject

from app.host.accounts import AccountsView
from app.host.container import HostContainer
from app.monitor.monitor import ArbitrageMonitor
from app.monitor.opportunity import Opportunity
from app.monitor.spread import SpreadQuote


def quote_json(quote: SpreadQuote) -> dict[str, Any]:
    """One direction of one venue pair (decimals as strings)."""
    return {
        "symbol": str(quote.symbol),
        "buy_venue": quote.buy_venue,
        "sell_venue": quote.sell_venue,
        "quantity": str(quote.quantity),
        "buy_price": str(quote.buy.worst_price),
        "sell_price": str(quote.sell.worst_price),
        "buy_vwap": str(quote.buy.average_price),
        "sell_vwap": str(quote.sell.average_price),
        "fees": str(quote.buy_fee + quote.sell_fee),
        "net": str(quote.net_quote),
        "gross_bps": f"{quote.gross_bps:.4f}",
        "net_bps": f"{quote.spread_bps:.4f}",
        "status": quote.status.value,
    }


def opportunity_json(opportunity: Opportunity) -> dict[str, Any]:
    return {
        "symbol": str(opportunity.symbol),
        "buy_venue": opportunity.buy_venue,
        "sell_venue": opportunity.sell_venue,
        "opened_at": opportunity.opened_at,
        "closed_at": opportunity.closed_at,
        "first_bps": f"{opportunity.first.spread_bps:.4f}",
        "peak_bps": f"{opportunity.peak_bps:.4f}",
        "quantity": str(opportunity.first.quantity),
    }


@inject
async def spreads(request: web.Request, monitor: ArbitrageMonitor = Provide[HostContainer.monitor]) -> web.Response:
    """``GET /spreads``: every direction of every venue pair, the configured size, threshold."""
    return web.json_response(
        {
            "size_quote": str(monitor.config.size_quote),
            "threshold_bps": str(monitor.config.threshold_bps),
            "spreads": [quote_json(q) for q in sorted(monitor.quotes.values(), key=lambda q: (str(q.symbol), q.key))],
        }
    )


@inject
async def books(request: web.Request, monitor: ArbitrageMonitor = Provide[HostContainer.monitor]) -> web.Response:
    """``GET /books``: best bid / ask, age and validity per venue and symbol."""
    now = time.monotonic()
    rows = []
    for (venue, symbol), state in monitor.books.items():
        book = state.book
        age = state.age_s(now)
        rows.append(
            {
                "venue": venue,
                "symbol": str(symbol),
                "bid": str(book.best_bid.price) if book and book.best_bid else None,
                "ask": str(book.best_ask.price) if book and book.best_ask else None,
                "sequence": book.sequence if book else None,
                "valid": bool(book and book.is_valid),
                "age_ms": None if age is None else round(age * 1000),
            }
        )
    return web.json_response({"books": rows})


@inject
async def opportunities(
    request: web.Request, monitor: ArbitrageMonitor = Provide[HostContainer.monitor]
) -> web.Response:
    """``GET /opportunities``: count seen and the recent ones (open first)."""
    recent = sorted(monitor.tracker.recent, key=lambda o: (not o.is_open, -o.opened_at))
    return web.json_response({"seen": monitor.tracker.seen, "recent": [opportunity_json(o) for o in recent]})


@inject
async def balances(request: web.Request, accounts: AccountsView = Provide[HostContainer.accounts]) -> web.Response:
    """``GET /balances``: per venue and asset (empty for venues without credentials)."""
    return web.json_response({"balances": await accounts.balances()})
