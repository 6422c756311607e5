"""Route plumbing shared by the Gate.io spot and futures REST simulators (``/api/v4``).

:class:`GateRoutes` wraps a handler ``(request, user) -> (status, payload)`` with what every Gate route
does: injected faults, signature check, per-endpoint rate limit with the ``X-Gate-RateLimit-*`` headers,
``{"label", "message"}`` errors, ``X-In-Time``/``X-Out-Time``/``X-Gate-Trace-ID`` headers.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Protocol, TypeVar

import msgspec
from aiohttp import web
from multidict import MultiMapping

from app.simulator.common import RateLimits
from app.simulator.gateio_spot.auth import authenticate_rest
from app.simulator.gateio_spot.venue import GateApiError, GateioUser, invalid_param, raise_injected
from app.simulator.gateio_ws_hub import GateVenue
from app.simulator.route_plumbing import json_answer, rate_limit

PREFIX = "/api/v4"
Handler = Callable[[web.Request, GateioUser | None], Awaitable[tuple[int, Any]]]
BodyT = TypeVar("BodyT")


class GateRestVenue(GateVenue, Protocol):
    """What a Gate route reads from its venue."""

    @property
    def rate_limits(self) -> RateLimits: ...


def int_param(query: MultiMapping[str], name: str, default: int, low: int, high: int) -> int:
    """An integer query parameter within ``low..high`` (``default`` when absent), else ``INVALID_PARAM_VALUE``."""
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise invalid_param(name, raw) from None
    if not low <= value <= high:
        raise invalid_param(name, raw)
    return value


async def json_body(request: web.Request, decoder: msgspec.json.Decoder[BodyT]) -> BodyT:
    """The request's JSON body as ``decoder`` types it, else ``INVALID_REQUEST_BODY``."""
    try:
        return decoder.decode(await request.read())
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        raise GateApiError(400, "INVALID_REQUEST_BODY", f"Invalid request body: {exc}") from None


def refuse_iceberg(iceberg: object) -> None:
    """Iceberg orders are not simulated: a hidden size other than none / zero is ``INVALID_PARAM_VALUE``."""
    if iceberg not in (None, 0, "0", ""):
        raise invalid_param("iceberg", iceberg)


async def not_found(request: web.Request, user: GateioUser | None) -> tuple[int, Any]:
    """The Gate-shaped 404 of the ``/api/v4`` catch-all."""
    raise GateApiError(404, "NOT_FOUND", f"{request.method} {request.path} not found")


def has_route(router: web.UrlDispatcher, method: str, path: str) -> bool:
    """Whether ``router`` already serves ``method path`` (a ``*`` route serves every method)."""
    return any(
        r.method in (method, "*") and r.resource is not None and r.resource.canonical == path for r in router.routes()
    )


class GateRoutes:
    """Base of a Gate route table: :meth:`_add` registers one route with the shared plumbing."""

    venue: GateRestVenue
    PLACEMENT_SUFFIX: ClassVar[str]
    """A ``POST`` to a path ending so places an order (the target of order-placement faults)."""

    def __init__(self, venue: GateRestVenue) -> None:
        self.venue = venue

    def register_fallback(self, router: web.UrlDispatcher) -> None:
        """``NOT_FOUND`` in Gate's shape for any other ``/api/v4`` path, unless the other Gate venue (spot and
        futures share the prefix) registered it already; called after every venue has mounted."""
        if not has_route(router, "*", f"{PREFIX}/{{tail}}"):
            self._add(router, "*", "/{tail:.*}", not_found, "public")

    def _wrap(self, path: str, handler: Handler) -> Handler:
        """A venue's extra gate in front of the handler of ``path`` (none by default)."""
        return handler

    def _add(
        self,
        router: web.UrlDispatcher,
        method: str,
        path: str,
        handler: Handler,
        category: str,
        *,
        signed: bool = False,
    ) -> None:
        """Register ``method PREFIX+path``; ``category`` names its rate-limit rule, ``signed`` its auth."""
        venue, endpoint = self.venue, f"{method} {path}"
        placement = method == "POST" and path.endswith(self.PLACEMENT_SUFFIX)
        handler = self._wrap(path, handler)

        async def endpoint_handler(request: web.Request) -> web.Response:
            in_us = venue.clock.now_us()
            headers: dict[str, str] = {}
            fault = venue.faults.rest_fault(order_placement=placement)
            try:
                raise_injected(fault)
                user = None
                if signed:
                    user = authenticate_rest(
                        venue.users_by_key,
                        method=request.method,
                        raw_target=request.raw_path,
                        body=await request.read(),
                        headers=request.headers,
                        now_s=venue.clock.now(),
                    )
                decision = rate_limit(venue, request, endpoint, category, user)
                headers["X-Gate-RateLimit-Requests-Remain"] = str(decision.remaining)
                headers["X-Gate-RateLimit-Limit"] = str(decision.limit)
                headers["X-Gate-RateLimit-Reset-Timestamp"] = str(
                    decision.reset_s if not decision.allowed else int(venue.clock.now())
                )
                if not decision.allowed:
                    raise GateApiError(429, "TOO_MANY_REQUESTS", "Request Rate limit Exceeded")
                status, payload = await handler(request, user)
            except GateApiError as exc:
                status, payload = exc.status, exc.body()
            headers["X-In-Time"] = str(in_us)
            headers["X-Gate-Trace-ID"] = uuid.uuid4().hex
            headers["X-Out-Time"] = str(venue.clock.now_us())
            return json_answer(venue, request, fault, status, payload, headers)

        router.add_route(method, PREFIX + path, endpoint_handler)
