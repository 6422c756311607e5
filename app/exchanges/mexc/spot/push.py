"""MEXC protobuf pushes -> domain types (reference mexc.md 9.4-9.6). Called per frame: attribute reads only.

Samples (canonical protobuf-JSON renderings of what the binary frames hold; tests decode the binary vectors
of section 9.7 from ``tests/fixtures/mexc/ws``)::

    aggre.depth  {"channel":"spot@public.aggre.depth.v3.api.pb@100ms@BTCUSDT","symbol":"BTCUSDT",
                  "sendTime":"1754741322152","publicAggreDepths":{"asks":[{"price":"117145.49","quantity":"0"}],
                  "bids":[{"price":"117053.41","quantity":"1.86837271"}],"eventType":"...",
                  "fromVersion":"43296363236","toVersion":"43296363255"}}
    aggre.deals  {"publicAggreDeals":{"deals":[{"price":"93220.00","quantity":"0.04438243","tradeType":2,
                  "time":"1736409765051"}],"eventType":"..."}, ...}
    orders       {"privateOrders":{"id":"C02__583905164440776704043","price":"0.001053","quantity":"2000",
                  "amount":"0","avgPrice":"0.001007","orderType":5,"tradeType":1,"remainAmount":"0.092",
                  "remainQuantity":"0","lastDealQuantity":"2000","cumulativeQuantity":"2000",
                  "cumulativeAmount":"2.014","status":2,"createTime":"1754996075502"}, ...}
    account      {"privateAccount":{"vcoinName":"USDT","balanceAmount":"0.006016465074677006",
                  "frozenAmount":"4.4022","type":"ENTRUST_PLACE","time":"1758134605364"}, ...}

Quantities in depth pushes are absolute (``0`` removes the level). ``tradeType`` 1 = buy, 2 = sell; order
``status`` 1 new, 2 filled, 3 partially filled, 4 cancelled, 5 partially filled then cancelled.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from app.domain.enums import ExchangeEnum, OrderStatus, OrderType, TimeInForce
from app.domain.models import ZERO, Balance, BookTicker, Execution, Order, OrderBookDiff, PriceLevel, Trade
from app.domain.symbol import Symbol
from app.exchanges.mexc import constants as c
from app.exchanges.mexc.proto import mexc_push_pb2 as pb
from app.exchanges.mexc.spot.schemas import public_trade_id

MEXC = ExchangeEnum.MEXC
Level = tuple[Decimal, Decimal]


_new_tuple = tuple.__new__  # PriceLevel(p, q) through the named tuple's Python __new__ costs ~2x this


class DecimalCache(dict[str, Decimal]):
    """``cache[text]`` is ``Decimal(text)``, kept for the next frame: book prices repeat from frame to frame.

    Keyed by the exact text, so a hit is the very value ``Decimal(text)`` gives (``"1.0"`` and ``"1.00"`` are
    two entries). Bounded: when ``limit`` entries are held the cache is emptied and refills with what is hot.
    A hit is one C-level dict read (~30 ns) instead of a parse (~180 ns); invalid text raises as ``Decimal``
    does and is not stored.
    """

    __slots__ = ("limit",)

    def __init__(self, limit: int = 8192) -> None:
        super().__init__()
        self.limit = limit

    def __missing__(self, text: str) -> Decimal:
        if len(self) >= self.limit:
            self.clear()
        value = self[text] = Decimal(text)
        return value


PRICES = DecimalCache()  # depth prices of every MEXC symbol; quantities change too often to be worth caching


def _levels(items: Iterable[pb.PublicAggreDepthV3ApiItem | pb.PublicLimitDepthV3ApiItem]) -> list[PriceLevel]:
    """Depth items as the book's own level type, which the book stores as is (measured in ``scripts/bench``:
    plain tuples made the book build a second object per level)."""
    level_type, decimal, prices = PriceLevel, Decimal, PRICES
    return [_new_tuple(level_type, (prices[item.price], decimal(item.quantity))) for item in items]


def _dec(text: str) -> Decimal:
    return Decimal(text) if text else ZERO


def aggre_depth(wrapper: pb.PushDataV3ApiWrapper, symbol: Symbol) -> OrderBookDiff:
    """``publicAggreDepths`` -> a diff spanning versions ``fromVersion..toVersion`` (the per-frame hot path:
    the level conversion is inlined, one comprehension per side)."""
    body = wrapper.publicAggreDepths
    level_type, decimal, prices = PriceLevel, Decimal, PRICES
    # positional (hot path): exchange, symbol, first/last update id, bids, asks, timestamp
    return OrderBookDiff(
        MEXC,
        symbol,
        int(body.fromVersion),
        int(body.toVersion),
        [_new_tuple(level_type, (prices[item.price], decimal(item.quantity))) for item in body.bids],
        [_new_tuple(level_type, (prices[item.price], decimal(item.quantity))) for item in body.asks],
        wrapper.sendTime,
    )


def limit_depth(wrapper: pb.PushDataV3ApiWrapper, symbol: Symbol) -> OrderBookDiff:
    """``publicLimitDepths`` (top N, full each time) -> a snapshot diff at ``version``."""
    body = wrapper.publicLimitDepths
    version = int(body.version) if body.version else 0
    return OrderBookDiff(
        exchange=MEXC,
        symbol=symbol,
        first_update_id=version,
        last_update_id=version,
        bids=_levels(body.bids),
        asks=_levels(body.asks),
        timestamp_ms=wrapper.sendTime,
        is_snapshot=True,
    )


def aggre_deals(wrapper: pb.PushDataV3ApiWrapper, symbol: Symbol) -> list[Trade]:
    """``publicAggreDeals`` -> trades (taker side from ``tradeType``; id = ``tradeId`` or derived)."""
    trades = []
    for deal in wrapper.publicAggreDeals.deals:
        price, quantity, side = Decimal(deal.price), Decimal(deal.quantity), c.WS_TRADE_TYPE[deal.tradeType]
        trades.append(
            Trade(
                exchange=MEXC,
                symbol=symbol,
                trade_id=deal.tradeId or public_trade_id(deal.time, price, quantity, side),
                price=price,
                quantity=quantity,
                side=side,
                timestamp_ms=deal.time,
            )
        )
    return trades


def aggre_book_ticker(wrapper: pb.PushDataV3ApiWrapper, symbol: Symbol) -> BookTicker:
    """``publicAggreBookTicker`` -> best bid/ask (``version`` when the venue sends it, 2026+)."""
    body = wrapper.publicAggreBookTicker
    return BookTicker(
        exchange=MEXC,
        symbol=symbol,
        bid_price=_dec(body.bidPrice),
        bid_quantity=_dec(body.bidQuantity),
        ask_price=_dec(body.askPrice),
        ask_quantity=_dec(body.askQuantity),
        timestamp_ms=wrapper.sendTime,
        sequence=int(body.version) if body.version else None,
    )


def private_order(wrapper: pb.PushDataV3ApiWrapper, symbol: Symbol) -> Order:
    """``privateOrders`` -> :class:`Order` (``id`` = REST orderId, ``clientId`` = newClientOrderId)."""
    body = wrapper.privateOrders
    order_type, tif = c.WS_ORDER_TYPE.get(body.orderType, (OrderType.LIMIT, TimeInForce.GTC))
    filled = _dec(body.cumulativeQuantity)
    quantity = _dec(body.quantity)
    average = _dec(body.avgPrice)
    price = _dec(body.price)
    return Order(
        exchange=MEXC,
        symbol=symbol,
        order_id=body.id,
        client_order_id=body.clientId or None,
        side=c.WS_TRADE_TYPE[body.tradeType],
        order_type=order_type,
        price=price or None,
        quantity=quantity if quantity > 0 else filled,
        filled_quantity=filled,
        status=c.WS_ORDER_STATUS.get(body.status, OrderStatus.UNKNOWN),
        time_in_force=tif,
        average_price=average or None,
        timestamp_ms=body.createTime,
        update_ms=wrapper.sendTime or wrapper.createTime,
    )


def private_deal(wrapper: pb.PushDataV3ApiWrapper, symbol: Symbol) -> Execution:
    """``privateDeals`` -> one :class:`Execution` of ours."""
    body = wrapper.privateDeals
    return Execution(
        exchange=MEXC,
        symbol=symbol,
        trade_id=body.tradeId,
        order_id=body.orderId,
        client_order_id=body.clientOrderId or None,
        side=c.WS_TRADE_TYPE[body.tradeType],
        price=Decimal(body.price),
        quantity=Decimal(body.quantity),
        fee=_dec(body.feeAmount),
        fee_asset=body.feeCurrency or None,
        is_maker=body.isMaker,
        timestamp_ms=body.time,
    )


def private_account(wrapper: pb.PushDataV3ApiWrapper) -> Balance:
    """``privateAccount`` -> :class:`Balance` (free = ``balanceAmount``, locked = ``frozenAmount``)."""
    body = wrapper.privateAccount
    return Balance(asset=body.vcoinName.upper(), free=_dec(body.balanceAmount), locked=_dec(body.frozenAmount))


def push_symbol(wrapper: pb.PushDataV3ApiWrapper) -> str:
    """The native symbol of a push: the wrapper's ``symbol``, else the channel's symbol segment."""
    if wrapper.HasField("symbol"):
        return wrapper.symbol
    parts = wrapper.channel.split("@")
    return next((part for part in reversed(parts) if part.isalnum() and part.isupper() and not part.isdigit()), "")
