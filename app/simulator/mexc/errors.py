"""MEXC REST errors as the simulator answers them: HTTP status + ``{"code": ..., "msg": ...}``."""

from __future__ import annotations


class MexcApiError(Exception):
    """A MEXC REST error (usually HTTP 400)."""

    def __init__(self, status: int, code: int, msg: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status} {code}: {msg}")
        self.status = status
        self.code = code
        self.msg = msg
        self.headers = headers or {}

    def body(self) -> dict[str, object]:
        return {"code": self.code, "msg": self.msg}


def bad_param(message: str = "param is error") -> MexcApiError:
    return MexcApiError(400, 33333, message)


def invalid_symbol() -> MexcApiError:
    return MexcApiError(400, -1121, "Invalid symbol.")


def order_not_exist() -> MexcApiError:
    return MexcApiError(400, -2013, "Order does not exist.")


def unknown_order() -> MexcApiError:
    return MexcApiError(400, -2011, "Unknown order sent.")
