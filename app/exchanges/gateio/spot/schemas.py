"""Gate.io spot wire shapes (msgspec Structs) and their conversion to domain types.

Each Struct keeps a raw sample of what it parses in its docstring; the tests parse the same payloads
from ``tests/fixtures/gateio``. Decoders are built once (``strict=False`` so numeric strings such as
``"1731448079476"`` decode into ``int`` fields); prices and amounts decode straight into ``Decimal``.

Order status (reference 5.1, 9.7):

* REST ``status``: ``open`` -> NEW / PARTIALLY_FILLED (by filled amount), ``closed`` -> FILLED,
  ``cancelled`` -> by ``finish_as`` (table ``FINISH_AS_STATUS``: ioc/fok -> EXPIRED, poc/stp/small/... ->
  REJECTED when nothing filled, otherwise CANCELLED).
* WS ``event``: ``put`` -> NEW, ``update`` -> PARTIALLY_FILLED (FILLED once ``left`` is 0),
  ``finish`` -> FILLED when ``finish_as`` is ``filled`` or ``left`` is 0, else by ``finish_as`` as above.

Market buys: Gate's ``amount`` (and ``left``) are in the *quote* currency. The domain ``Order`` is in
base units, so a market buy reports ``quantity = filled_quantity =`` the base filled (``filled_amount``,
or ``filled_total / avg_deal_price`` when the venue omits it).
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
    OrderBookDiff,
    PriceLevel,
    SymbolInfo,
    Trade,
)
from app.domain.symbol import Symbol
from app.exchanges.gateio.constants import (
    CLIENT_ID_PREFIX,
    FINISH_AS_STATUS,
    ORDER_TYPE_FROM_GATE,
    SIDE_FROM_GATE,
    TIF_FROM_GATE,
    TRADE_STATUS_FROM_GATE,
)

GATEIO = ExchangeEnum.GATEIO
Level = tuple[Decimal, Decimal]

_SYMBOLS: dict[str, Symbol] = {}


def symbol_from_native(native: str) -> Symbol:
    """``"BTC_USDT"`` -> ``Symbol("BTC", "USDT")`` (split on the first ``_``; cached per id)."""
    symbol = _SYMBOLS.get(native)
    if symbol is None:
        base, _, quote = native.partition("_")
        symbol = Symbol(base.upper(), quote.upper())
        _SYMBOLS[native] = symbol
    return symbol


def native_symbol(symbol: Symbol) -> str:
    """``Symbol("BTC", "USDT")`` -> ``"BTC_USDT"``."""
    return f"{symbol.base}_{symbol.quote}"


def _client_id(text: str) -> str | None:
    return text if text.startswith(CLIENT_ID_PREFIX) else None


def _finished_status(finish_as: str, filled: Decimal, left: Decimal) -> OrderStatus:
    if finish_as == "filled" or (left == 0 and filled > 0):
        return OrderStatus.FILLED
    status = FINISH_AS_STATUS.get(finish_as, OrderStatus.CANCELLED)
    if status is OrderStatus.REJECTED and filled > 0:
        return OrderStatus.CANCELLED
    return status


def rest_order_status(status: str, finish_as: str, filled: Decimal, left: Decimal) -> OrderStatus:
    """REST ``status`` (open/closed/cancelled) + ``finish_as`` -> :class:`OrderStatus`."""
    if status == "open":
        return OrderStatus.PARTIALLY_FILLED if filled > 0 else OrderStatus.NEW
    if status == "closed":
        return OrderStatus.FILLED
    if status == "cancelled":
        return _finished_status(finish_as, filled, left)
    return OrderStatus.UNKNOWN


def ws_order_status(event: str, finish_as: str, filled: Decimal, left: Decimal) -> OrderStatus:
    """WS ``event`` (put/update/finish) + ``finish_as`` + ``left`` -> :class:`OrderStatus`."""
    if event == "put":
        return OrderStatus.PARTIALLY_FILLED if filled > 0 else OrderStatus.NEW
    if event == "update":
        if filled > 0:
            return OrderStatus.FILLED if left == 0 else OrderStatus.PARTIALLY_FILLED
        return OrderStatus.NEW
    if event == "finish":
        return _finished_status(finish_as, filled, left)
    return OrderStatus.UNKNOWN


# --- public REST ---------------------------------------------------------------------------------
class CurrencyPair(msgspec.Struct):
    """``GET /spot/currency_pairs`` item::

    {"id":"ETH_USDT","base":"ETH","base_name":"Ethereum","quote":"USDT","quote_name":"Tether","fee":"0.2",
     "min_base_amount":"0.001","min_quote_amount":"1.0","max_base_amount":"10000","max_quote_amount":"10000000",
     "amount_precision":3,"precision":6,"trade_status":"tradable","sell_start":1516378650,"buy_start":1516378650}
    """

    id: str
    base: str
    quote: str
    amount_precision: int
    precision: int
    fee: Decimal = ZERO
    min_base_amount: Decimal | None = None
    min_quote_amount: Decimal | None = None
    max_base_amount: Decimal | None = None
    trade_status: str = "tradable"

    def to_domain(self) -> SymbolInfo:
        lot = Decimal(1).scaleb(-self.amount_precision)
        fee_rate = self.fee / 100
        return SymbolInfo(
            exchange=GATEIO,
            symbol=Symbol(self.base.upper(), self.quote.upper()),
            native=self.id,
            tick_size=Decimal(1).scaleb(-self.precision),
            lot_size=lot,
            min_quantity=self.min_base_amount if self.min_base_amount is not None else lot,
            min_notional=self.min_quote_amount if self.min_quote_amount is not None else ZERO,
            status=TRADE_STATUS_FROM_GATE.get(self.trade_status, TradingStatus.HALTED),
            max_quantity=self.max_base_amount,
            maker_fee=fee_rate,
            taker_fee=fee_rate,
        )


class OrderBookSnapshot(msgspec.Struct):
    """``GET /spot/order_book?currency_pair=BTC_USDT&limit=100&with_id=true``::

    {"id":123456,"current":1623898993123,"update":1623898993121,
     "asks":[["1.52","1.151"],["1.53","1.218"]],"bids":[["1.17","201.863"],["1.16","725.464"]]}
    """

    current: int
    asks: list[Level]
    bids: list[Level]
    id: int = 0
    update: int = 0

    def to_domain(self, symbol: Symbol) -> OrderBook:
        return OrderBook(
            exchange=GATEIO,
            symbol=symbol,
            bids=tuple(PriceLevel(p, q) for p, q in self.bids),
            asks=tuple(PriceLevel(p, q) for p, q in self.asks),
            sequence=self.id,
            timestamp_ms=self.current,
        )


class PublicTrade(msgspec.Struct):
    """``GET /spot/trades`` item (real capture, ccxt fixture)::

    {"id":"7835390042","create_time":"1710327648","create_time_ms":"1710327648162.035000",
     "currency_pair":"BTC_USDT","side":"buy","amount":"0.00020","price":"73236.4","sequence_id":"29014746"}
    """

    id: str
    currency_pair: str
    side: str
    amount: Decimal
    price: Decimal
    create_time_ms: Decimal = ZERO

    def to_domain(self) -> Trade:
        return Trade(
            exchange=GATEIO,
            symbol=symbol_from_native(self.currency_pair),
            trade_id=self.id,
            price=self.price,
            quantity=self.amount,
            side=SIDE_FROM_GATE[self.side],
            timestamp_ms=int(self.create_time_ms),
        )


class Ticker(msgspec.Struct):
    """``GET /spot/tickers?currency_pair=BTC_USDT`` item (real capture, ccxt fixture)::

    {"currency_pair":"BTC_USDT","last":"73373.9","lowest_ask":"73364.2","highest_bid":"73364.1",
     "change_percentage":"1.71","base_volume":"3410.0783503636","quote_volume":"243764368.46418",
     "high_24h":"73636.3","low_24h":"68629.9"}

    ``lowest_size``/``highest_size`` only come on single-pair queries (0 when absent).
    """

    currency_pair: str
    lowest_ask: Decimal | None = None
    highest_bid: Decimal | None = None
    lowest_size: Decimal | None = None
    highest_size: Decimal | None = None
    last: Decimal | None = None

    def to_domain(self, timestamp_ms: int) -> BookTicker:
        return BookTicker(
            exchange=GATEIO,
            symbol=symbol_from_native(self.currency_pair),
            bid_price=self.highest_bid if self.highest_bid is not None else ZERO,
            bid_quantity=self.highest_size if self.highest_size is not None else ZERO,
            ask_price=self.lowest_ask if self.lowest_ask is not None else ZERO,
            ask_quantity=self.lowest_size if self.lowest_size is not None else ZERO,
            timestamp_ms=timestamp_ms,
        )


class ServerTime(msgspec.Struct):
    """``GET /spot/time``: ``{"server_time":1597026383085}`` (real capture sends a string: ``"1731448079476"``)."""

    server_time: int


# --- orders (REST and WS) ------------------------------------------------------------------------
class _OrderFields(msgspec.Struct, kw_only=True):
    id: str = ""
    currency_pair: str = ""
    side: str = "buy"
    text: str = ""
    type: str = "limit"
    amount: Decimal = ZERO
    price: Decimal = ZERO
    time_in_force: str = "gtc"
    left: Decimal = ZERO
    filled_amount: Decimal | None = None
    filled_total: Decimal = ZERO
    avg_deal_price: Decimal = ZERO
    fee: Decimal = ZERO
    fee_currency: str = ""
    finish_as: str = ""
    create_time_ms: Decimal = ZERO
    update_time_ms: Decimal = ZERO

    def _is_market_buy(self) -> bool:
        return self.type == "market" and self.side == "buy"

    def _filled_base(self) -> Decimal:
        if self._is_market_buy():
            if self.filled_amount is not None:
                return self.filled_amount
            return self.filled_total / self.avg_deal_price if self.avg_deal_price > 0 else ZERO
        return self.amount - self.left

    def _to_order(self, status: OrderStatus, filled: Decimal) -> Order:
        order_type = ORDER_TYPE_FROM_GATE.get(self.type, OrderType.LIMIT)
        return Order(
            exchange=GATEIO,
            symbol=symbol_from_native(self.currency_pair),
            order_id=self.id,
            client_order_id=_client_id(self.text),
            side=SIDE_FROM_GATE[self.side],
            order_type=order_type,
            price=self.price if self.price > 0 else None,
            quantity=filled if self._is_market_buy() else self.amount,
            filled_quantity=filled,
            status=status,
            time_in_force=TIF_FROM_GATE.get(self.time_in_force, TimeInForce.GTC),
            average_price=self.avg_deal_price if self.avg_deal_price > 0 else None,
            fee=self.fee,
            fee_asset=self.fee_currency or None,
            timestamp_ms=int(self.create_time_ms),
            update_ms=int(self.update_time_ms),
        )


class SpotOrder(_OrderFields, kw_only=True):
    """Order object of ``POST /spot/orders``, ``GET/DELETE /spot/orders[/{id}]`` (real capture)::

    {"id":"497245022561","text":"apiv4","amend_text":"-","create_time":"1706382263","update_time":"1706382263",
     "create_time_ms":"1706382263841","update_time_ms":"1706382263841","status":"closed",
     "currency_pair":"LTC_USDT","type":"market","account":"spot","side":"buy","amount":"5.0","price":"0.0",
     "time_in_force":"ioc","iceberg":"0.0","left":"0.001015","fill_price":"4.998985","filled_total":"4.998985",
     "avg_deal_price":"68.02","fee":"0.000147","fee_currency":"LTC","point_fee":"0.0","gt_fee":"0.0",
     "gt_discount":false,"rebated_fee":"0.0","rebated_fee_currency":"USDT","finish_as":"filled"}

    Cancel-all items add ``"succeeded":true,"label":null,"message":null``.
    """

    status: str = ""
    succeeded: bool | None = None
    label: str | None = None
    message: str | None = None

    def to_domain(self) -> Order:
        filled = self._filled_base()
        return self._to_order(rest_order_status(self.status, self.finish_as, filled, self.left), filled)


class OpenOrdersGroup(msgspec.Struct):
    """``GET /spot/open_orders`` item (real capture)::

    {"currency_pair":"BTC_USDT","total":"1","orders":[{"id":"700604309511","text":"web",...,"status":"open",...}]}
    """

    currency_pair: str
    orders: list[SpotOrder]
    total: int = 0


class WsOrder(_OrderFields, kw_only=True):
    """``spot.orders`` result item::

    {"id":"399123456","text":"t-testtext","create_time":"1694655225","update_time":"1694655225",
     "currency_pair":"BTC_USDT","type":"limit","account":"spot","side":"sell","amount":"0.0001",
     "price":"26253.3","time_in_force":"gtc","left":"0.0001","filled_total":"0","avg_deal_price":"0",
     "fee":"0","fee_currency":"USDT","create_time_ms":"1694655225315","update_time_ms":"1694655225315",
     "user":3497082,"event":"put","stp_id":0,"stp_act":"-","finish_as":"open"}

    (The reference's ``filled_amount`` of this sample is inconsistent, so limit orders use ``amount - left``.)
    """

    event: str = ""

    def to_domain(self) -> Order:
        filled = self._filled_base()
        return self._to_order(ws_order_status(self.event, self.finish_as, filled, self.left), filled)


# --- account -------------------------------------------------------------------------------------
class SpotAccount(msgspec.Struct):
    """``GET /spot/accounts`` item: ``{"currency":"ETH","available":"968.8","locked":"0","update_id":98}``."""

    currency: str
    available: Decimal
    locked: Decimal = ZERO

    def to_domain(self) -> Balance:
        return Balance(asset=self.currency, free=self.available, locked=self.locked)


class MyTrade(msgspec.Struct):
    """``GET /spot/my_trades`` item (real capture)::

    {"id":"7342180137","create_time":"1706382263","create_time_ms":"1706382263841.325000",
     "currency_pair":"LTC_USDT","side":"buy","role":"taker","amount":"0.025","price":"68.02",
     "order_id":"497245022561","fee":"0.000050","fee_currency":"LTC","point_fee":"0.0","gt_fee":"0.0",
     "amend_text":"-","sequence_id":"1388786","text":"apiv4"}
    """

    id: str | int
    currency_pair: str
    side: str
    amount: Decimal
    price: Decimal
    order_id: str = ""
    role: str = "taker"
    fee: Decimal = ZERO
    fee_currency: str | None = None
    text: str = ""
    create_time_ms: Decimal = ZERO

    def to_domain(self) -> Execution:
        return Execution(
            exchange=GATEIO,
            symbol=symbol_from_native(self.currency_pair),
            trade_id=str(self.id),
            order_id=self.order_id,
            client_order_id=_client_id(self.text),
            side=SIDE_FROM_GATE[self.side],
            price=self.price,
            quantity=self.amount,
            fee=self.fee,
            fee_asset=self.fee_currency or None,
            is_maker=self.role == "maker",
            timestamp_ms=int(self.create_time_ms),
        )


class WsUserTrade(MyTrade):
    """``spot.usertrades`` result item::

    {"id":5736713,"user_id":1000001,"order_id":"30784428","currency_pair":"BTC_USDT","create_time":1605176741,
     "create_time_ms":"1605176741123.456","side":"sell","amount":"1.00000000","role":"taker",
     "price":"10000.00000000","fee":"0.00200000000000","point_fee":"0","gt_fee":"0","text":"apiv4",
     "id_market":5736713}
    """


# --- public WS -----------------------------------------------------------------------------------
class WsOrderBookUpdate(msgspec.Struct):
    """``spot.order_book_update`` result (``full`` only on snapshot messages)::

    {"t":1606294781123,"full":true,"l":"100","e":"depthUpdate","E":1606294781,"s":"BTC_USDT",
     "U":48776301,"u":48776306,"b":[["19137.74","0.0001"],["19088.37","0"]],"a":[["19137.75","0.6135"]]}
    """

    t: int
    s: str
    U: int
    u: int
    b: list[PriceLevel] = []  # decoded straight into the book's level type (stored as is)
    a: list[PriceLevel] = []
    full: bool = False

    def to_domain(self) -> OrderBookDiff:
        # positional (hot path): exchange, symbol, first/last update id, bids, asks, timestamp, is_snapshot
        symbol = _SYMBOLS.get(self.s) or symbol_from_native(self.s)
        return OrderBookDiff(GATEIO, symbol, self.U, self.u, self.b, self.a, self.t, self.full)


class WsTrade(msgspec.Struct):
    """``spot.trades`` result (one trade per message; ``side`` = taker side)::

    {"id":309143071,"create_time":1606292218,"create_time_ms":"1606292218213.4578","side":"sell",
     "currency_pair":"GT_USDT","amount":"16.4700000000","price":"0.4705000000","range":"2390902-2390902",
     "id_market":5736713}
    """

    id: int | str
    currency_pair: str
    side: str
    amount: Decimal
    price: Decimal
    create_time_ms: Decimal = ZERO

    def to_domain(self) -> Trade:
        return Trade(
            exchange=GATEIO,
            symbol=symbol_from_native(self.currency_pair),
            trade_id=str(self.id),
            price=self.price,
            quantity=self.amount,
            side=Side.BUY if self.side == "buy" else Side.SELL,
            timestamp_ms=int(self.create_time_ms),
        )


class WsBookTicker(msgspec.Struct):
    """``spot.book_ticker`` result (``u`` = order-book update id)::

    {"t":1606293275123,"u":48733182,"s":"BTC_USDT","b":"19177.79","B":"0.0003341504","a":"19179.38","A":"0.09"}
    """

    t: int
    u: int
    s: str
    b: str
    B: Decimal
    a: str
    A: Decimal

    def to_domain(self) -> BookTicker | None:
        """The ticker, or None when a side is empty (the venue sends ``""``): never a price of 0."""
        if not self.b or not self.a:
            return None
        return BookTicker(
            exchange=GATEIO,
            symbol=symbol_from_native(self.s),
            bid_price=Decimal(self.b),
            bid_quantity=self.B,
            ask_price=Decimal(self.a),
            ask_quantity=self.A,
            timestamp_ms=self.t,
            sequence=self.u,
        )


class WsBalance(msgspec.Struct):
    """``spot.balances`` result item::

    {"timestamp":"1667556323","timestamp_ms":"1667556323730","user":"1000001","currency":"USDT","change":"0",
     "total":"222244.3827652","available":"222244.3827","freeze":"5","freeze_change":"5.000000",
     "change_type":"order-create"}
    """

    currency: str
    available: Decimal
    freeze: Decimal = ZERO
    change_type: str = ""
    timestamp_ms: int = 0

    def to_domain(self) -> Balance:
        return Balance(asset=self.currency, free=self.available, locked=self.freeze)


# --- decoders (built once) -----------------------------------------------------------------------
currency_pairs_decoder = msgspec.json.Decoder(list[CurrencyPair], strict=False)
order_book_decoder = msgspec.json.Decoder(OrderBookSnapshot, strict=False)
public_trades_decoder = msgspec.json.Decoder(list[PublicTrade], strict=False)
tickers_decoder = msgspec.json.Decoder(list[Ticker], strict=False)
server_time_decoder = msgspec.json.Decoder(ServerTime, strict=False)
order_decoder = msgspec.json.Decoder(SpotOrder, strict=False)
orders_decoder = msgspec.json.Decoder(list[SpotOrder], strict=False)
open_orders_decoder = msgspec.json.Decoder(list[OpenOrdersGroup], strict=False)
accounts_decoder = msgspec.json.Decoder(list[SpotAccount], strict=False)
my_trades_decoder = msgspec.json.Decoder(list[MyTrade], strict=False)
ws_order_book_update_decoder = msgspec.json.Decoder(WsOrderBookUpdate, strict=False)
ws_trade_decoder = msgspec.json.Decoder(WsTrade, strict=False)
ws_book_ticker_decoder = msgspec.json.Decoder(WsBookTicker, strict=False)
ws_orders_decoder = msgspec.json.Decoder(list[WsOrder], strict=False)
ws_user_trades_decoder = msgspec.json.Decoder(list[WsUserTrade], strict=False)
ws_balances_decoder = msgspec.json.Decoder(list[WsBalance], strict=False)
