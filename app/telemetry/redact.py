"""What may appear in a span or a metric: endpoint templates and URLs without query strings.

A signed request's query string carries the signature (MEXC) and its headers the key (Gate), so spans
and metrics get only the base URL plus the path, and metrics only the path *template*
(``/spot/orders/{id}``) so that order ids do not explode the label cardinality.
"""

from __future__ import annotations

import re
from functools import lru_cache

_NUMERIC = re.compile(r"^\d+$")
_CLIENT_ID = re.compile(r"^t-[0-9A-Za-z_.\-]*$")
_SYMBOL = re.compile(r"^[A-Z0-9]+[_\-]?[A-Z0-9]*$")
_HEXISH = re.compile(r"^[0-9a-fA-F\-]{16,}$")


@lru_cache(maxsize=2048)
def endpoint_template(path: str) -> str:
    """``/spot/orders/123`` -> ``/spot/orders/{id}``; ``/futures/usdt/positions/BTC_USDT`` -> ``.../{symbol}``.

    Numeric ids, ``t-...`` client ids and long hex ids become ``{id}``; upper-case symbols ``{symbol}``.
    Any query string is dropped.
    """
    path = path.split("?", 1)[0]
    parts: list[str] = []
    for segment in path.split("/"):
        if not segment:
            parts.append(segment)
        elif _NUMERIC.match(segment) or _CLIENT_ID.match(segment) or _HEXISH.match(segment):
            parts.append("{id}")
        elif _SYMBOL.match(segment) and any(ch.isalpha() for ch in segment):
            parts.append("{symbol}")
        else:
            parts.append(segment)
    return "/".join(parts)


def url_without_query(base_url: str, path: str) -> str:
    """The request URL as a span may show it: scheme, host, path; never a query string or fragment."""
    return f"{base_url}{path}".split("?", 1)[0].split("#", 1)[0]
