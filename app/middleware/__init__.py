"""Middleware around container providers: performance monitoring, health checks, tracing.

Every transport and composite provider in ``containers/`` is a :class:`containers.middleware.Decorated`
over a ``*_raw`` provider; each call goes through one :class:`MiddlewareChain` whose layers observe the
call (hit or miss, latency, error) and decorate each new instance once (attach REST observers, stream
listeners, order tracing). Layers keep the instance's type: they observe, they do not proxy.
"""

from app.middleware.chain import MiddlewareChain, ProvideEvent, ProviderMiddleware, ProviderStats
from app.middleware.keys import ProviderKey

__all__ = ["MiddlewareChain", "ProvideEvent", "ProviderKey", "ProviderMiddleware", "ProviderStats"]
