"""What every simulated venue's REST route does around its handler, whatever the venue's error shape.

A venue's route table (``gateio_rest_routes.GateRoutes``, ``mexc.rest.MexcSpotRest``) asks the venue's
:class:`~app.simulator.faults.VenueFaults` for a fault, raises it in the venue's shape, authenticates, then
calls :func:`rate_limit` and answers with :func:`json_answer`.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar

from aiohttp import web

from app.simulator.common import RateLimitDecision, RateLimits, dumps_bytes
from app.simulator.faults import RestFault
from app.simulator.venue_base import ClockedVenue, SimUser

UserT = TypeVar("UserT", bound=SimUser)


class RoutedVenue(ClockedVenue, Protocol):
    """What the route plumbing reads from a venue."""

    @property
    def rate_limits(self) -> RateLimits: ...


def signed_user(user: UserT | None) -> UserT:
    """The caller of a signed route (the plumbing has authenticated it before the handler runs)."""
    assert user is not None, "private handler registered without signing"
    return user


def rate_limit(
    venue: RoutedVenue, request: web.Request, endpoint: str, category: str, user: SimUser | None
) -> RateLimitDecision:
    """Count one request of ``endpoint`` against the user's (or else the caller address's) budget; a refusal
    is noted as an enforced 429 (the caller raises it in the venue's shape)."""
    identity = user.uid if user is not None else (request.remote or "-")
    decision = venue.rate_limits.check(endpoint, category, identity, venue.clock.now())
    if not decision.allowed:
        venue.faults.note("enforced_429")
    return decision


def json_answer(
    venue: RoutedVenue, request: web.Request, fault: RestFault, status: int, payload: Any, headers: dict[str, str]
) -> web.Response:
    """The JSON response of a processed request, or the lost response of a ``LOST_RESPONSE`` fault."""
    if fault is RestFault.LOST_RESPONSE:
        return venue.faults.lose_response(request)
    return web.Response(body=dumps_bytes(payload), status=status, content_type="application/json", headers=headers)
