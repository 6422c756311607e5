"""One typed error hierarchy for the whole engine.

Validation errors are raised before any network call; venue errors carry the venue's code or label,
the HTTP status and the message. Nothing here ever formats a credential or a signature into its text.
"""

from __future__ import annotations


class CexArbError(Exception):
    """Base of every error the engine raises on purpose."""


# --- configuration -------------------------------------------------------------------------------
class ConfigurationError(CexArbError, ValueError):
    """A setting is missing or malformed; the message names the key."""

    def __init__(self, message: str, key: str | None = None) -> None:
        super().__init__(f"{key}: {message}" if key else message)
        self.key = key


class CredentialsRequiredError(ConfigurationError):
    """A private domain was requested without API credentials (also a ``ValueError``)."""


class UnsupportedExchangeError(CexArbError, ValueError):
    """The exchange (or exchange/domain pair) is not supported."""


class HandlerTypeError(CexArbError, TypeError):
    """Public handlers given to a private client, or the reverse, or a handler that is not callable."""


# --- validation (always before any network call) ------------------------------------------------
class ValidationError(CexArbError, ValueError):
    """Bad input to a public API; raised before anything is sent."""


class UnknownSymbolError(ValidationError):
    """The symbol is not listed (or not loaded) on this venue."""


class InvalidQuantityError(ValidationError):
    """Quantity <= 0, below the minimum, or not a multiple of the lot size."""


class InvalidPriceError(ValidationError):
    """Price <= 0, missing for a limit order, or off the tick grid."""


class MinNotionalError(ValidationError):
    """price * quantity below the venue's minimum notional."""


class InvalidClientOrderIdError(ValidationError):
    """The client order id breaks the venue's rules (prefix, length, charset)."""


class InvalidOrderParamsError(ValidationError):
    """An order parameter combination the venue does not accept (e.g. market + post-only)."""


# --- venue API errors ---------------------------------------------------------------------------
class ExchangeAPIError(CexArbError):
    """The venue answered with an error payload."""

    def __init__(
        self,
        exchange: str,
        message: str,
        *,
        code: str | int | None = None,
        status: int | None = None,
    ) -> None:
        self.exchange = exchange
        self.code = code
        self.status = status
        self.venue_message = message
        super().__init__(f"{exchange}: [{status} {code}] {message}")


class AuthenticationError(ExchangeAPIError):
    """Key, signature or timestamp rejected."""


class RateLimitError(ExchangeAPIError):
    """HTTP 429 or the venue's rate-limit code."""

    def __init__(self, *args: object, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class InsufficientBalanceError(ExchangeAPIError):
    """Not enough free balance or margin for the order."""


class OrderNotFoundError(ExchangeAPIError):
    """The order id or client order id is unknown to the venue (or no longer queryable)."""


class InvalidOrderError(ExchangeAPIError):
    """The venue refused the order's parameters (post-only would take, size too small, ...)."""


class ExchangeUnavailableError(ExchangeAPIError):
    """5xx or a 'busy' label: the venue could not serve the request."""


# --- transport -----------------------------------------------------------------------------------
class NetworkError(CexArbError):
    """The request could not be delivered or its answer could not be read."""


class RequestTimeoutError(NetworkError):
    """No answer within the configured timeout."""


class OrderStateUnknownError(CexArbError):
    """An order request's outcome is unknown (timeout, 5xx) and could not be resolved by lookup."""

    def __init__(self, message: str, *, client_order_id: str, symbol: str | None = None) -> None:
        super().__init__(f"{message} (client_order_id={client_order_id})")
        self.client_order_id = client_order_id
        self.symbol = symbol


class BookStaleError(CexArbError):
    """An order book was asked for while it is stale (sequence gap, reconnect, not yet synced)."""
