"""Gate.io futures wire shapes built from the engine and account objects (reference 6 and 10).

REST sends prices and amounts as strings and sizes as JSON ints (decimal strings when the request carried
``X-Gate-Size-Decimal: 1``); private WS channels send prices, fees and PnL as JSON **numbers** (the hub
encodes ``Decimal`` values as numbers). Order ids are integers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from app.simulator.common import fmt
from app.simulator.gateio_futures.accounts import LedgerRow, SimPosition
from app.simulator.gateio_futures.contracts import SETTLE, FuturesContractSpec
from app.simulator.matching import Fill, FinishReason, OrderState, SimOrder

if TYPE_CHECKING:
    from app.simulator.gateio_futures.venue import GateioFuturesVenue

ZERO = Decimal(0)
FINISH_AS = {
    FinishReason.OPEN: "_new",
    FinishReason.FILLED: "filled",
    FinishReason.CANCELLED: "cancelled",
    FinishReason.IOC: "ioc",
    FinishReason.FOK: "fok",
    FinishReason.POST_ONLY: "poc",
    FinishReason.NO_LIQUIDITY: "ioc",
}


def size_value(contracts: int, decimal_sizes: bool) -> int | str:
    """A size as Gate sends it: JSON int, or a decimal string in ``X-Gate-Size-Decimal`` mode."""
    return str(contracts) if decimal_sizes else contracts


def _seconds(us: int) -> Decimal:
    return Decimal(us // 1000) / 1000


def order(order: SimOrder, uid: str, *, ws: bool = False, decimal_sizes: bool = False) -> dict[str, Any]:
    """Order object of the REST order endpoints, or one ``futures.orders`` item (``ws=True``)."""
    sign = 1 if order.side.value == "buy" else -1
    size = sign * int(order.quantity)
    left = sign * int(order.remaining) if order.state is OrderState.OPEN or order.remaining else 0
    price = order.price or ZERO
    body: dict[str, Any] = {
        "id": int(order.order_id),
        "user": uid if ws else int(uid),
        "contract": order.symbol,
        "create_time": _seconds(order.created_us),
        "size": size if ws else size_value(size, decimal_sizes),
        "iceberg": 0,
        "left": left if ws else size_value(left, decimal_sizes),
        "price": price if ws else fmt(price),
        "fill_price": order.average_price if ws else fmt(order.average_price),
        "mkfr": Decimal("0.0002") if ws else "0.0002",
        "tkfr": Decimal("0.0005") if ws else "0.0005",
        "tif": order.extra.get("tif", "gtc"),
        "refu": 0,
        "is_reduce_only": bool(order.extra.get("reduce_only")),
        "is_close": bool(order.extra.get("close")),
        "is_liq": False,
        "text": order.client_order_id or "api",
        "status": "open" if order.state is OrderState.OPEN else "finished",
        "finish_as": FINISH_AS[order.finish_reason],
        "stp_id": 0,
        "stp_act": "-",
        "amend_text": "-",
    }
    if order.state is not OrderState.OPEN:
        body["finish_time"] = _seconds(order.finished_us)
    if ws:
        body["create_time_ms"] = order.created_us // 1000
        body["finish_time_ms"] = order.finished_us // 1000
        body["update_time"] = order.updated_us // 1000
        body["create_time"] = order.created_us // 1_000_000
        body["finish_time"] = order.finished_us // 1_000_000
    else:
        body["create_time"] = float(body["create_time"])
        if "finish_time" in body:
            body["finish_time"] = float(body["finish_time"])
    return body


def public_trade(fill: Fill, *, decimal_sizes: bool = False, ws: bool = False) -> dict[str, Any]:
    """``GET /futures/usdt/trades`` item / ``futures.trades`` item: ``size`` signed by the taker side."""
    size = int(fill.quantity) if fill.taker_side.value == "buy" else -int(fill.quantity)
    return {
        "id": int(fill.trade_id),
        "create_time": fill.ts_us // 1_000_000 if ws else float(_seconds(fill.ts_us)),
        "create_time_ms": fill.ts_us // 1000,
        "contract": fill.symbol,
        "size": size if ws else size_value(size, decimal_sizes),
        "price": fmt(fill.price),
    }


def user_trade(
    fill: Fill, maker: bool, info: dict[str, Any], *, ws: bool = False, decimal_sizes: bool = False
) -> dict[str, Any]:
    """``GET /futures/usdt/my_trades`` item / ``futures.usertrades`` item for our side of ``fill``."""
    own = fill.maker if maker else fill.taker
    side = fill.taker_side.opposite if maker else fill.taker_side
    size = int(fill.quantity) if side.value == "buy" else -int(fill.quantity)
    fee: Decimal = info.get("fee", ZERO)
    return {
        "id": fill.trade_id if ws else int(fill.trade_id),
        "create_time": fill.ts_us // 1_000_000 if ws else float(_seconds(fill.ts_us)),
        "create_time_ms": fill.ts_us // 1000,
        "contract": fill.symbol,
        "order_id": own.order_id,
        "size": size if ws else size_value(size, decimal_sizes),
        "close_size": info.get("close_size", 0),
        "price": fmt(fill.price),
        "role": "maker" if maker else "taker",
        "text": own.client_order_id or "api",
        "fee": fee if ws else fmt(fee),
        "point_fee": 0 if ws else "0",
    }


def _liq_price(position: SimPosition, leverage: Decimal, spec: FuturesContractSpec) -> Decimal:
    if not position.size or not leverage:
        return ZERO
    step = 1 / leverage - spec.maintenance_rate
    factor = 1 - step if position.size > 0 else 1 + step
    return (position.entry_price * factor).quantize(spec.price_tick)


def position(
    venue: GateioFuturesVenue, pos: SimPosition, *, ws: bool = False, decimal_sizes: bool = False
) -> dict[str, Any]:
    """Position object (REST strings) or ``futures.positions`` item (numbers, no mark / unrealized)."""
    spec = venue.contracts[pos.contract]
    accounts = venue.accounts
    leverage = accounts.leverage(pos.user, pos.contract)
    cross = accounts.cross_limit(pos.user, pos.contract)
    mark = venue.mark_price(pos.contract)
    values: dict[str, Decimal] = {
        "leverage": leverage,
        "cross_leverage_limit": cross,
        "leverage_max": spec.leverage_max,
        "maintenance_rate": spec.maintenance_rate,
        "risk_limit": Decimal(1_000_000),
        "margin": pos.margin,
        "entry_price": pos.entry_price,
        "liq_price": _liq_price(pos, accounts.effective_leverage(pos.user, pos.contract), spec),
        "realised_pnl": pos.realised_pnl,
        "history_pnl": pos.history_pnl,
        "last_close_pnl": pos.last_close_pnl,
        "realised_point": ZERO,
        "history_point": ZERO,
    }
    if ws:
        body: dict[str, Any] = {"contract": pos.contract, "size": pos.size, **values, "mode": pos.mode}
        body.update(
            user=pos.user, time=int(pos.update_time), time_ms=int(pos.update_time * 1000), update_id=pos.update_id
        )
        return body
    unrealised = pos.size * spec.multiplier * (mark - pos.entry_price) if pos.size else ZERO
    pending = sum(
        1 for o in venue.orders.values() if o.is_open and o.account_id == pos.user and o.symbol == pos.contract
    )
    body = {"user": int(pos.user), "contract": pos.contract, "size": size_value(pos.size, decimal_sizes)}
    body.update({key: fmt(value) for key, value in values.items()})
    body.update(
        value=fmt(abs(pos.size) * spec.multiplier * mark),
        mark_price=fmt(mark),
        unrealised_pnl=fmt(unrealised),
        pnl_pnl=fmt(pos.pnl_pnl),
        pnl_fund=fmt(pos.pnl_fund),
        pnl_fee=fmt(pos.pnl_fee),
        adl_ranking=5 if pos.size else 6,
        pending_orders=pending,
        close_order=None,
        mode=pos.mode,
        update_time=int(pos.update_time),
        update_id=pos.update_id,
        open_time=int(pos.update_time),
    )
    return body


def account(venue: GateioFuturesVenue, uid: str) -> dict[str, Any]:
    """``GET /futures/usdt/accounts`` (reference 6.7)."""
    accounts = venue.accounts
    user = accounts.users[uid]
    total, available, position_margin = accounts.totals(uid)
    order_margin = total - available - position_margin
    unrealised = ZERO
    for pos in user.positions.values():
        if pos.size:
            spec = venue.contracts[pos.contract]
            unrealised += pos.size * spec.multiplier * (venue.mark_price(pos.contract) - pos.entry_price)
    history = {key: fmt(value) for key, value in user.history.items()}
    history.update(refr="0", point_dnw="0", point_fee="0", point_refr="0", bonus_dnw="0", bonus_offset="0")
    return {
        "user": int(uid),
        "currency": SETTLE,
        "total": fmt(total),
        "unrealised_pnl": fmt(unrealised),
        "position_margin": fmt(position_margin),
        "order_margin": fmt(order_margin),
        "available": fmt(available),
        "point": "0",
        "bonus": "0",
        "in_dual_mode": user.dual_mode,
        "position_mode": "dual" if user.dual_mode else "single",
        "enable_credit": True,
        "margin_mode": 0,
        "history": history,
    }


def ledger_row(row: LedgerRow, uid: str) -> dict[str, Any]:
    """``futures.balances`` item (numbers)."""
    return {
        "balance": row.balance,
        "change": row.change,
        "text": row.text,
        "time": int(row.time),
        "time_ms": int(row.time * 1000),
        "type": row.type,
        "user": uid,
        "currency": SETTLE.lower(),
    }


def contract(venue: GateioFuturesVenue, spec: FuturesContractSpec) -> dict[str, Any]:
    """``GET /futures/usdt/contracts`` item (reference 6.1)."""
    engine = venue.engines[spec.name]
    trades = venue.public_trades[spec.name]
    mark = venue.mark_price(spec.name)
    index = venue.index_price(spec.name) or mark
    rate = venue.funding_rate(spec.name)
    return {
        "name": spec.name,
        "type": "direct",
        "quanto_multiplier": fmt(spec.multiplier),
        "ref_discount_rate": "0",
        "order_price_deviate": fmt(spec.order_price_deviate),
        "maintenance_rate": fmt(spec.maintenance_rate),
        "mark_type": "index",
        "last_price": fmt(trades[-1].price if trades else mark),
        "mark_price": fmt(mark),
        "index_price": fmt(index.quantize(spec.mark_round)),
        "funding_rate_indicative": fmt(rate),
        "mark_price_round": fmt(spec.mark_round),
        "funding_offset": 0,
        "in_delisting": False,
        "risk_limit_base": "1000000",
        "interest_rate": "0.0003",
        "order_price_round": fmt(spec.price_tick),
        "order_size_min": spec.size_min,
        "ref_rebate_rate": "0.2",
        "funding_interval": int(venue.funding_interval_s),
        "risk_limit_step": "1000000",
        "leverage_min": fmt(spec.leverage_min),
        "leverage_max": fmt(spec.leverage_max),
        "risk_limit_max": "8000000",
        "maker_fee_rate": fmt(spec.maker_fee),
        "taker_fee_rate": fmt(spec.taker_fee),
        "funding_rate": fmt(rate),
        "order_size_max": spec.size_max,
        "funding_next_apply": int(venue.funding_next_apply),
        "short_users": 0,
        "config_change_time": 1609899548,
        "trade_size": sum(int(t.quantity) for t in trades),
        "position_size": 0,
        "long_users": 0,
        "funding_impact_value": "60000",
        "orders_limit": 50,
        "trade_id": int(trades[-1].trade_id) if trades else 0,
        "orderbook_id": engine.sequence,
        "enable_bonus": False,
        "enable_credit": True,
        "create_time": 1669688556,
        "funding_cap_ratio": "0.75",
        "status": "trading",
        "launch_time": 1609899548,
        "enable_decimal": False,
        "cross_leverage_default": "10",
    }


def ticker(venue: GateioFuturesVenue, spec: FuturesContractSpec) -> dict[str, Any]:
    """``GET /futures/usdt/tickers`` item (sizes as strings of contracts)."""
    engine, trades = venue.engines[spec.name], venue.public_trades[spec.name]
    bid, ask = engine.bids.best(), engine.asks.best()
    mark = venue.mark_price(spec.name)
    last = trades[-1].price if trades else mark
    prices = [t.price for t in trades] or [last]
    change = ((last - prices[0]) / prices[0] * 100).quantize(Decimal("0.01")) if prices[0] else ZERO
    volume = sum((t.quantity for t in trades), ZERO)
    return {
        "contract": spec.name,
        "last": fmt(last),
        "low_24h": fmt(min(prices)),
        "high_24h": fmt(max(prices)),
        "change_percentage": fmt(change),
        "total_size": "0",
        "volume_24h": fmt(volume),
        "volume_24h_base": fmt(volume * spec.multiplier),
        "volume_24h_quote": fmt(sum((t.quantity * t.price * spec.multiplier for t in trades), ZERO)),
        "volume_24h_settle": fmt(volume * spec.multiplier),
        "mark_price": fmt(mark),
        "funding_rate": fmt(venue.funding_rate(spec.name)),
        "funding_rate_indicative": fmt(venue.funding_rate(spec.name)),
        "index_price": fmt((venue.index_price(spec.name) or mark).quantize(spec.mark_round)),
        "highest_bid": fmt(bid) if bid is not None else "",
        "highest_size": fmt(engine.bids.totals[bid]) if bid is not None else "0",
        "lowest_ask": fmt(ask) if ask is not None else "",
        "lowest_size": fmt(engine.asks.totals[ask]) if ask is not None else "0",
    }


def levels(depth: list[tuple[Decimal, Decimal]], decimal_sizes: bool = False) -> list[dict[str, Any]]:
    """``[{"p": "price", "s": contracts}, ...]``."""
    return [{"p": fmt(price), "s": size_value(int(size), decimal_sizes)} for price, size in depth]
