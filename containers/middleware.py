"""Provider decorators: wrap any transport or composite provider in the middleware chain.

The pattern, in a venue block of ``containers/transport.py`` or ``containers/composite.py``::

    gateio_public_rest_raw = providers.Singleton(build, core.closables, "...:GateioPublicSpotRest", ...)
    gateio_public_rest = Decorated(gateio_public_rest_raw, "gateio:public:rest", core.middleware)

``*_raw`` builds the venue object; the decorated provider (the one the registries and the functional API
use) passes every call through ``core.middleware`` (the chain declared in ``containers/core.py``:
performance, health, tracing). Each layer is overridable on its own: override ``*_raw`` with a fake and
keep the real middleware, or override ``core.tracing`` and keep the real venue object. Never override a
provider with a wrapper that refers to itself (``p.override(Decorated(p, ...))`` recurses forever).
"""

from __future__ import annotations

from typing import Any

from dependency_injector import providers

_NO_KWARGS: dict[str, Any] = {}  # never mutated: the chain only unpacks it


class Decorated(providers.Provider):  # type: ignore[type-arg]
    """Calls ``inner`` through the middleware chain that ``middleware`` provides, under ``key``.

    ``key`` is ``"<venue>:<domain>"`` for composites and ``"<venue>:<domain>:<rest|ws>"`` for transports.
    ``provides`` / ``args`` / ``kwargs`` read through to the raw recipe, so code that inspects a
    provider's recipe keeps working.
    """

    __slots__ = ("_inner", "_key", "_middleware", "_sync")

    def __init__(self, inner: providers.Provider, key: str, middleware: providers.Provider) -> None:  # type: ignore[type-arg]
        self._inner = inner
        self._key = key
        self._middleware = middleware
        self._sync = False  # True once a call returned a plain instance (async mode disabled)
        super().__init__()

    @property
    def inner(self) -> providers.Provider:  # type: ignore[type-arg]
        """The raw provider (override it to swap the venue object and keep the middleware)."""
        return self._inner

    @property
    def key(self) -> str:
        return self._key

    @property
    def provides(self) -> Any:
        return self._inner.provides  # type: ignore[attr-defined]

    @property
    def args(self) -> Any:
        return self._inner.args  # type: ignore[attr-defined]

    @property
    def kwargs(self) -> Any:
        return self._inner.kwargs  # type: ignore[attr-defined]

    def decorate_instance(self, instance: Any) -> Any:
        """Pass an instance built outside the provider (``use_cache=False``) through the chain."""
        return self._middleware().decorate(self._key, instance)

    @property
    def related(self) -> Any:
        yield self._inner
        yield self._middleware
        yield from super().related

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """The cache-hit hot path (measured in ``scripts/bench``): once the provider is known to be sync and
        while it is not overridden, go straight to the chain; otherwise the base class's call (overrides,
        async mode) as usual."""
        if self._sync and self.last_overriding is None:
            middleware = self._middleware
            target = middleware.last_overriding
            chain = (middleware if target is None else target)()
            return chain.provide(self._key, self._inner, args, kwargs)
        result = super().__call__(*args, **kwargs)
        if not self._sync and self.is_async_mode_disabled():
            self._sync = True
        return result

    def provide_hit(self) -> Any:
        """``self()`` without arguments, one call layer shorter (the functional API's cache-hit path)."""
        if self._sync and self.last_overriding is None:
            middleware = self._middleware
            target = middleware.last_overriding
            return (middleware if target is None else target)().provide(self._key, self._inner, (), _NO_KWARGS)
        return self()

    def _provide(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        middleware = self._middleware
        # a DependenciesContainer member is a Dependency overridden by the real provider: calling that one
        # directly honours the same override stack and skips ~0.8 us of Dependency checks per lookup
        target = middleware.last_overriding
        chain = (middleware if target is None else target)()
        return chain.provide(self._key, self._inner, args, kwargs)

    def __deepcopy__(self, memo: dict[int, Any] | None) -> Decorated:
        memo = {} if memo is None else memo
        copied = memo.get(id(self))
        if copied is not None:
            return copied  # type: ignore[no-any-return]
        copied = type(self)(
            providers.deepcopy(self._inner, memo), self._key, providers.deepcopy(self._middleware, memo)
        )
        memo[id(self)] = copied
        self._copy_overridings(copied, memo)
        return copied

    def __repr__(self) -> str:
        return f"Decorated({self._key!r}, inner={self._inner!r})"
