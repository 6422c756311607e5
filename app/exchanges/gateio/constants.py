"""Gate.io API v4 constants: paths, channels, enum and status tables (reference sections 4-9)."""

from __future__ import annotations

from typing import Final

from app.domain.enums import OrderStatus, OrderType, Side, TimeInForce, TradingStatus

EXCHANGE_NAME: Final = "gateio"

# --- REST paths (relative to rest_url, which ends in /api/v4) -------------------------------------
SPOT_CURRENCY_PAIRS: Final = "/spot/currency_pairs"
SPOT_ORDER_BOOK: Final = "/spot/order_book"
SPOT_TRADES: Final = "/spot/trades"
SPOT_TICKERS: Final = "/spot/tickers"
SPOT_TIME: Final = "/spot/time"
SPOT_ORDERS: Final = "/spot/orders"
SPOT_OPEN_ORDERS: Final = "/spot/open_orders"
SPOT_ACCOUNTS: Final = "/spot/accounts"
SPOT_MY_TRADES: Final = "/spot/my_trades"

SPOT_ACCOUNT: Final = "spot"
OPEN_ORDERS_PAGE_LIMIT: Final = 100
MAX_PAGES: Final = 50

# --- WebSocket channels ------------------------------------------------------------------------------
SPOT_PING: Final = "spot.ping"
SPOT_PONG: Final = "spot.pong"
CH_ORDER_BOOK_UPDATE: Final = "spot.order_book_update"
CH_TRADES: Final = "spot.trades"
CH_BOOK_TICKER: Final = "spot.book_ticker"
CH_ORDERS: Final = "spot.orders"
CH_USERTRADES: Final = "spot.usertrades"
CH_BALANCES: Final = "spot.balances"
ORDER_BOOK_INTERVAL: Final = "100ms"
ALL_PAIRS: Final = "!all"

EVENT_SUBSCRIBE: Final = "subscribe"
EVENT_UNSUBSCRIBE: Final = "unsubscribe"
EVENT_UPDATE: Final = "update"
EVENT_ALL: Final = "all"
EVENT_UPGRADE: Final = "upgrade"

WS_ERROR_AUTH: Final = 4

# --- client order id ("text") --------------------------------------------------------------------
CLIENT_ID_PREFIX: Final = "t-"
CLIENT_ID_MAX_BYTES: Final = 28  # after the prefix
CLIENT_ID_CHARSET: Final = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-.")

# --- enum tables ---------------------------------------------------------------------------------
SIDE_TO_GATE: Final = {Side.BUY: "buy", Side.SELL: "sell"}
SIDE_FROM_GATE: Final = {"buy": Side.BUY, "sell": Side.SELL}
ORDER_TYPE_TO_GATE: Final = {OrderType.LIMIT: "limit", OrderType.MARKET: "market"}
ORDER_TYPE_FROM_GATE: Final = {"limit": OrderType.LIMIT, "market": OrderType.MARKET}
TIF_TO_GATE: Final = {
    TimeInForce.GTC: "gtc",
    TimeInForce.IOC: "ioc",
    TimeInForce.FOK: "fok",
    TimeInForce.POST_ONLY: "poc",
}
TIF_FROM_GATE: Final = {value: key for key, value in TIF_TO_GATE.items()}
TRADE_STATUS_FROM_GATE: Final = {
    "tradable": TradingStatus.TRADING,
    "buyable": TradingStatus.BUY_ONLY,
    "sellable": TradingStatus.SELL_ONLY,
    "untradable": TradingStatus.HALTED,
}

# Final status of a finished order, by ``finish_as`` (REST status closed/cancelled, WS event finish).
# IOC/FOK remainders expire; venue-side refusals (post-only would take, STP, too small, no depth) are
# rejections when nothing filled; a partial fill followed by any of these is reported as cancelled.
FINISH_AS_STATUS: Final = {
    "filled": OrderStatus.FILLED,
    "cancelled": OrderStatus.CANCELLED,
    "liquidate_cancelled": OrderStatus.CANCELLED,
    "ioc": OrderStatus.EXPIRED,
    "fok": OrderStatus.EXPIRED,
    "poc": OrderStatus.REJECTED,
    "stp": OrderStatus.REJECTED,
    "small": OrderStatus.REJECTED,
    "depth_not_enough": OrderStatus.REJECTED,
    "trader_not_enough": OrderStatus.REJECTED,
}

# --- REST error labels (reference section 7) -----------------------------------------------------
AUTH_LABELS: Final = frozenset(
    {
        "INVALID_KEY",
        "INVALID_SIGNATURE",
        "INVALID_CREDENTIALS",
        "REQUEST_EXPIRED",
        "MISSING_REQUIRED_HEADER",
        "FORBIDDEN",
        "IP_FORBIDDEN",
        "READ_ONLY",
        "ACCOUNT_LOCKED",
        "AUTHENTICATION_FAILED",
    }
)
RATE_LIMIT_LABELS: Final = frozenset({"TOO_MANY_REQUESTS"})
BALANCE_LABELS: Final = frozenset({"BALANCE_NOT_ENOUGH", "INSUFFICIENT_AVAILABLE", "QUANTITY_NOT_ENOUGH"})
NOT_FOUND_LABELS: Final = frozenset(
    {"ORDER_NOT_FOUND", "CLIENT_ID_NOT_FOUND", "ORDER_CLOSED", "ORDER_CANCELLED", "ORDER_FINISHED"}
)
INVALID_ORDER_LABELS: Final = frozenset(
    {
        "POC_FILL_IMMEDIATELY",
        "ORDER_POC_IMMEDIATE",
        "INVALID_PARAM_VALUE",
        "INVALID_PRECISION",
        "INVALID_ARGUMENT",
        "INVALID_REQUEST_BODY",
        "MISSING_REQUIRED_PARAM",
        "BAD_REQUEST",
        "INVALID_CURRENCY",
        "INVALID_CURRENCY_PAIR",
        "AMOUNT_TOO_LITTLE",
        "AMOUNT_TOO_MUCH",
        "REPEATED_CREATION",
        "TOO_MANY_ORDERS",
        "FOK_NOT_FILL",
        "ORDER_FOK",
        "ORDER_BOOK_NOT_FOUND",
        "TRADE_RESTRICTED",
        "MIXED_ACCOUNT_TYPE",
        "PRICE_TOO_DEVIATED",
        "SIZE_TOO_SMALL",
        "SIZE_TOO_LARGE",
        "CONTRACT_NOT_FOUND",
        "CANCEL_FAIL",
    }
)
UNAVAILABLE_LABELS: Final = frozenset({"INTERNAL", "SERVER_ERROR", "TOO_BUSY"})

# --- rate-limit headers (reference 7.4) ------------------------------------------------------------
HEADER_RL_REMAIN: Final = "X-Gate-RateLimit-Requests-Remain"
HEADER_RL_LIMIT: Final = "X-Gate-RateLimit-Limit"
HEADER_RL_RESET: Final = "X-Gate-RateLimit-Reset-Timestamp"
HEADER_RETRY_AFTER: Final = "Retry-After"

# --- USDT-settled perpetual futures (reference sections 6 and 10) ---------------------------------
FUTURES_EXCHANGE_NAME: Final = "gateio_futures"
FUTURES_SETTLE: Final = "usdt"
FUTURES_PREFIX: Final = "/futures/usdt"
FUTURES_CONTRACTS: Final = f"{FUTURES_PREFIX}/contracts"
FUTURES_ORDER_BOOK: Final = f"{FUTURES_PREFIX}/order_book"
FUTURES_TRADES: Final = f"{FUTURES_PREFIX}/trades"
FUTURES_TICKERS: Final = f"{FUTURES_PREFIX}/tickers"
FUTURES_FUNDING_RATE: Final = f"{FUTURES_PREFIX}/funding_rate"
FUTURES_ACCOUNTS: Final = f"{FUTURES_PREFIX}/accounts"
FUTURES_POSITIONS: Final = f"{FUTURES_PREFIX}/positions"
FUTURES_DUAL_POSITIONS: Final = f"{FUTURES_PREFIX}/dual_comp/positions"
FUTURES_DUAL_MODE: Final = f"{FUTURES_PREFIX}/dual_mode"
FUTURES_ORDERS: Final = f"{FUTURES_PREFIX}/orders"
FUTURES_MY_TRADES: Final = f"{FUTURES_PREFIX}/my_trades"
FUTURES_ORDER_BOOK_MAX: Final = 300
FUTURES_ORDER_BOOK_LEVEL: Final = "100"

FUTURES_PING: Final = "futures.ping"
FUTURES_PONG: Final = "futures.pong"
CH_FUTURES_ORDER_BOOK_UPDATE: Final = "futures.order_book_update"
CH_FUTURES_TRADES: Final = "futures.trades"
CH_FUTURES_BOOK_TICKER: Final = "futures.book_ticker"
CH_FUTURES_ORDERS: Final = "futures.orders"
CH_FUTURES_USERTRADES: Final = "futures.usertrades"
CH_FUTURES_POSITIONS: Final = "futures.positions"
CH_FUTURES_BALANCES: Final = "futures.balances"

# Futures ``finish_as`` (status is only open / finished): fills, cancels, and the venue's refusals.
FUTURES_FINISH_AS_STATUS: Final = {
    "filled": OrderStatus.FILLED,
    "cancelled": OrderStatus.CANCELLED,
    "liquidated": OrderStatus.CANCELLED,
    "ioc": OrderStatus.EXPIRED,
    "auto_deleveraged": OrderStatus.CANCELLED,
    "reduce_only": OrderStatus.REJECTED,
    "position_closed": OrderStatus.CANCELLED,
    "reduce_out": OrderStatus.CANCELLED,
    "stp": OrderStatus.REJECTED,
    "poc": OrderStatus.REJECTED,
    "fok": OrderStatus.EXPIRED,
}
FUTURES_INVALID_ORDER_LABELS: Final = frozenset(
    {
        "CONTRACT_NOT_FOUND",
        "RISK_LIMIT_EXCEEDED",
        "LIQUIDATE_IMMEDIATELY",
        "LEVERAGE_TOO_HIGH",
        "LEVERAGE_TOO_LOW",
        "POSITION_CROSS_MARGIN",
        "POSITION_IN_LIQUIDATION",
        "POSITION_IN_CLOSE",
        "POSITION_EMPTY",
        "REMOVE_TOO_MUCH",
        "PRICE_OVER_LIQUIDATION",
        "PRICE_OVER_BANKRUPT",
        "INCREASE_POSITION",
        "CONTRACT_IN_DELISTING",
        "POSITION_NOT_FOUND",
        "POSITION_DUAL_MODE",
        "ORDER_PENDING",
        "POSITION_HOLDING",
        "REDUCE_EXCEEDED",
        "NO_CHANGE",
        "ORDER_NOT_OWNED",
    }
)
