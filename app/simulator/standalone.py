"""Run the simulator as a process: print its URLs and test credentials, then serve until cancelled."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import TextIO

from app.simulator.server import ExchangeSimulator


def describe(sim: ExchangeSimulator, *, as_json: bool) -> str:
    """Human-readable lines, or one JSON object keyed by venue (``{"gateio": {"rest_url": ...}}``)."""
    if as_json:
        return json.dumps({name: ep.as_dict() for name, ep in sim.endpoints.items()}, separators=(",", ":"))
    lines = [f"exchange simulator on {sim.host}:{sim.port} (seed {sim.seed})"]
    for name, ep in sim.endpoints.items():
        lines += [
            f"[{name}]",
            f"  rest_url   = {ep.rest_url}",
            f"  ws_url     = {ep.ws_url}",
            f"  api_key    = {ep.api_key}",
            f"  api_secret = {ep.api_secret}",
            f"  uid        = {ep.uid}",
        ]
    lines.append("test credentials only; press Ctrl+C to stop")
    return "\n".join(lines)


async def serve(host: str, port: int, seed: int, as_json: bool, *, out: TextIO | None = None) -> None:
    """Start the simulator, print its endpoints (to ``out``, default stdout), run until cancelled."""
    stream = out or sys.stdout
    async with ExchangeSimulator(host=host, port=port, seed=seed) as sim:
        print(describe(sim, as_json=as_json), file=stream, flush=True)
        await asyncio.Event().wait()
