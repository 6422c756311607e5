"""MEXC spot REST wire shapes (msgspec Structs) and their conversion to domain types (reference sections 3, 5, 6).

Each Struct keeps a raw sample in its docstring; tests parse the same payloads from ``tests/fixtures/mexc``.
Decoders are built once with ``strict=False`` (numbers sometimes arrive as strings: ``"lastUpdateId":
"744267132"``, ``"time": "1707671871000"``); prices and quantities decode straight into ``Decimal``.
Symbols are resolved by the caller (a native id is never split): ``to_domain`` takes the :class:`Symbol`.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec

from app.domain.enums import ExchangeEnum, OrderStatus, OrderType, Side, TimeInForce, TradingStatus
from app.domain.models import (
    ZERO,
    Balance,
    BookTicker,
    Execution,
    Order,
    OrderBook,
    PriceLevel,
    SymbolInfo,
    Trade,
)
from app.domain.symbol import Symbol
from app.exchanges.mexc import constants as c

MEXC = ExchangeEnum.MEXC
Level = tuple[Decimal, Decimal]


def to_decimal(text: str | None) -> Decimal:
    """``""``/``None`` (MEXC sends both for unknown quantities) -> 0."""
    return Decimal(text) if text else ZERO


def public_trade_id(time_ms: int, price: Decimal, quantity: Decimal, side: Side) -> str:
    """MEXC trade ids are ``null`` in REST and often empty in pushes: a stable id from (time, price, qty, side)."""
    return f"{time_ms}-{price}-{quantity}-{side.value}"


# --- public ---------------------------------------------------------------------------------------
class ServerTime(msgspec.Struct):
    """``GET /api/v3/time``: ``{"serverTime" : 1645539742000}``."""

    serverTime: int


class ExchangeInfoSymbol(msgspec.Struct):
    """``GET /api/v3/exchangeInfo`` symbol (real, Jan 2025)::

    {"symbol":"BROCKUSDT","status":"1","baseAsset":"BROCK","baseAssetPrecision":2,"quoteAsset":"USDT",
     "quotePrecision":5,"quoteAssetPrecision":5,"baseCommissionPrecision":2,"quoteCommissionPrecision":5,
     "orderTypes":["LIMIT","MARKET","LIMIT_MAKER"],"isSpotTradingAllowed":true,"isMarginTradingAllowed":false,
     "quoteAmountPrecision":"1","baseSizePrecision":"0","permissions":["SPOT"],"filters":[],
     "maxQuoteAmount":"2000000","makerCommission":"0.0005","takerCommission":"0.0005",
     "quoteAmountPrecisionMarket":"1","maxQuoteAmountMarket":"100000","fullName":"Bitrock","tradeSideType":1}
    """

    symbol: str
    baseAsset: str
    quoteAsset: str
    baseAssetPrecision: int
    status: str | int = "1"
    quoteAssetPrecision: int | None = None
    quotePrecision: int | None = None
    baseSizePrecision: Decimal = ZERO
    quoteAmountPrecision: Decimal = ZERO
    makerCommission: Decimal = ZERO
    takerCommission: Decimal = ZERO
    tradeSideType: str | int | None = None  # a number in real payloads, a string in the docs

    def to_domain(self) -> SymbolInfo:
        lot = Decimal(1).scaleb(-self.baseAssetPrecision)
        price_decimals = self.quoteAssetPrecision if self.quoteAssetPrecision is not None else self.quotePrecision
        status = c.STATUS_FROM_MEXC.get(str(self.status), TradingStatus.HALTED)
        side_type = None if self.tradeSideType is None else str(self.tradeSideType)
        if status is TradingStatus.TRADING and side_type is not None:
            if side_type == "4":  # "close": no new positions
                status = TradingStatus.HALTED
            status = c.TRADE_SIDE_TYPE.get(side_type, status)
        return SymbolInfo(
            exchange=MEXC,
            symbol=Symbol(self.baseAsset.upper(), self.quoteAsset.upper()),
            native=self.symbol,
            tick_size=Decimal(1).scaleb(-(price_decimals if price_decimals is not None else 8)),
            lot_size=lot,
            min_quantity=max(self.baseSizePrecision, lot),
            min_notional=self.quoteAmountPrecision,
            status=status,
            maker_fee=self.makerCommission,
            taker_fee=self.takerCommission,
        )


class ExchangeInfo(msgspec.Struct):
    """``{"timezone":"CST","serverTime":1737623435453,"rateLimits":[],"exchangeFilters":[],"symbols":[...]}``."""

    symbols: list[ExchangeInfoSymbol]
    serverTime: int = 0


class Depth(msgspec.Struct):
    """``GET /api/v3/depth`` (real, ccxt fixture)::

    {"lastUpdateId":"20453289489","bids":[["45995.47","10.337165"]],"asks":[["45995.48","13.457322"]],
     "timestamp":"1704908526228"}
    """

    lastUpdateId: int
    bids: list[Level]
    asks: list[Level]
    timestamp: int = 0

    def to_domain(self, symbol: Symbol, received_ms: int) -> OrderBook:
        return OrderBook(
            exchange=MEXC,
            symbol=symbol,
            bids=tuple(PriceLevel(p, q) for p, q in self.bids),
            asks=tuple(PriceLevel(p, q) for p, q in self.asks),
            sequence=self.lastUpdateId,
            timestamp_ms=self.timestamp or received_ms,
        )


class PublicTrade(msgspec.Struct):
    """``GET /api/v3/trades`` item (real, Jan 2025; ``id`` is always null)::

    {"id":null,"price":"3219.58","qty":"0.04757","quoteQty":"153.1554206","time":1737623988881,
     "isBuyerMaker":false,"isBestMatch":true,"tradeType":"BID"}
    """

    price: Decimal
    qty: Decimal
    time: int
    isBuyerMaker: bool
    id: str | None = None

    def to_domain(self, symbol: Symbol) -> Trade:
        side = Side.SELL if self.isBuyerMaker else Side.BUY  # the taker's side
        return Trade(
            exchange=MEXC,
            symbol=symbol,
            trade_id=self.id or public_trade_id(self.time, self.price, self.qty, side),
            price=self.price,
            quantity=self.qty,
            side=side,
            timestamp_ms=self.time,
        )


class BookTickerRest(msgspec.Struct):
    """``GET /api/v3/ticker/bookTicker?symbol=AEUSDT``::

    {"symbol":"AEUSDT","bidPrice":"0.11001","bidQty":"115.59","askPrice":"0.11127","askQty":"215.48"}
    """

    symbol: str
    bidPrice: str | None = None
    bidQty: str | None = None
    askPrice: str | None = None
    askQty: str | None = None

    def to_domain(self, symbol: Symbol, received_ms: int) -> BookTicker:
        return BookTicker(
            exchange=MEXC,
            symbol=symbol,
            bid_price=to_decimal(self.bidPrice),
            bid_quantity=to_decimal(self.bidQty),
            ask_price=to_decimal(self.askPrice),
            ask_quantity=to_decimal(self.askQty),
            timestamp_ms=received_ms,
        )


class Ticker24hr(BookTickerRest):
    """``GET /api/v3/ticker/24hr?symbol=BTCUSDT`` (real, ccxt fixture; ``bidQty`` may be ``""``)::

    {"symbol":"BTCUSDT","priceChange":"1248.51","priceChangePercent":"0.0173","prevClosePrice":"72149.26",
     "lastPrice":"73397.77","bidPrice":"73369.83","bidQty":"10.010045","askPrice":"73369.84",
     "askQty":"6.337532","openPrice":"72149.26","highPrice":"73639.99","lowPrice":"68629.42",
     "volume":"7729.258925","quoteVolume":"554877037.44","openTime":"1710328232149",
     "closeTime":"1710328251172","count":null}
    """

    lastPrice: str | None = None
    priceChangePercent: str | None = None
    volume: str | None = None
    quoteVolume: str | None = None
    closeTime: int = 0


class TickerPrice(msgspec.Struct):
    """``GET /api/v3/ticker/price?symbol=BTCUSDT``: ``{"symbol": "BTCUSDT", "price": "184.34"}``."""

    symbol: str
    price: Decimal


# --- private ---------------------------------------------------------------------------------------
def _type(kind: str) -> tuple[OrderType, TimeInForce]:
    return c.TYPE_FROM_MEXC.get(kind, (OrderType.LIMIT, TimeInForce.GTC))


class OrderAck(msgspec.Struct):
    """``POST /api/v3/order`` answer: no ``status``, no fills (they come from the stream / ``GET /order``)::

    {"symbol":"MXUSDT","orderId":"06a480e69e604477bfb48dddd5f0b750","orderListId":-1,"price":"0.1",
     "origQty":"50","type":"LIMIT","side":"BUY","transactTime":1666676533741}
    """

    symbol: str
    orderId: str
    side: str
    type: str
    price: Decimal = ZERO
    origQty: Decimal = ZERO
    transactTime: int = 0

    def to_domain(self, symbol: Symbol, client_order_id: str | None) -> Order:
        order_type, tif = _type(self.type)
        return Order(
            exchange=MEXC,
            symbol=symbol,
            order_id=self.orderId,
            client_order_id=client_order_id,
            side=c.SIDE_FROM_MEXC[self.side],
            order_type=order_type,
            price=self.price or None,
            quantity=self.origQty,
            filled_quantity=ZERO,
            status=OrderStatus.NEW,  # accepted; the stream / a lookup tells what happened next
            time_in_force=tif,
            timestamp_ms=self.transactTime,
            update_ms=self.transactTime,
        )


class OrderRest(msgspec.Struct):
    """``GET /api/v3/order`` / ``openOrders`` item (real, Sep 2025; ``cummulativeQuoteQty`` double m)::

    {"symbol":"ZANOUSDT","orderId":"C02__593034730388221952036","orderListId":-1,"clientOrderId":"11",
     "price":"17.341","origQty":"0.11","executedQty":"0.11","cummulativeQuoteQty":"1.90751","status":"FILLED",
     "stpMode":"","timeInForce":null,"type":"LIMIT","side":"SELL","stopPrice":null,"icebergQty":null,
     "time":1757172734000,"updateTime":1757177392000,"isWorking":true,"origQuoteOrderQty":"1.90751"}

    The DELETE answer has the same shape but reports the state *before* the cancel (``"NEW"``): pass
    ``cancelled=True`` to report what a successful cancel means.
    """

    symbol: str
    orderId: str
    side: str
    type: str
    price: Decimal = ZERO
    origQty: Decimal = ZERO
    executedQty: Decimal = ZERO
    cummulativeQuoteQty: Decimal = ZERO
    status: str | None = None
    clientOrderId: str | None = None
    origClientOrderId: str | None = None
    time: int = 0
    updateTime: int | None = None

    def to_domain(self, symbol: Symbol, *, cancelled: bool = False) -> Order:
        order_type, tif = _type(self.type)
        filled = self.executedQty
        if cancelled:
            status = OrderStatus.CANCELLED
        else:
            status = c.ORDER_STATUS_FROM_MEXC.get(self.status or "", OrderStatus.UNKNOWN)
        quantity = self.origQty if self.origQty > 0 else filled  # a market buy sized in quote has origQty 0
        return Order(
            exchange=MEXC,
            symbol=symbol,
            order_id=self.orderId,
            client_order_id=self.clientOrderId or self.origClientOrderId or None,
            side=c.SIDE_FROM_MEXC[self.side],
            order_type=order_type,
            price=self.price or None,
            quantity=quantity,
            filled_quantity=filled,
            status=status,
            time_in_force=tif,
            average_price=(self.cummulativeQuoteQty / filled) if filled > 0 else None,
            timestamp_ms=self.time,
            update_ms=self.updateTime or self.time,
        )


class AccountBalance(msgspec.Struct):
    """``{"asset": "NBNTEST", "free": "1111078", "locked": "33"}``."""

    asset: str
    free: Decimal
    locked: Decimal = ZERO

    def to_domain(self) -> Balance:
        return Balance(asset=self.asset.upper(), free=self.free, locked=self.locked)


class Account(msgspec.Struct):
    """``GET /api/v3/account``::

    {"canTrade":true,"canWithdraw":true,"canDeposit":true,"updateTime":null,"accountType":"SPOT",
     "balances":[{"asset":"NBNTEST","free":"1111078","locked":"33"}],"permissions":["SPOT"]}
    """

    balances: list[AccountBalance]


class MyTrade(msgspec.Struct):
    """``GET /api/v3/myTrades`` item (real, Jun 2025)::

    {"symbol":"FUSDUSDT","id":"565809460614950913X1","orderId":"C02__565809460614950913036","orderListId":-1,
     "price":"1","qty":"3","quoteQty":"3","commission":"0.0015","commissionAsset":"USDT","time":1750681724000,
     "isBuyer":true,"isMaker":false,"isBestMatch":true,"isSelfTrade":false,"clientOrderId":null}
    """

    symbol: str
    id: str
    orderId: str
    price: Decimal
    qty: Decimal
    time: int
    isBuyer: bool
    isMaker: bool
    commission: Decimal = ZERO
    commissionAsset: str | None = None
    clientOrderId: str | None = None

    def to_domain(self, symbol: Symbol) -> Execution:
        return Execution(
            exchange=MEXC,
            symbol=symbol,
            trade_id=self.id,
            order_id=self.orderId,
            client_order_id=self.clientOrderId or None,
            side=Side.BUY if self.isBuyer else Side.SELL,
            price=self.price,
            quantity=self.qty,
            fee=self.commission,
            fee_asset=self.commissionAsset,
            is_maker=self.isMaker,
            timestamp_ms=self.time,
        )


class ListenKey(msgspec.Struct):
    """``POST``/``PUT``/``DELETE /api/v3/userDataStream``: ``{"listenKey": "pqia91ma19a5s61cv6a81va65sdf..."}``."""

    listenKey: str


class ListenKeys(msgspec.Struct):
    """``GET /api/v3/userDataStream``: ``{"listenKey": ["c285bc36...", "87cb8da0..."]}``."""

    listenKey: list[str]


server_time_decoder = msgspec.json.Decoder(ServerTime, strict=False)
exchange_info_decoder = msgspec.json.Decoder(ExchangeInfo, strict=False)
depth_decoder = msgspec.json.Decoder(Depth, strict=False)
trades_decoder = msgspec.json.Decoder(list[PublicTrade], strict=False)
book_ticker_decoder = msgspec.json.Decoder(BookTickerRest, strict=False)
book_tickers_decoder = msgspec.json.Decoder(list[BookTickerRest], strict=False)
ticker_24hr_decoder = msgspec.json.Decoder(Ticker24hr, strict=False)
ticker_price_decoder = msgspec.json.Decoder(TickerPrice, strict=False)
order_ack_decoder = msgspec.json.Decoder(OrderAck, strict=False)
order_decoder = msgspec.json.Decoder(OrderRest, strict=False)
orders_decoder = msgspec.json.Decoder(list[OrderRest], strict=False)
account_decoder = msgspec.json.Decoder(Account, strict=False)
my_trades_decoder = msgspec.json.Decoder(list[MyTrade], strict=False)
listen_key_decoder = msgspec.json.Decoder(ListenKey, strict=False)
listen_keys_decoder = msgspec.json.Decoder(ListenKeys, strict=False)
