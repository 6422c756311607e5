"""Health checks per provider key, overall liveness / readiness, and the factory figures.

Per key: created, connected (streams), authenticated (private: the last signed REST call or the private
stream's subscription), books valid (public composites), stream fresh (last message age against the
venue's threshold), recent error rate (REST calls and stream messages). Ready when at least one key
exists and every key is healthy; live while the process answers (the engine has no state in which a
restart is the cure, so liveness does not depend on the venues).
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

from app.config import TelemetrySettings
from app.errors import AuthenticationError
from app.middleware.chain import MiddlewareChain, ProviderMiddleware, ProviderStats
from app.middleware.introspect import book_synchronizers, rest_transport
from app.middleware.keys import COMPOSITE, REST, WS, ProviderKey
from app.middleware.streams import StreamSet
from app.transport.rest import RestCall


@dataclass(slots=True)
class KeyHealth:
    """One key's checks; ``None`` means "does not apply" (e.g. authenticated for a public key)."""

    key: str
    created: bool = False
    connected: bool | None = None
    authenticated: bool | None = None
    books_valid: bool | None = None
    stream_fresh: bool | None = None
    last_message_age_s: float | None = None
    error_rate: float | None = None
    healthy: bool = False
    reasons: list[str] = field(default_factory=list)


@dataclass(slots=True)
class FactoryHealthStatus:
    """The factory figures (provider lookups) with per-key detail beside them."""

    supported_exchanges: list[str]
    cache_efficiency: float  # hits / (hits + misses)
    average_creation_time: float  # seconds per created instance
    error_rate: float  # failed lookups / lookups
    keys: dict[str, dict[str, float | int]] = field(default_factory=dict)


@dataclass(slots=True)
class HealthReport:
    live: bool
    ready: bool
    keys: list[KeyHealth]
    factory: FactoryHealthStatus

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Outcomes:
    """Recent successes / failures (a bounded window) and the last authentication verdict."""

    __slots__ = ("authenticated", "window")

    def __init__(self, size: int) -> None:
        self.window: deque[bool] = deque(maxlen=size)
        self.authenticated: bool | None = None

    @property
    def error_rate(self) -> float | None:
        return (self.window.count(False) / len(self.window)) if self.window else None


class _RestHealthObserver:
    __slots__ = ("_outcomes",)

    def __init__(self, outcomes: _Outcomes) -> None:
        self._outcomes = outcomes

    def request_started(self, call: RestCall) -> object:
        return None

    def request_finished(self, call: RestCall, token: object) -> None:
        error = call.error
        # a venue's answer to bad input (4xx other than auth) is the caller's error, not the venue's health
        failed = error is not None and (call.status is None or call.status >= 500 or call.status == 429)
        self._outcomes.window.append(not failed)
        if call.signed:
            if isinstance(error, AuthenticationError):
                self._outcomes.authenticated = False
            elif error is None:
                self._outcomes.authenticated = True


class HealthMiddleware(ProviderMiddleware):
    """Keeps what each key created and answers :meth:`report` / :meth:`factory_health`."""

    name = "health"

    def __init__(self, settings: TelemetrySettings) -> None:
        self.settings = settings
        self.providers: dict[ProviderKey, ProviderStats] = {}  # the chain's figures once bound
        self._instances: dict[ProviderKey, list[Any]] = {}
        self._streams: dict[ProviderKey, StreamSet] = {}
        self._rest: dict[ProviderKey, _Outcomes] = {}

    def bind(self, chain: MiddlewareChain) -> None:
        super().bind(chain)
        self.providers = chain.stats

    def decorate(self, key: ProviderKey, instance: Any) -> Any:
        self._instances.setdefault(key, []).append(instance)
        transport = rest_transport(instance)
        if transport is not None:
            outcomes = self._rest.get(key)
            if outcomes is None:
                outcomes = self._rest[key] = _Outcomes(self.settings.error_window)
            transport.add_observer(_RestHealthObserver(outcomes))
        if key.kind == WS:
            self._streams.setdefault(key, StreamSet()).add_owner(instance)
        return instance

    def forget(self) -> None:
        """Drop every instance (after the container closed them)."""
        self._instances.clear()
        self._streams.clear()
        self._rest.clear()

    # -- checks -----------------------------------------------------------------------------------
    def check(self, key: ProviderKey) -> KeyHealth:
        health = KeyHealth(key.text, created=bool(self._instances.get(key)))
        if key.kind == REST:
            self._check_rest(key, health)
        elif key.kind == WS:
            self._check_stream(key, health)
        elif key.kind == COMPOSITE:
            self._check_stream(key.sibling(WS), health)
            if health.created and health.connected is None:
                health.reasons.append("stream not started")
            self._check_rest(key.sibling(REST), health)
            self._check_books(key, health)
        if not health.created:
            health.reasons.insert(0, "not created")
        health.healthy = health.created and not health.reasons
        return health

    def _check_rest(self, key: ProviderKey, health: KeyHealth) -> None:
        outcomes = self._rest.get(key)
        if outcomes is None:
            return
        if key.is_private and outcomes.authenticated is not None:
            health.authenticated = outcomes.authenticated
            if outcomes.authenticated is False:
                health.reasons.append("authentication rejected")
        rate = outcomes.error_rate
        if rate is not None:
            health.error_rate = rate if health.error_rate is None else max(rate, health.error_rate)
            if rate > self.settings.max_error_rate:
                health.reasons.append(f"REST error rate {rate:.0%}")

    def _check_stream(self, key: ProviderKey, health: KeyHealth) -> None:
        streams = self._streams.get(key)
        if streams is None:
            return
        sockets = streams.refresh()
        if not sockets:
            return
        now = time.monotonic()
        health.connected = all(ws.connected for ws in sockets)
        if not health.connected:
            health.reasons.append("stream disconnected")
        age = max(now - ws.last_message_monotonic for ws in sockets)
        health.last_message_age_s = round(age, 3)
        health.stream_fresh = age <= self.settings.stream_max_age(key.venue)
        if not health.stream_fresh:
            health.reasons.append(f"no stream message for {age:.1f}s")
        totals = streams.totals()
        if totals.messages:
            rate = totals.handler_errors / totals.messages
            health.error_rate = rate
            if rate > self.settings.max_error_rate:
                health.reasons.append(f"stream error rate {rate:.0%}")
        if key.is_private and health.connected:
            health.authenticated = True if health.authenticated is None else health.authenticated

    def _check_books(self, key: ProviderKey, health: KeyHealth) -> None:
        for composite in self._instances.get(key, ()):
            syncs = book_synchronizers(composite)
            if not syncs:
                continue
            invalid = [str(sync.symbol) for sync in syncs if not composite.get_orderbook(sync.symbol).is_valid]
            health.books_valid = not invalid and health.books_valid is not False
            if invalid:
                health.reasons.append(f"books not valid: {', '.join(invalid)}")

    def report(self, supported_exchanges: list[str] | None = None) -> HealthReport:
        """Every known key's health, readiness, liveness and the factory figures."""
        keys = sorted(set(self._instances) | set(self.providers), key=lambda k: k.text)
        checks = [self.check(key) for key in keys]
        ready = bool(checks) and all(check.healthy for check in checks)
        return HealthReport(live=True, ready=ready, keys=checks, factory=self.factory_health(supported_exchanges))

    def factory_health(self, supported_exchanges: list[str] | None = None) -> FactoryHealthStatus:
        """``FactoryHealthStatus(supported_exchanges, cache_efficiency, average_creation_time, error_rate)``."""
        stats = list(self.providers.items())
        hits = sum(s.hits for _, s in stats)
        misses = sum(s.misses for _, s in stats)
        errors = sum(s.errors for _, s in stats)
        created_time = sum(s.create_time_s for _, s in stats)
        calls = hits + misses + errors
        return FactoryHealthStatus(
            supported_exchanges=list(supported_exchanges or sorted({key.venue for key, _ in stats})),
            cache_efficiency=round(hits / (hits + misses), 4) if hits + misses else 0.0,
            average_creation_time=round(created_time / misses, 6) if misses else 0.0,
            error_rate=round(errors / calls, 4) if calls else 0.0,
            keys={
                key.text: {
                    "hits": s.hits,
                    "misses": s.misses,
                    "errors": s.errors,
                    "average_creation_time": round(s.average_creation_time_s, 6),
                    "average_hit_time": round(s.average_hit_time_s, 9),
                }
                for key, s in sorted(stats, key=lambda item: item[0].text)
            },
        )
