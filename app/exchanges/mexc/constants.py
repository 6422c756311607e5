"""MEXC spot v3 constants: paths, channels, enum maps, error codes (reference mexc.md sections 3-9)."""

from __future__ import annotations

from app.domain.enums import OrderStatus, OrderType, Side, TimeInForce, TradingStatus

EXCHANGE_NAME = "mexc"

# --- REST paths (relative to rest_url = https://api.mexc.com) -------------------------------------
PING = "/api/v3/ping"
TIME = "/api/v3/time"
EXCHANGE_INFO = "/api/v3/exchangeInfo"
DEPTH = "/api/v3/depth"
TRADES = "/api/v3/trades"
TICKER_24HR = "/api/v3/ticker/24hr"
TICKER_PRICE = "/api/v3/ticker/price"
TICKER_BOOK = "/api/v3/ticker/bookTicker"
ORDER = "/api/v3/order"
OPEN_ORDERS = "/api/v3/openOrders"
ACCOUNT = "/api/v3/account"
MY_TRADES = "/api/v3/myTrades"
USER_DATA_STREAM = "/api/v3/userDataStream"

HEADER_API_KEY = "X-MEXC-APIKEY"
HEADER_RETRY_AFTER = "Retry-After"
MAX_RECV_WINDOW_MS = 60_000
DEPTH_LIMIT_MAX = 5000
TRADES_LIMIT_MAX = 1000
MY_TRADES_LIMIT_MAX = 100
CANCEL_ALL_MAX_SYMBOLS = 5

# --- symbols / order enums ------------------------------------------------------------------------
STATUS_FROM_MEXC: dict[str, TradingStatus] = {
    "1": TradingStatus.TRADING,
    "2": TradingStatus.HALTED,  # pause
    "3": TradingStatus.HALTED,  # offline
    "ENABLED": TradingStatus.TRADING,  # before 2024-08-16
}
TRADE_SIDE_TYPE: dict[str, TradingStatus] = {"2": TradingStatus.BUY_ONLY, "3": TradingStatus.SELL_ONLY}

SIDE_TO_MEXC = {Side.BUY: "BUY", Side.SELL: "SELL"}
SIDE_FROM_MEXC = {"BUY": Side.BUY, "SELL": Side.SELL}
ORDER_STATUS_FROM_MEXC: dict[str, OrderStatus] = {
    "NEW": OrderStatus.NEW,
    "PARTIALLY_FILLED": OrderStatus.PARTIALLY_FILLED,
    "FILLED": OrderStatus.FILLED,
    "CANCELED": OrderStatus.CANCELLED,
    "PARTIALLY_CANCELED": OrderStatus.CANCELLED,
}
# REST ``type`` -> (order type, time in force): MEXC encodes TIF in the type, there is no timeInForce.
TYPE_FROM_MEXC: dict[str, tuple[OrderType, TimeInForce]] = {
    "LIMIT": (OrderType.LIMIT, TimeInForce.GTC),
    "MARKET": (OrderType.MARKET, TimeInForce.IOC),
    "LIMIT_MAKER": (OrderType.LIMIT, TimeInForce.POST_ONLY),
    "IMMEDIATE_OR_CANCEL": (OrderType.LIMIT, TimeInForce.IOC),
    "FILL_OR_KILL": (OrderType.LIMIT, TimeInForce.FOK),
}
LIMIT_TYPE_BY_TIF: dict[TimeInForce, str] = {
    TimeInForce.GTC: "LIMIT",
    TimeInForce.POST_ONLY: "LIMIT_MAKER",
    TimeInForce.IOC: "IMMEDIATE_OR_CANCEL",
    TimeInForce.FOK: "FILL_OR_KILL",
}

# --- WS push enums (section 9.6) ------------------------------------------------------------------
WS_TRADE_TYPE = {1: Side.BUY, 2: Side.SELL}
WS_ORDER_STATUS: dict[int, OrderStatus] = {
    1: OrderStatus.NEW,
    2: OrderStatus.FILLED,
    3: OrderStatus.PARTIALLY_FILLED,
    4: OrderStatus.CANCELLED,
    5: OrderStatus.CANCELLED,  # partially filled, then cancelled: terminal
}
WS_ORDER_TYPE: dict[int, tuple[OrderType, TimeInForce]] = {
    1: (OrderType.LIMIT, TimeInForce.GTC),
    2: (OrderType.LIMIT, TimeInForce.POST_ONLY),
    3: (OrderType.LIMIT, TimeInForce.IOC),
    4: (OrderType.LIMIT, TimeInForce.FOK),
    5: (OrderType.MARKET, TimeInForce.IOC),
}

# --- WS channels ----------------------------------------------------------------------------------
WS_MAX_SUBSCRIPTIONS = 30
WS_MAX_CONNECTION_AGE_S = 24 * 3600.0
WS_RECONNECT_BEFORE_S = 23 * 3600.0  # rotate well before the venue's 24 h cut
LISTEN_KEY_KEEPALIVE_S = 30 * 60.0
CH_AGGRE_DEPTH = "spot@public.aggre.depth.v3.api.pb@{interval}@{symbol}"
CH_LIMIT_DEPTH = "spot@public.limit.depth.v3.api.pb@{symbol}@{levels}"
CH_AGGRE_BOOK_TICKER = "spot@public.aggre.bookTicker.v3.api.pb@{interval}@{symbol}"
CH_AGGRE_DEALS = "spot@public.aggre.deals.v3.api.pb@{interval}@{symbol}"
CH_PRIVATE_ORDERS = "spot@private.orders.v3.api.pb"
CH_PRIVATE_DEALS = "spot@private.deals.v3.api.pb"
CH_PRIVATE_ACCOUNT = "spot@private.account.v3.api.pb"
STREAM_INTERVALS = ("10ms", "100ms")
LIMIT_DEPTH_LEVELS = (5, 10, 20)
INVALID_LISTEN_KEY = "Invalid listen key"
NOT_SUBSCRIBED = "Not Subscribed successfully"

# --- error codes (section 7.2) --------------------------------------------------------------------
SIGNATURE_CODES = frozenset({700002, 602})
MANDATORY_PARAM_CODE = 700004  # missing signature, or missing orderId/origClientOrderId
TIMESTAMP_CODES = frozenset({700003, 10073})
AUTH_CODES = frozenset({400, 401, 10072, 700001, 700006, 700007, 70011})
BALANCE_CODES = frozenset({30004, 10101, 30005})
NOT_FOUND_CODES = frozenset({-2011, -2013})
RATE_LIMIT_CODES = frozenset({429})
INVALID_ORDER_CODES = frozenset(
    {
        -1121,
        -1128,
        700005,
        700008,
        10007,
        10095,
        10096,
        10097,
        10102,
        30000,
        30001,
        30002,
        30003,
        30010,
        30014,
        30016,
        30018,
        30019,
        30020,
        30021,
        30025,
        30026,
        30029,
        30032,
        30041,
        30051,
        33333,
        44444,
        730001,
        730002,
    }
)
UNAVAILABLE_CODES = frozenset({500, 503, 504})
