"""MEXC spot wire shapes built from the generic engine objects: REST JSON (reference 3, 5) and protobuf pushes
(9.5-9.6). REST numbers are strings, times integer ms, ``orderListId`` -1, trade ids ``null``::

    POST /api/v3/order -> {"symbol":"BTCUSDT","orderId":"C02__426060921085927424036","orderListId":-1,
                           "price":"65000","origQty":"0.001","type":"LIMIT","side":"BUY","stpMode":"",
                           "transactTime":1717363075282}
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from app.domain.enums import OrderType, Side, TimeInForce
from app.exchanges.mexc.proto import mexc_push_pb2 as pb
from app.simulator.common import fmt
from app.simulator.matching import BalanceChange, BalanceReason, Fill, OrderState, SimOrder

ZERO = Decimal(0)
WS_ORDER_TYPE = {
    (OrderType.LIMIT, TimeInForce.GTC): 1,
    (OrderType.LIMIT, TimeInForce.POST_ONLY): 2,
    (OrderType.LIMIT, TimeInForce.IOC): 3,
    (OrderType.LIMIT, TimeInForce.FOK): 4,
}
ACCOUNT_CHANGE_TYPE = {
    BalanceReason.DEPOSIT: "DEPOSIT",
    BalanceReason.ORDER_CREATE: "ENTRUST_PLACE",
    BalanceReason.ORDER_MATCH: "ENTRUST",
    BalanceReason.ORDER_CANCEL: "ENTRUST_CANCEL",
}


def _ms(us: int) -> int:
    return us // 1000


def order_status(order: SimOrder) -> str:
    """REST ``status``: NEW / PARTIALLY_FILLED / FILLED / CANCELED / PARTIALLY_CANCELED."""
    if order.state is OrderState.OPEN:
        return "PARTIALLY_FILLED" if order.filled else "NEW"
    if order.state is OrderState.FILLED:
        return "FILLED"
    return "PARTIALLY_CANCELED" if order.filled else "CANCELED"


def _ws_status(order: SimOrder) -> int:
    if order.state is OrderState.OPEN:
        return 3 if order.filled else 1
    if order.state is OrderState.FILLED:
        return 2
    return 5 if order.filled else 4


def _mexc_type(order: SimOrder) -> str:
    return str(order.extra.get("type", "LIMIT"))


def levels(rows: list[tuple[Decimal, Decimal]]) -> list[list[str]]:
    return [[fmt(price), fmt(quantity)] for price, quantity in rows]


# --- REST -------------------------------------------------------------------------------------------
def order_ack(order: SimOrder) -> dict[str, Any]:
    return {
        "symbol": order.symbol,
        "orderId": order.order_id,
        "orderListId": -1,
        "price": fmt(order.price or ZERO),
        "origQty": fmt(order.quantity),
        "type": _mexc_type(order),
        "side": order.side.value.upper(),
        "stpMode": "",
        "transactTime": _ms(order.created_us),
    }


def order_rest(order: SimOrder, status: str | None = None) -> dict[str, Any]:
    """``GET /api/v3/order`` shape; ``status`` overrides (a cancel answer shows the prior state)."""
    return {
        "symbol": order.symbol,
        "orderId": order.order_id,
        "orderListId": -1,
        "clientOrderId": order.client_order_id,
        "price": fmt(order.price or ZERO),
        "origQty": fmt(order.quantity),
        "executedQty": fmt(order.filled),
        "cummulativeQuoteQty": fmt(order.filled_quote),
        "status": status or order_status(order),
        "stpMode": "",
        "timeInForce": None,
        "type": _mexc_type(order),
        "side": order.side.value.upper(),
        "stopPrice": None,
        "icebergQty": None,
        "time": _ms(order.created_us),
        "updateTime": _ms(order.updated_us),
        "isWorking": True,
        "origQuoteOrderQty": fmt(order.quote_quantity or order.quantity * (order.price or ZERO)),
    }


def public_trade_rest(fill: Fill) -> dict[str, Any]:
    buyer_maker = fill.taker_side is Side.SELL
    return {
        "id": None,
        "price": fmt(fill.price),
        "qty": fmt(fill.quantity),
        "quoteQty": fmt(fill.quote_quantity),
        "time": _ms(fill.ts_us),
        "isBuyerMaker": buyer_maker,
        "isBestMatch": True,
        "tradeType": "ASK" if buyer_maker else "BID",
    }


def my_trade_rest(fill: Fill, maker: bool) -> dict[str, Any]:
    own = fill.maker if maker else fill.taker
    return {
        "symbol": fill.symbol,
        "id": f"{fill.trade_id}X{1 if maker else 2}",
        "orderId": own.order_id,
        "orderListId": -1,
        "price": fmt(fill.price),
        "qty": fmt(fill.quantity),
        "quoteQty": fmt(fill.quote_quantity),
        "commission": fmt(fill.maker_fee if maker else fill.taker_fee),
        "commissionAsset": own.fee_asset,
        "time": _ms(fill.ts_us),
        "isBuyer": own.side is Side.BUY,
        "isMaker": maker,
        "isBestMatch": True,
        "isSelfTrade": fill.maker.account_id == fill.taker.account_id,
        "clientOrderId": own.client_order_id,
    }


# --- protobuf pushes ----------------------------------------------------------------------------------
def wrapper(channel: str, send_ms: int, symbol: str | None = None) -> pb.PushDataV3ApiWrapper:
    message = pb.PushDataV3ApiWrapper(channel=channel, sendTime=send_ms)
    if symbol is not None:
        message.symbol = symbol
    return message


def private_order(order: SimOrder, channel: str, send_ms: int) -> bytes:
    message = wrapper(channel, send_ms, order.symbol)
    body = message.privateOrders
    by_quote = order.quote_quantity is not None
    body.id = order.order_id
    body.clientId = order.client_order_id or ""
    body.price = fmt(order.price or ZERO)
    body.quantity = fmt(order.quantity)
    body.amount = fmt(
        order.quote_quantity if by_quote and order.quote_quantity else order.quantity * (order.price or ZERO)
    )
    body.avgPrice = fmt(order.average_price)
    body.orderType = WS_ORDER_TYPE.get((order.order_type, order.time_in_force), 5)
    body.tradeType = 1 if order.side is Side.BUY else 2
    body.remainAmount = fmt(order.remaining_quote if by_quote else order.remaining * (order.price or ZERO))
    body.remainQuantity = fmt(ZERO if by_quote else order.remaining)
    body.cumulativeQuantity = fmt(order.filled)
    body.cumulativeAmount = fmt(order.filled_quote)
    body.status = _ws_status(order)
    body.createTime = _ms(order.created_us)
    data: bytes = message.SerializeToString()
    return data


def private_deal(fill: Fill, maker: bool, channel: str, send_ms: int) -> bytes:
    own = fill.maker if maker else fill.taker
    message = wrapper(channel, send_ms, fill.symbol)
    body = message.privateDeals
    body.price = fmt(fill.price)
    body.quantity = fmt(fill.quantity)
    body.amount = fmt(fill.quote_quantity)
    body.tradeType = 1 if own.side is Side.BUY else 2
    body.isMaker = maker
    body.isSelfTrade = fill.maker.account_id == fill.taker.account_id
    body.tradeId = f"{fill.trade_id}X{1 if maker else 2}"
    body.clientOrderId = own.client_order_id or ""
    body.orderId = own.order_id
    body.feeAmount = fmt(fill.maker_fee if maker else fill.taker_fee)
    body.feeCurrency = own.fee_asset
    body.time = _ms(fill.ts_us)
    data: bytes = message.SerializeToString()
    return data


def private_account(change: BalanceChange, channel: str, send_ms: int) -> bytes:
    message = wrapper(channel, send_ms)
    message.createTime = _ms(change.ts_us)
    body = message.privateAccount
    body.vcoinName = change.asset
    body.coinId = hashlib.md5(change.asset.encode(), usedforsecurity=False).hexdigest()
    body.balanceAmount = fmt(change.free)
    body.balanceAmountChange = fmt(change.delta_free)
    body.frozenAmount = fmt(change.locked)
    body.frozenAmountChange = fmt(change.delta_locked)
    body.type = ACCOUNT_CHANGE_TYPE.get(change.reason, "ENTRUST")
    body.time = _ms(change.ts_us)
    data: bytes = message.SerializeToString()
    return data
