"""Venue-independent fault model of the simulator: what can go wrong, when, and how often it did.

One :class:`VenueFaults` per simulated venue decides, per REST request and per outbound WS frame, whether
a fault is injected; the venue's REST and WS layers act on the decision in their own wire shapes (a Gate
``{"label": ...}`` or a MEXC ``{"code": ...}`` error). A :class:`SimulatorFaults` controller owns the timed
faults (drops every N seconds, silent streams, venue restarts, listenKey expiry, clock skew) and the admin
endpoint ``/__sim/faults``. Everything is off by default and switchable at run time.

Faults (:class:`FaultSpec` fields, per venue; ``"all"`` applies to every venue):

=============================  =====================================================================
``drop_every_s``               close every WS connection of the venue every N seconds
``drop_every_messages``        close a connection after it has sent N frames
``drop_abrupt_ratio``          share of drops that abort the TCP connection (no close frame)
``gap_rate``                   probability a book-diff batch is withheld (a sequence gap)
``malformed_rate``             probability an outbound frame is replaced by garbage
``truncated_rate``             probability an outbound frame is cut in half
``delay_rate`` / ``delay_s``   probability a frame (and the ones queued behind it) waits ``delay_s``
``silent_every_s``             every N s the open connections hang: connected, nothing sent (no pong
                               either) until the client gives up on them; new connections work
``http_5xx_rate``              probability a REST request is answered 5xx without being processed
``http_429_rate``              probability a REST request is answered 429 without being processed
``lost_order_response_rate``   probability an order placement is *processed* and its answer lost
``listen_key_expiry_every_s``  expire the venue's listenKeys every N s (venues that have them)
``restart_every_s`` / ``restart_down_s``  a venue restart: connections aborted, REST 503 and WS
                               handshakes refused for ``restart_down_s``; books and orders survive
=============================  =====================================================================

Clock skew is simulator-wide (:class:`FaultPlan` ``clock_skew_s`` / ``clock_skew_every_s`` /
``clock_skew_for_s``): the venues share one :class:`~app.simulator.common.SimClock`, as Gate spot and
futures share one host and one ``/spot/time``.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import Counter
from collections.abc import Mapping
from enum import StrEnum
from typing import Any, Protocol

from aiohttp import WSCloseCode, web
from pydantic import BaseModel, ConfigDict, Field

from app.composite.tasks import cancel_and_wait
from app.simulator.common import SimClock

ALL = "all"
ADMIN_PATH = "/__sim/faults"
TICK_S = 0.05


class FaultSpec(BaseModel):
    """The fault mix of one venue (every rate is a probability in [0, 1]; 0 / 0.0 = off)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    drop_every_s: float = Field(0.0, ge=0)
    drop_every_messages: int = Field(0, ge=0)
    drop_abrupt_ratio: float = Field(0.5, ge=0, le=1)
    gap_rate: float = Field(0.0, ge=0, le=1)
    malformed_rate: float = Field(0.0, ge=0, le=1)
    truncated_rate: float = Field(0.0, ge=0, le=1)
    delay_rate: float = Field(0.0, ge=0, le=1)
    delay_s: float = Field(0.2, ge=0, le=60)
    silent_every_s: float = Field(0.0, ge=0)
    http_5xx_rate: float = Field(0.0, ge=0, le=1)
    http_429_rate: float = Field(0.0, ge=0, le=1)
    lost_order_response_rate: float = Field(0.0, ge=0, le=1)
    listen_key_expiry_every_s: float = Field(0.0, ge=0)
    restart_every_s: float = Field(0.0, ge=0)
    restart_down_s: float = Field(1.0, ge=0, le=600)

    @property
    def active(self) -> bool:
        return self != FaultSpec()


class FaultPlan(BaseModel):
    """Settings ``[simulator.faults]``: per-venue specs (``all`` = every venue) and the clock skew."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    enabled: bool = True
    seed: int = 1
    clock_skew_s: float = Field(0.0, ge=-86_400, le=86_400)
    clock_skew_every_s: float = Field(0.0, ge=0)  # 0 with a skew: skewed for good
    clock_skew_for_s: float = Field(10.0, ge=0)
    venues: dict[str, FaultSpec] = Field(default_factory=dict)

    def spec_for(self, venue: str) -> FaultSpec:
        """``all`` merged with the venue's own section (the venue's fields win)."""
        merged: dict[str, Any] = {}
        for key in (ALL, venue):
            spec = self.venues.get(key)
            if spec is not None:
                merged.update(spec.model_dump(exclude_unset=True))
        return FaultSpec.model_validate(merged)


def parse_plan(raw: Mapping[str, Any] | FaultPlan | None) -> FaultPlan:
    """A :class:`FaultPlan` from settings: top-level keys plus one table per venue (or ``venues = {...}``)."""
    if raw is None:
        return FaultPlan(enabled=False)
    if isinstance(raw, FaultPlan):
        return raw
    top = set(FaultPlan.model_fields) - {"venues"}
    data: dict[str, Any] = {k: v for k, v in raw.items() if k in top}
    venues = dict(raw.get("venues") or {})
    venues.update({k: v for k, v in raw.items() if k not in top and k != "venues"})
    data["venues"] = venues
    return FaultPlan.model_validate(data)


class RestFault(StrEnum):
    """What happens to one REST request."""

    NONE = "none"
    UNAVAILABLE = "unavailable"  # the venue is restarting: 503, not processed
    SERVER_ERROR = "server_error"  # 5xx, not processed
    TOO_MANY_REQUESTS = "too_many_requests"  # 429, not processed
    LOST_RESPONSE = "lost_response"  # processed (the order is accepted), the answer never arrives


class FaultSession(Protocol):
    """What the fault model needs from a simulator WS session (both hubs' sessions have it)."""

    ws: web.WebSocketResponse
    request: web.Request


class FaultTarget(Protocol):
    """The venue side the timed faults act on."""

    async def close_all(self, *, abrupt: bool = False) -> int: ...


class _FrameState:
    __slots__ = ("dropping", "epoch", "sent")

    def __init__(self, epoch: int) -> None:
        self.sent = 0
        self.dropping = False
        self.epoch = epoch  # the silence epoch it was born in; older than the current one = hung


class VenueFaults:
    """The fault state of one venue: manual hooks (tests) plus the random / timed mix of a :class:`FaultSpec`.

    ``injected`` counts every fault injected, by kind (``gap``, ``drop``, ``malformed`` ...).
    """

    def __init__(self, target: FaultTarget, *, name: str = "", seed: int = 1) -> None:
        self.name = name
        self._target = target
        self._gaps: dict[str | None, int] = {}
        self._rng = random.Random(seed)
        self._frames: dict[int, _FrameState] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self.spec = FaultSpec()
        self._mix = False  # spec.active, cached (checked per frame)
        self.suspended = False
        self.silence_epoch = 0
        self.down_until = 0.0
        self.injected: Counter[str] = Counter()

    # --- configuration ------------------------------------------------------------------------------
    def configure(self, spec: FaultSpec | Mapping[str, Any] | None) -> None:
        """Replace the random / timed mix (None or ``{}`` turns it off); manual hooks are unaffected."""
        self.spec = spec if isinstance(spec, FaultSpec) else FaultSpec.model_validate(dict(spec or {}))
        self._mix = self.spec.active

    def reseed(self, seed: int) -> None:
        self._rng.seed(seed)

    @property
    def active(self) -> bool:
        """True when outbound frames must pass :meth:`outbound` (a mix is set, or a connection is hung)."""
        return self._mix or bool(self._frames)

    def _roll(self, rate: float) -> bool:
        return rate > 0 and not self.suspended and self._rng.random() < rate

    # --- book diffs -----------------------------------------------------------------------------------
    def gap_updates(self, count: int = 1, key: str | None = None) -> None:
        """Withhold the next ``count`` book-diff batches of ``key`` (a pair / symbol; None = any)."""
        self._gaps[key] = self._gaps.get(key, 0) + count

    def consume_gap(self, key: str) -> bool:
        """Called once per book-diff batch: True = withhold it (a manual gap or ``gap_rate``)."""
        for candidate in (key, None):
            if self._gaps.get(candidate, 0) > 0:
                self._gaps[candidate] -= 1
                self.injected["gap"] += 1
                return True
        if self._roll(self.spec.gap_rate):
            self.injected["gap"] += 1
            return True
        return False

    # --- REST ---------------------------------------------------------------------------------------
    def rest_fault(self, *, order_placement: bool = False) -> RestFault:
        """The fault for one REST request (venue restart first, then the random rates)."""
        if self.down_until and time.monotonic() < self.down_until:
            self.injected["http_unavailable"] += 1
            return RestFault.UNAVAILABLE
        spec = self.spec
        if self.suspended or not self._mix:
            return RestFault.NONE
        if order_placement and self._roll(spec.lost_order_response_rate):
            self.injected["lost_order_response"] += 1
            return RestFault.LOST_RESPONSE
        if self._roll(spec.http_429_rate):
            self.injected["http_429"] += 1
            return RestFault.TOO_MANY_REQUESTS
        if self._roll(spec.http_5xx_rate):
            self.injected["http_5xx"] += 1
            return RestFault.SERVER_ERROR
        return RestFault.NONE

    def lose_response(self, request: web.Request) -> web.Response:
        """The answer to a processed request, lost: abort the connection (or a bodiless 504 from a proxy)."""
        transport = request.transport
        if transport is not None and self._rng.random() < 0.5:
            transport.abort()
        return web.Response(status=504, text="<html><body>504 Gateway Time-out</body></html>", content_type="text/html")

    def note(self, kind: str) -> None:
        """Count an event the venue saw itself (e.g. ``enforced_429``: its own rate limit refused a request)."""
        self.injected[kind] += 1

    # --- WebSocket ----------------------------------------------------------------------------------
    def accepting_connections(self) -> bool:
        """False while the venue restarts (handshakes are refused with 503)."""
        if self.down_until and time.monotonic() < self.down_until:
            self.injected["ws_refused"] += 1
            return False
        return True

    def forget(self, session: object) -> None:
        """A session ended: drop its frame counters."""
        self._frames.pop(id(session), None)

    async def outbound(self, session: FaultSession, message: str | bytes) -> str | bytes | None:
        """Decide the fate of one outbound frame of ``session``: the frame to send, or None to send nothing.

        Called by the session's writer task only, so a delay holds back every frame queued behind it.
        """
        spec = self.spec
        state = self._frames.get(id(session))
        if state is None:
            if not self._mix:
                return message
            state = self._frames[id(session)] = _FrameState(self.silence_epoch)
        if state.dropping:
            return None
        if state.epoch < self.silence_epoch:  # a hung connection stays hung, even while suspended
            self.injected["silenced_frame"] += 1
            return None
        if self.suspended or not self._mix:
            return message
        state.sent += 1
        if spec.drop_every_messages and state.sent >= spec.drop_every_messages:
            state.dropping = True
            self.drop(session, abrupt=self._rng.random() < spec.drop_abrupt_ratio)
            return None
        if self._roll(spec.delay_rate):
            self.injected["delayed_frame"] += 1
            await asyncio.sleep(spec.delay_s)
        if self._roll(spec.malformed_rate):
            self.injected["malformed_frame"] += 1
            return _garbage(message, self._rng)
        if self._roll(spec.truncated_rate):
            self.injected["truncated_frame"] += 1
            return message[: max(1, len(message) // 2)]
        return message

    def silence(self) -> None:
        """Hang every open connection: it stays connected and sends nothing more (no pong either)."""
        self.silence_epoch += 1
        self.injected["silent_period"] += 1

    def drop(self, session: FaultSession, *, abrupt: bool) -> None:
        """Close one connection: abort the TCP connection, or a close frame (going away)."""
        self.injected["drop_abrupt" if abrupt else "drop"] += 1
        transport = session.request.transport
        if abrupt and transport is not None:
            transport.abort()
            return
        self._spawn(session.ws.close(code=WSCloseCode.GOING_AWAY))

    async def drop_ws_connections(self, *, abrupt: bool = False) -> int:
        """Close every WS connection (clients must reconnect and resubscribe); returns how many.
        ``abrupt`` aborts the TCP connection first (no close frame), like a network failure."""
        closed = await self._target.close_all(abrupt=abrupt)
        self.injected["drop_all"] += 1
        return closed

    async def restart(self, down_s: float | None = None) -> None:
        """A venue restart: every connection aborted, REST and WS refused for ``down_s`` seconds."""
        down = self.spec.restart_down_s if down_s is None else down_s
        self.down_until = time.monotonic() + down
        self.injected["restart"] += 1
        await self._target.close_all(abrupt=True)

    def expire_listen_keys(self) -> int:
        """Expire every listenKey (venues without them: 0)."""
        expire = getattr(self, "expire_listen_key", None)
        return int(expire()) if expire is not None else 0

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine, name=f"sim-faults-{self.name}")
        self._tasks.add(task)
        task.add_done_callback(self._discard)

    def _discard(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved: a failed close of a dying socket is not an error here

    async def close(self) -> None:
        """Wait for the closes this model started (bounded)."""
        tasks = list(self._tasks)
        if tasks:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait(tasks, timeout=2.0)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def snapshot(self) -> dict[str, Any]:
        return {"spec": self.spec.model_dump(exclude_defaults=True), "injected": dict(self.injected)}


def _garbage(message: str | bytes, rng: random.Random) -> str | bytes:
    if isinstance(message, bytes):
        return bytes(rng.getrandbits(8) for _ in range(max(1, min(len(message), 64))))
    return '{"time":' + "".join(rng.choice('{}[]:,"x0') for _ in range(16))


class _Schedule:
    """When each timed fault of a venue fires next (monotonic seconds; 0 = not scheduled)."""

    __slots__ = ("drop", "listen_key", "restart", "silent")

    def __init__(self) -> None:
        self.drop = self.silent = self.listen_key = self.restart = 0.0


class SimulatorFaults:
    """Every venue's :class:`VenueFaults` plus the timed faults and the clock skew; ``/__sim/faults``."""

    def __init__(self, clock: SimClock, venues: Mapping[str, VenueFaults]) -> None:
        self.clock = clock
        self.venues = dict(venues)
        self.plan = FaultPlan(enabled=False)
        self._schedules = {name: _Schedule() for name in self.venues}
        self._rng = random.Random(1)
        self._task: asyncio.Task[None] | None = None
        self._skew_next = 0.0
        self._skew_until = 0.0
        self.skew_changes = 0
        for name, faults in self.venues.items():
            faults.name = faults.name or name

    # --- configuration ------------------------------------------------------------------------------
    def apply(self, plan: FaultPlan | Mapping[str, Any] | None) -> FaultPlan:
        """Install a plan (replacing the previous one); ``enabled = false`` or None turns every mix off."""
        plan = parse_plan(plan)
        unknown = sorted(set(plan.venues) - {ALL, *self.venues})
        if unknown:
            raise ValueError(f"faults for unknown venues {unknown}; this simulator runs {sorted(self.venues)}")
        self.plan = plan
        self._rng.seed(plan.seed)
        for index, (name, faults) in enumerate(self.venues.items()):
            faults.configure(plan.spec_for(name) if plan.enabled else None)
            faults.reseed(plan.seed * 1000 + index)
            self._schedules[name] = _Schedule()
        if not plan.enabled or not plan.clock_skew_s:
            self.clock.offset_s = 0.0
        self._skew_next = self._skew_until = 0.0
        return plan

    def suspend(self, suspended: bool = True) -> None:
        """Pause (or resume) every random and timed fault; a running restart window ends now."""
        for faults in self.venues.values():
            faults.suspended = suspended
            if suspended:
                faults.down_until = 0.0
        if suspended:
            self.clock.offset_s = 0.0
            self._skew_until = 0.0

    @property
    def injected(self) -> dict[str, Counter[str]]:
        return {name: faults.injected for name, faults in self.venues.items()}

    def totals(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for faults in self.venues.values():
            total.update(faults.injected)
        if self.skew_changes:
            total["clock_skew"] = self.skew_changes
        return total

    # --- lifecycle ----------------------------------------------------------------------------------
    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="simulator-faults")

    async def stop(self) -> None:
        task, self._task = self._task, None
        await cancel_and_wait(task)
        for faults in self.venues.values():
            await faults.close()

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            if not self.plan.enabled:
                continue
            now = time.monotonic()
            self._clock_skew(now)
            for name, faults in self.venues.items():
                if not faults.suspended:
                    await self._timed(now, faults, self._schedules[name])

    def _next(self, now: float, every_s: float) -> float:
        return now + every_s * self._rng.uniform(0.75, 1.25)

    async def _timed(self, now: float, faults: VenueFaults, due: _Schedule) -> None:
        spec = faults.spec
        if spec.drop_every_s:
            if not due.drop:
                due.drop = self._next(now, spec.drop_every_s)
            elif now >= due.drop:
                due.drop = self._next(now, spec.drop_every_s)
                await faults.drop_ws_connections(abrupt=self._rng.random() < spec.drop_abrupt_ratio)
        if spec.silent_every_s:
            if not due.silent:
                due.silent = self._next(now, spec.silent_every_s)
            elif now >= due.silent:
                due.silent = self._next(now, spec.silent_every_s)
                faults.silence()
        if spec.listen_key_expiry_every_s:
            if not due.listen_key:
                due.listen_key = self._next(now, spec.listen_key_expiry_every_s)
            elif now >= due.listen_key:
                due.listen_key = self._next(now, spec.listen_key_expiry_every_s)
                if faults.expire_listen_keys():
                    faults.injected["listen_key_expired"] += 1
        if spec.restart_every_s:
            if not due.restart:
                due.restart = self._next(now, spec.restart_every_s)
            elif now >= due.restart:
                due.restart = self._next(now, spec.restart_every_s)
                await faults.restart()

    def _clock_skew(self, now: float) -> None:
        plan = self.plan
        if not plan.clock_skew_s or any(f.suspended for f in self.venues.values()):
            return
        if not plan.clock_skew_every_s:
            if self.clock.offset_s != plan.clock_skew_s:
                self.clock.offset_s = plan.clock_skew_s
                self.skew_changes += 1
            return
        if self._skew_until and now >= self._skew_until:
            self._skew_until = 0.0
            self.clock.offset_s = 0.0
        if not self._skew_next:
            self._skew_next = self._next(now, plan.clock_skew_every_s)
        elif now >= self._skew_next:
            self._skew_next = self._next(now, plan.clock_skew_every_s)
            self._skew_until = now + plan.clock_skew_for_s
            self.clock.offset_s = plan.clock_skew_s
            self.skew_changes += 1

    # --- admin endpoint -----------------------------------------------------------------------------
    def mount(self, router: web.UrlDispatcher) -> None:
        """``GET /__sim/faults`` (plan and counters), ``POST`` (install a plan and/or run actions), ``DELETE``.

        POST body: a plan (``{"venues": {"all": {"gap_rate": 0.01}}, "clock_skew_s": 90}``) and/or
        ``{"actions": [{"venue": "mexc", "action": "drop" | "drop_abrupt" | "restart" | "expire_listen_keys"
        | "gap" | "silence"}]}``.
        """
        router.add_get(ADMIN_PATH, self._get)
        router.add_post(ADMIN_PATH, self._post)
        router.add_delete(ADMIN_PATH, self._delete)

    def describe(self) -> dict[str, Any]:
        return {
            "plan": self.plan.model_dump(exclude_defaults=True),
            "clock_offset_s": self.clock.offset_s,
            "venues": {name: faults.snapshot() for name, faults in self.venues.items()},
        }

    async def _get(self, request: web.Request) -> web.Response:
        return web.json_response(self.describe())

    async def _delete(self, request: web.Request) -> web.Response:
        self.apply(None)
        return web.json_response(self.describe())

    async def _post(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
            actions = body.pop("actions", [])
            if body:
                self.apply(body)
            for action in actions:
                await self.run_action(str(action.get("venue", "")), str(action.get("action", "")))
        except (ValueError, TypeError, AttributeError) as exc:  # pydantic's ValidationError is a ValueError
            return web.json_response({"error": str(exc)}, status=400)
        return web.json_response(self.describe())

    async def run_action(self, venue: str, action: str) -> None:
        """One immediate fault on ``venue`` (or ``all``)."""
        names = list(self.venues) if venue == ALL else [venue]
        for name in names:
            faults = self.venues.get(name)
            if faults is None:
                raise ValueError(f"unknown venue {name!r}")
            if action in ("drop", "drop_abrupt"):
                await faults.drop_ws_connections(abrupt=action == "drop_abrupt")
            elif action == "restart":
                await faults.restart()
            elif action == "expire_listen_keys":
                faults.expire_listen_keys()
            elif action == "gap":
                faults.gap_updates(1)
            elif action == "silence":
                faults.silence()
            else:
                raise ValueError(f"unknown action {action!r}")
