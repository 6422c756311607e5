"""Builds a :class:`RestTransport` wired with MEXC's query signer and error mapper."""

from __future__ import annotations

import logging

from app.config import ExchangeConfig
from app.exchanges.mexc.errors import map_mexc_error
from app.exchanges.mexc.signer import MexcRequestSigner
from app.transport.clock import ServerClock
from app.transport.rate_limit import RateLimiter
from app.transport.rest import RestTransport
from app.transport.session import HttpSessionManager


def make_mexc_transport(
    config: ExchangeConfig,
    sessions: HttpSessionManager,
    *,
    signer: MexcRequestSigner | None,
    clock: ServerClock | None = None,
    rate_limiter: RateLimiter | None = None,
    logger: logging.Logger | None = None,
) -> RestTransport:
    """One transport per client: its own buckets (from ``config.rate_limits``) unless one is shared."""
    return RestTransport(
        config,
        sessions,
        signer=None,
        query_signer=signer,
        error_mapper=map_mexc_error,
        rate_limiter=rate_limiter or RateLimiter.from_config(config.rate_limits),
        clock=clock,
        logger=logger,
    )
