"""``cex-arb health``: start the configured venues' composites, wait for them, print the health report.

In development and testing the embedded simulator is started first (``target_environment``), so the
command works on a fresh machine. Exit code 0 when ready, 1 when not (2 for a configuration error, as
every command).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from app.config import AppSettings, load_settings
from app.domain.enums import ExchangeEnum
from app.errors import CexArbError


async def run_health(
    *,
    env: str | None,
    as_json: bool,
    symbols: Sequence[str] | None = None,
    venues: Sequence[str] | None = None,
    timeout_s: float = 15.0,
    out: TextIO = sys.stdout,
) -> int:
    """Print the report (table or JSON) and return the exit code."""
    from dependency_injector import providers

    from app.runtime.environment import target_environment
    from containers.application import ApplicationContainer
    from containers.factory import shutdown_container

    settings = load_settings(env)
    async with target_environment(settings) as effective:
        container = ApplicationContainer()
        container.core.settings.override(providers.Object(effective))
        try:
            supported = [ex.value for ex in ExchangeEnum if hasattr(container.transport, f"{ex.value}_public_rest")]
            wanted = _venues(effective, venues, supported)
            errors = await _start(container, effective, wanted, list(symbols or effective.monitor.symbols), timeout_s)
            report = container.core.health().report(supported)
            data = report.to_dict()
            data["environment"] = effective.env
            data["startup_errors"] = errors
            data["ready"] = bool(report.ready and not errors)
        finally:
            await shutdown_container(container)
    print(json.dumps(data, indent=2) if as_json else format_table(data), file=out)
    return 0 if data["ready"] else 1


def _venues(settings: AppSettings, venues: Sequence[str] | None, supported: list[str]) -> list[ExchangeEnum]:
    names = list(venues) if venues else [venue.value for venue in settings.monitor.venues]
    return [ExchangeEnum(name) for name in names if name in supported and ExchangeEnum(name) in settings.exchanges]


async def _start(
    container: Any, settings: AppSettings, venues: list[ExchangeEnum], symbols: list[str], timeout_s: float
) -> list[str]:
    """Initialize each venue's public (and, with credentials, private) composite; return what failed."""
    errors: list[str] = []
    for venue in venues:
        config = settings.exchanges[venue]
        domains = ["public"] + (["private"] if config.private_enabled and config.has_credentials() else [])
        for domain in domains:
            key = f"{venue.value}:{domain}"
            try:
                composite = container.composites(key)
                async with asyncio.timeout(timeout_s):
                    await composite.initialize(symbols)
                    wait_ready = getattr(composite, "wait_ready", None)
                    if wait_ready is not None and not await wait_ready(timeout_s):
                        errors.append(f"{key}: books not synced within {timeout_s}s")
            except TimeoutError:
                errors.append(f"{key}: not started within {timeout_s}s")
            except CexArbError as exc:
                errors.append(f"{key}: {type(exc).__name__}: {exc}")
    return errors


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


_WIDTHS = (7, 5, 5, 5, 5, 7, 6)


def _row(cells: Sequence[str]) -> str:
    return " ".join(f"{cell:>{width}}" for cell, width in zip(cells, _WIDTHS, strict=True))


def format_table(data: dict[str, Any]) -> str:
    """The human form of the report."""
    state = "READY" if data["ready"] else "NOT READY"
    lines = [f"cex-arb health ({data.get('environment', '?')}): {state}, live={_cell(data['live'])}", ""]
    columns = ("key", "created", "connected", "authenticated", "books_valid", "stream_fresh", "last_message_age_s")
    titles = ("key", "created", "conn", "auth", "books", "fresh", "age s", "err %")
    lines.append(f"{titles[0]:<22} {_row(titles[1:])}  notes")
    for key in data["keys"]:
        cells = [_cell(key[name]) for name in columns]
        rate = "-" if key["error_rate"] is None else f"{key['error_rate'] * 100:.1f}"
        notes = "; ".join(key["reasons"]) or "ok"
        row = (*cells[1:], rate)
        lines.append(f"{cells[0]:<22} {_row(row)}  {notes}")
    factory = data["factory"]
    lines += [
        "",
        f"factory: supported={','.join(factory['supported_exchanges'])} "
        f"cache_efficiency={factory['cache_efficiency']:.2%} "
        f"average_creation_time={factory['average_creation_time'] * 1000:.2f}ms "
        f"error_rate={factory['error_rate']:.2%}",
    ]
    for error in data.get("startup_errors", []):
        lines.append(f"startup error: {error}")
    return "\n".join(lines)
