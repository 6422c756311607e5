"""Handler bundles for WebSocket clients.

A public WebSocket client takes :class:`PublicWebsocketHandlers`, a private one
:class:`PrivateWebsocketHandlers`; giving one the other's bundle raises :class:`HandlerTypeError`.
A handler may be a plain function or a coroutine function; it is told apart once, at construction, so
the per-message dispatch costs one attribute read.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from app.errors import HandlerTypeError

T = TypeVar("T")
HandlerFn = Callable[[T], Awaitable[None] | None]


@dataclass(frozen=True, slots=True)
class Handler(Generic[T]):
    """A callable plus whether it must be awaited."""

    fn: Callable[[T], Any]
    is_async: bool

    @classmethod
    def wrap(cls, fn: Callable[[T], Any] | None, name: str) -> Handler[T] | None:
        if fn is None:
            return None
        if not callable(fn):
            raise HandlerTypeError(f"{name} must be callable, got {type(fn).__name__}")
        call = getattr(type(fn), "__call__", None)  # noqa: B004 - an object whose __call__ is async
        return cls(fn, inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(call))

    async def __call__(self, item: T) -> None:
        if self.is_async:
            await self.fn(item)
        else:
            self.fn(item)


@dataclass(frozen=True, slots=True)
class PublicWebsocketHandlers:
    """Callbacks for market data: order book diffs, trades, book tickers."""

    orderbook_handler: Handler[Any] | None = None
    trades_handler: Handler[Any] | None = None
    book_ticker_handler: Handler[Any] | None = None


@dataclass(frozen=True, slots=True)
class PrivateWebsocketHandlers:
    """Callbacks for account data: orders, balances, executions (fills), positions."""

    order_handler: Handler[Any] | None = None
    balance_handler: Handler[Any] | None = None
    execution_handler: Handler[Any] | None = None
    position_handler: Handler[Any] | None = None


def create_public_handlers(
    orderbook_diff_handler: Callable[[Any], Any] | None = None,
    trades_handler: Callable[[Any], Any] | None = None,
    book_ticker_handler: Callable[[Any], Any] | None = None,
) -> PublicWebsocketHandlers:
    """Bundle public callbacks (each optional, sync or async)."""
    return PublicWebsocketHandlers(
        orderbook_handler=Handler.wrap(orderbook_diff_handler, "orderbook_diff_handler"),
        trades_handler=Handler.wrap(trades_handler, "trades_handler"),
        book_ticker_handler=Handler.wrap(book_ticker_handler, "book_ticker_handler"),
    )


def create_private_handlers(
    order_handler: Callable[[Any], Any] | None = None,
    balance_handler: Callable[[Any], Any] | None = None,
    execution_handler: Callable[[Any], Any] | None = None,
    position_handler: Callable[[Any], Any] | None = None,
) -> PrivateWebsocketHandlers:
    """Bundle private callbacks (each optional, sync or async)."""
    return PrivateWebsocketHandlers(
        order_handler=Handler.wrap(order_handler, "order_handler"),
        balance_handler=Handler.wrap(balance_handler, "balance_handler"),
        execution_handler=Handler.wrap(execution_handler, "execution_handler"),
        position_handler=Handler.wrap(position_handler, "position_handler"),
    )


def require_public(handlers: object) -> PublicWebsocketHandlers:
    """Return ``handlers`` if it is a public bundle, else raise :class:`HandlerTypeError`."""
    if not isinstance(handlers, PublicWebsocketHandlers):
        raise HandlerTypeError(
            f"a public WebSocket client needs PublicWebsocketHandlers, got {type(handlers).__name__}"
        )
    return handlers


def require_private(handlers: object) -> PrivateWebsocketHandlers:
    """Return ``handlers`` if it is a private bundle, else raise :class:`HandlerTypeError`."""
    if not isinstance(handlers, PrivateWebsocketHandlers):
        raise HandlerTypeError(
            f"a private WebSocket client needs PrivateWebsocketHandlers, got {type(handlers).__name__}"
        )
    return handlers
