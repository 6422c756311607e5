"""Gate.io spot wire shapes built from the generic engine objects (REST sections 4-5, WS section 9).

REST order (FULL), numbers as strings, ``*_ms`` ints (reference 5.1)::

    {"id":"1852454420","text":"t-abc123","amend_text":"-","create_time":"1710488334","update_time":"1710488334",
     "create_time_ms":1710488334073,"update_time_ms":1710488334074,"status":"closed","currency_pair":"BTC_USDT",
     "type":"limit","account":"spot","side":"buy","amount":"0.001","price":"65000","time_in_force":"gtc",
     "iceberg":"0","left":"0","filled_amount":"0.001","fill_price":"63.4693","filled_total":"63.4693",
     "avg_deal_price":"63469.3","fee":"0.00000022","fee_currency":"BTC","point_fee":"0","gt_fee":"0",
     "gt_maker_fee":"0","gt_taker_fee":"0","gt_discount":false,"rebated_fee":"0","rebated_fee_currency":"USDT",
     "finish_as":"filled"}

WS ``spot.orders`` items drop ``status``, add ``user``/``event`` and carry ``*_ms`` as strings (reference 9.7).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.domain.enums import OrderType, Side, TimeInForce
from app.simulator.common import fmt
from app.simulator.matching import BalanceChange, Fill, FinishReason, OrderEvent, OrderState, SimOrder

TIF_TO_GATE = {
    TimeInForce.GTC: "gtc",
    TimeInForce.IOC: "ioc",
    TimeInForce.FOK: "fok",
    TimeInForce.POST_ONLY: "poc",
}
GATE_TO_TIF = {value: key for key, value in TIF_TO_GATE.items()}
WS_ORDER_EVENT = {OrderEvent.NEW: "put", OrderEvent.FILL: "update", OrderEvent.DONE: "finish"}
BALANCE_CHANGE_TYPE = {
    "deposit": "deposit",
    "order_create": "order-create",
    "order_match": "order-match",
    "order_cancel": "order-update",
}


def _status(order: SimOrder) -> str:
    if order.state is OrderState.OPEN:
        return "open"
    if order.state is OrderState.FILLED:
        return "closed"
    return "cancelled"


def _ms(us: int) -> int:
    return us // 1000


def _order_core(order: SimOrder, quote: str) -> dict[str, Any]:
    by_quote = order.quote_quantity is not None
    amount = order.quote_quantity if by_quote and order.quote_quantity is not None else order.quantity
    left = order.remaining_quote if by_quote else order.remaining
    rebated = quote if order.fee_asset != quote else order.symbol.partition("_")[0]
    return {
        "id": order.order_id,
        "text": order.client_order_id or "apiv4",
        "amend_text": "-",
        "create_time": str(order.created_us // 1_000_000),
        "update_time": str(order.updated_us // 1_000_000),
        "currency_pair": order.symbol,
        "type": "market" if order.order_type is OrderType.MARKET else "limit",
        "account": order.extra.get("account", "spot"),
        "side": order.side.value,
        "amount": fmt(amount),
        "price": fmt(order.price or Decimal(0)),
        "time_in_force": TIF_TO_GATE[order.time_in_force],
        "iceberg": "0",
        "left": fmt(max(left, Decimal(0))),
        "filled_amount": fmt(order.filled),
        "fill_price": fmt(order.filled_quote),
        "filled_total": fmt(order.filled_quote),
        "avg_deal_price": fmt(order.average_price),
        "fee": fmt(order.fee),
        "fee_currency": order.fee_asset,
        "point_fee": "0",
        "gt_fee": "0",
        "gt_maker_fee": "0",
        "gt_taker_fee": "0",
        "gt_discount": False,
        "rebated_fee": "0",
        "rebated_fee_currency": rebated,
        "finish_as": order.finish_reason.value if order.finish_reason is not FinishReason.OPEN else "open",
        "stp_id": 0,
        "stp_act": "-",
    }


def order_rest(order: SimOrder, quote: str, action_mode: str = "FULL") -> dict[str, Any]:
    """REST order object for ``action_mode`` ACK / RESULT / FULL (default)."""
    if action_mode == "ACK":
        return {"id": order.order_id, "text": order.client_order_id or "apiv4", "amend_text": "-"}
    body = _order_core(order, quote)
    body["create_time_ms"] = _ms(order.created_us)
    body["update_time_ms"] = _ms(order.updated_us)
    body["status"] = _status(order)
    if action_mode == "RESULT":
        for key in (
            "fee",
            "fee_currency",
            "point_fee",
            "gt_fee",
            "gt_maker_fee",
            "gt_taker_fee",
            "gt_discount",
            "rebated_fee",
            "rebated_fee_currency",
        ):
            body.pop(key)
    return body


def order_ws(order: SimOrder, quote: str, event: OrderEvent, uid: str) -> dict[str, Any]:
    """One ``spot.orders`` item: no ``status``, ``event`` put/update/finish, ``*_ms`` as strings."""
    body = _order_core(order, quote)
    body["create_time_ms"] = str(_ms(order.created_us))
    body["update_time_ms"] = str(_ms(order.updated_us))
    body["user"] = int(uid)
    body["event"] = WS_ORDER_EVENT[event]
    body["biz_info"] = "-"
    return body


def _trade_ms_text(us: int) -> str:
    return f"{us // 1000}.{us % 1000:03d}"


def public_trade_rest(fill: Fill) -> dict[str, Any]:
    """``GET /spot/trades`` item (public fields only)."""
    return {
        "id": fill.trade_id,
        "create_time": str(fill.ts_us // 1_000_000),
        "create_time_ms": _trade_ms_text(fill.ts_us),
        "currency_pair": fill.symbol,
        "side": fill.taker_side.value,
        "amount": fmt(fill.quantity),
        "price": fmt(fill.price),
        "sequence_id": str(fill.market_trade_seq),
    }


def public_trade_ws(fill: Fill) -> dict[str, Any]:
    """``spot.trades`` result object (one trade per message; ``side`` is the taker's)."""
    return {
        "id": int(fill.trade_id),
        "create_time": fill.ts_us // 1_000_000,
        "create_time_ms": _trade_ms_text(fill.ts_us),
        "side": fill.taker_side.value,
        "currency_pair": fill.symbol,
        "amount": fmt(fill.quantity),
        "price": fmt(fill.price),
        "range": f"{fill.market_trade_seq}-{fill.market_trade_seq}",
        "id_market": fill.market_trade_seq,
    }


def _own(fill: Fill, maker: bool) -> tuple[SimOrder, Side, Decimal]:
    if maker:
        return fill.maker, fill.taker_side.opposite, fill.maker_fee
    return fill.taker, fill.taker_side, fill.taker_fee


def my_trade_rest(fill: Fill, maker: bool) -> dict[str, Any]:
    """``GET /spot/my_trades`` item for the maker or the taker side of ``fill``."""
    order, side, fee = _own(fill, maker)
    body = public_trade_rest(fill)
    body.update(
        side=side.value,
        role="maker" if maker else "taker",
        order_id=order.order_id,
        fee=fmt(fee),
        fee_currency=order.fee_asset,
        point_fee="0",
        gt_fee="0",
        amend_text="-",
        text=order.client_order_id or "apiv4",
    )
    return body


def my_trade_ws(fill: Fill, maker: bool, uid: str) -> dict[str, Any]:
    """``spot.usertrades`` item."""
    order, side, fee = _own(fill, maker)
    return {
        "id": int(fill.trade_id),
        "user_id": int(uid),
        "order_id": order.order_id,
        "currency_pair": fill.symbol,
        "create_time": fill.ts_us // 1_000_000,
        "create_time_ms": _trade_ms_text(fill.ts_us),
        "side": side.value,
        "amount": fmt(fill.quantity),
        "role": "maker" if maker else "taker",
        "price": fmt(fill.price),
        "fee": fmt(fee),
        "fee_currency": order.fee_asset,
        "point_fee": "0",
        "gt_fee": "0",
        "text": order.client_order_id or "apiv4",
        "id_market": fill.market_trade_seq,
    }


def balance_ws(change: BalanceChange, uid: str) -> dict[str, Any]:
    """``spot.balances`` item."""
    return {
        "timestamp": str(change.ts_us // 1_000_000),
        "timestamp_ms": str(change.ts_us // 1000),
        "user": uid,
        "currency": change.asset,
        "change": fmt(change.delta_free + change.delta_locked),
        "total": fmt(change.free + change.locked),
        "available": fmt(change.free),
        "freeze": fmt(change.locked),
        "freeze_change": fmt(change.delta_locked),
        "change_type": BALANCE_CHANGE_TYPE[change.reason.value],
    }


def levels(depth: list[tuple[Decimal, Decimal]]) -> list[list[str]]:
    """``[[price, amount], ...]`` strings."""
    return [[fmt(price), fmt(amount)] for price, amount in depth]
