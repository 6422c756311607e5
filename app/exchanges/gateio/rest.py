"""Builds a :class:`RestTransport` wired with Gate's signer, error mapper and rate-limit header hook."""

from __future__ import annotations

import logging

from app.config import ExchangeConfig
from app.exchanges.gateio.constants import EXCHANGE_NAME
from app.exchanges.gateio.errors import error_mapper_for, map_gateio_error
from app.exchanges.gateio.rate_limit_headers import GateioRateLimitHeaders
from app.exchanges.gateio.signer import GateioRequestSigner
from app.transport.clock import ServerClock
from app.transport.rate_limit import RateLimiter
from app.transport.rest import RestTransport
from app.transport.session import HttpSessionManager


def make_gateio_transport(
    config: ExchangeConfig,
    sessions: HttpSessionManager,
    *,
    signer: GateioRequestSigner | None,
    clock: ServerClock | None = None,
    rate_limiter: RateLimiter | None = None,
    logger: logging.Logger | None = None,
    exchange_name: str = EXCHANGE_NAME,
) -> RestTransport:
    """One transport per client: its own buckets (from ``config.rate_limits``) unless one is shared.

    ``exchange_name`` is the venue named in mapped errors (spot ``gateio``, futures ``gateio_futures``).
    """
    limiter = rate_limiter or RateLimiter.from_config(config.rate_limits)
    return RestTransport(
        config,
        sessions,
        signer=signer,
        error_mapper=map_gateio_error if exchange_name == EXCHANGE_NAME else error_mapper_for(exchange_name),
        rate_limiter=limiter,
        clock=clock,
        logger=logger,
        on_headers=GateioRateLimitHeaders(limiter),
    )
