"""Resources across a reconnect storm: no task, session or memory growth, nothing left after close."""

from __future__ import annotations

import asyncio
import gc
import tracemalloc

from app.exchanges.gateio.ws_protocol import encode_ping
from app.simulator import ExchangeSimulator
from app.soak.checks import open_sessions
from app.transport.session import HttpSessionManager
from app.transport.websocket import AiohttpWebSocketBackend, ReconnectingWebSocket
from tests.conformance.harness import pending_tasks
from tests.waiting import eventually

RECONNECTS = 1000


async def test_a_thousand_reconnects_leak_no_task_session_or_memory(simulator: ExchangeSimulator) -> None:
    for name in simulator.venues:  # the client's memory is measured, not the markets' history
        simulator.venue(name).market.pause()
    simulator.gateio.faults.configure({"drop_every_messages": 1, "drop_abrupt_ratio": 0.5})  # every frame: a drop
    sessions = HttpSessionManager()

    async def on_connected(_: bool) -> None:
        await ws.send(encode_ping("spot.ping", 0))  # the pong is the frame that gets the connection dropped

    ws = ReconnectingWebSocket(
        simulator.endpoints["gateio"].ws_url,
        name="storm",
        backend=AiohttpWebSocketBackend(sessions),
        on_message=lambda _: None,
        on_connected=on_connected,
        ping_message=None,
        ping_interval_s=30.0,
        idle_timeout_s=30.0,
        max_backoff_s=0.002,
        initial_backoff_s=0.001,
    )
    tracemalloc.start()
    try:
        await ws.start()
        await eventually(lambda: ws.reconnect_count >= RECONNECTS // 5, timeout_s=60.0, what="a first 200 reconnects")
        tasks_early = len(asyncio.all_tasks())
        gc.collect()
        memory_early = tracemalloc.get_traced_memory()[0]
        await eventually(lambda: ws.reconnect_count >= RECONNECTS, timeout_s=240.0, what=f"{RECONNECTS} reconnects")
        tasks_late = len(asyncio.all_tasks())
        gc.collect()
        memory_late = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        await ws.close()
        await sessions.close()
    assert tasks_late <= tasks_early + 5, f"tasks grew from {tasks_early} to {tasks_late}"
    assert memory_late - memory_early < 500_000, f"traced memory grew {memory_late - memory_early} bytes"
    assert simulator.gateio.faults.injected["drop"] + simulator.gateio.faults.injected["drop_abrupt"] >= RECONNECTS
    simulator.gateio.faults.configure(None)
    assert not [t for t in await pending_tasks(grace_s=2.0) if t.get_name().startswith("storm")]
    assert open_sessions() == 0
