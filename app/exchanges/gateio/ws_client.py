"""Gate.io WebSocket client base: subscriptions with acks, replay on reconnect, ordered handler delivery.

Shared by the spot and futures public and private clients, which only declare their channels.

Handler delivery (the hot path): a sync handler is called inline from the reader; an async handler
gets one FIFO worker task per handler, owned by the client, so items keep their order and the reader
never awaits a handler.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import msgspec

from app.config import ExchangeConfig
from app.domain.handlers import Handler
from app.errors import AuthenticationError, ExchangeAPIError, NetworkError
from app.exchanges.gateio import constants as c
from app.exchanges.gateio.signer import GateioRequestSigner
from app.exchanges.gateio.ws_protocol import (
    WsEnvelope,
    ack_decoder,
    encode_ping,
    encode_request,
    envelope_decoder,
    next_request_id,
)
from app.transport.clock import ServerClock
from app.transport.dispatch import OrderedAsyncDispatcher, deliverer
from app.transport.session import HttpSessionManager
from app.transport.websocket import ReconnectingWebSocket, make_backend

T = TypeVar("T")
ResultHandler = Callable[[msgspec.Raw], None]
TypedHandler = Callable[[Any], None]
ReconnectListener = Callable[[], Awaitable[None] | None]
Unit = tuple[str, ...]


class GateioWebsocketClient:
    """One Gate WS connection: stores subscriptions, replays them after each reconnect, then runs the
    reconnect listeners. ``subscribe`` waits for the venue's ack (errors raise: code 4 ->
    :class:`AuthenticationError`, others :class:`ExchangeAPIError`); while disconnected the
    subscription is only stored and goes out with the replay.
    """

    def __init__(
        self,
        config: ExchangeConfig,
        sessions: HttpSessionManager,
        *,
        url: str,
        name: str,
        ping_channel: str,
        signer: GateioRequestSigner | None = None,
        clock: ServerClock | None = None,
        logger: logging.Logger | None = None,
        per_unit_channels: frozenset[str] = frozenset(),
        exchange_name: str = c.EXCHANGE_NAME,
    ) -> None:
        self.config = config
        self.name = name
        self.exchange_name = exchange_name
        self.logger = logger or logging.getLogger(f"app.exchanges.gateio.{name}")
        self.clock = clock or ServerClock()
        self._signer = signer
        self._ping_channel = ping_channel
        self._per_unit_channels = per_unit_channels
        self._ack_timeout_s = config.request_timeout_s
        self._subscriptions: dict[str, dict[Unit, None]] = {}
        self._handlers: dict[str, ResultHandler] = {}
        self._typed: dict[str, tuple[Any, TypedHandler]] = {}  # channel -> (result type, handler)
        self._typed_by_message: dict[type, TypedHandler] = {}  # one-pass message Struct -> handler
        self._decode_typed: Callable[[str | bytes], Any] | None = None
        self._pending: dict[int, tuple[str, str, asyncio.Future[WsEnvelope]]] = {}
        self._listeners: list[ReconnectListener] = []
        self._dispatchers: list[OrderedAsyncDispatcher[Any]] = []
        self._aux_tasks: set[asyncio.Task[None]] = set()
        self._started = False
        self._closed = False
        self._ready_epoch = -1  # the reconnect count whose subscriptions were replayed and listeners ran
        self.ws = ReconnectingWebSocket(
            url,
            name=name,
            backend=make_backend(config.ws_backend, sessions),
            on_message=self._on_message,
            on_connected=self._on_connected,
            ping_message=self._ping,
            ping_interval_s=config.ws_ping_interval_s,
            idle_timeout_s=config.ws_idle_timeout_s,
            max_backoff_s=config.ws_reconnect_max_delay_s,
            connect_timeout_s=config.connect_timeout_s,
            logger=self.logger,
        )

    # -- lifecycle --------------------------------------------------------------------------------
    async def start(self) -> None:
        """Connect and send any subscription stored before the start."""
        if self._closed:
            raise NetworkError(f"{self.name}: client closed")
        if not self._started:
            self._started = True
            await self.ws.start()

    async def close(self) -> None:
        """Close the socket and every task this client owns; idempotent."""
        self._closed = True
        await self.ws.close()
        for _, _, future in self._pending.values():
            future.cancel()
        self._pending.clear()
        for task in list(self._aux_tasks):
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
        for dispatcher in self._dispatchers:
            await dispatcher.close()

    @property
    def ready(self) -> bool:
        """Connected, and this connection's subscriptions replayed and reconnect listeners run: until then
        (right after a reconnect) data from before the drop must not be trusted."""
        return self.ws.connected and self._ready_epoch == self.ws.reconnect_count

    def add_reconnect_listener(self, callback: ReconnectListener) -> None:
        """Run ``callback`` (sync or async) after every reconnect, once the subscriptions are replayed."""
        self._listeners.append(callback)

    @property
    def subscriptions(self) -> dict[str, list[Unit]]:
        """Stored subscriptions per channel (what a reconnect replays)."""
        return {channel: list(units) for channel, units in self._subscriptions.items() if units}

    # -- handlers ---------------------------------------------------------------------------------
    def deliverer(self, handler: Handler[T] | None, label: str) -> Callable[[T], Any] | None:
        """Sync handlers are called inline; async ones go through an ordered worker task."""
        return deliverer(handler, f"{self.name}-{label}", self.logger, self._dispatchers)

    def register_channel(self, channel: str, handler: ResultHandler) -> None:
        """Route ``update`` messages of ``channel`` (their raw ``result``) to ``handler``."""
        self._handlers[channel] = handler

    def register_typed_channel(self, channel: str, result_type: Any, handler: TypedHandler) -> None:
        """Route ``update`` messages of ``channel`` to ``handler`` with ``result`` decoded as ``result_type``.

        The hot path decodes such a frame in one pass (a msgspec union tagged by ``channel``), instead of
        the envelope with a raw ``result`` and then the result (measured in ``scripts/bench``: ~0.5 us per
        frame). A frame it does not fit (another channel, an ack, a result of another shape) goes the
        envelope way, so errors surface exactly as for :meth:`register_channel`.
        """
        decode = msgspec.json.Decoder(result_type, strict=False).decode

        def from_raw(raw: msgspec.Raw) -> None:
            handler(decode(raw))

        self._handlers[channel] = from_raw
        self._typed[channel] = (result_type, handler)
        self._build_typed_decoder()

    def _build_typed_decoder(self) -> None:
        messages: list[type] = []
        self._typed_by_message = {}
        for index, (channel, (result_type, handler)) in enumerate(self._typed.items()):
            message = msgspec.defstruct(
                f"TypedUpdate{index}",
                [("event", str, ""), ("result", result_type | None, None)],
                tag_field="channel",
                tag=channel,
            )
            messages.append(message)
            self._typed_by_message[message] = handler
        union: Any = messages[0]
        for message in messages[1:]:
            union = union | message
        self._decode_typed = msgspec.json.Decoder(union, strict=False).decode

    # -- subscriptions ----------------------------------------------------------------------------
    async def subscribe(self, channel: str, units: Sequence[Unit]) -> None:
        """Store ``units`` (payload tuples) of ``channel`` and, when connected, subscribe and await the ack."""
        stored = self._subscriptions.setdefault(channel, {})
        new = [unit for unit in units if unit not in stored]
        for unit in new:
            stored[unit] = None
        if new and self._started and self.ws.connected:
            try:
                await self._request_all(channel, c.EVENT_SUBSCRIBE, new)
            except (AuthenticationError, ExchangeAPIError):
                for unit in new:
                    stored.pop(unit, None)
                raise

    async def unsubscribe(self, channel: str, units: Sequence[Unit]) -> None:
        """Forget ``units`` of ``channel`` and, when connected, unsubscribe."""
        stored = self._subscriptions.get(channel, {})
        gone = [unit for unit in units if unit in stored]
        for unit in gone:
            del stored[unit]
        if gone and self._started and self.ws.connected:
            await self._request_all(channel, c.EVENT_UNSUBSCRIBE, gone)

    def _payloads(self, channel: str, units: Sequence[Unit]) -> list[list[str] | None]:
        if channel in self._per_unit_channels:
            return [list(unit) for unit in units]
        flat = [part for unit in units for part in unit]
        return [flat or None]

    async def _request_all(self, channel: str, event: str, units: Sequence[Unit]) -> None:
        await asyncio.gather(*(self._request(channel, event, p) for p in self._payloads(channel, units)))

    async def _request(self, channel: str, event: str, payload: list[str] | None) -> None:
        try:
            await self._request_once(channel, event, payload)
        except AuthenticationError as exc:
            if self.clock.resync is None or "REQUEST_EXPIRED" not in str(exc):
                raise
            # the venue refused the signed ``time``: measure the server clock again (one measurement shared by
            # every channel refused at the same time), sign afresh, once
            self.logger.warning("%s: %s refused for its time; resyncing the server clock", self.name, channel)
            await self.clock.resync_shared()
            await self._request_once(channel, event, payload)

    async def _request_once(self, channel: str, event: str, payload: list[str] | None) -> None:
        time_s = int(self.clock.now_s())
        request_id = next_request_id()
        auth = self._signer.ws_auth(channel, event, time_s) if self._signer is not None else None
        message = encode_request(channel, event, payload, time_s=time_s, request_id=request_id, auth=auth)
        future: asyncio.Future[WsEnvelope] = asyncio.get_running_loop().create_future()
        self._pending[request_id] = (channel, event, future)
        try:
            envelope = await self.ws.send_and_await(
                message, future, self._ack_timeout_s, f"{event} {channel} {payload}"
            )
        finally:
            self._pending.pop(request_id, None)
        if envelope is not None:  # None: disconnected, the stored subscription goes out with the replay
            self._check_ack(envelope, channel, event, payload)

    def _check_ack(self, envelope: WsEnvelope, channel: str, event: str, payload: list[str] | None) -> None:
        error = envelope.error
        if error is None:
            try:
                result = ack_decoder.decode(envelope.result)
            except msgspec.DecodeError:
                return
            if result is None or result.status != "fail":
                return
            message, code = "request failed", None
        else:
            message, code = error.message, error.code
        text = f"{event} {channel} {payload}: {message}"
        if code == c.WS_ERROR_AUTH:
            raise AuthenticationError(self.exchange_name, text, code=code)
        raise ExchangeAPIError(self.exchange_name, text, code=code)

    async def _on_connected(self, is_reconnect: bool) -> None:
        requests = [
            self._request_all(channel, c.EVENT_SUBSCRIBE, list(units))
            for channel, units in self._subscriptions.items()
            if units
        ]
        if requests:
            await asyncio.gather(*requests)
        if is_reconnect:
            for listener in list(self._listeners):
                try:
                    result = listener()
                    if inspect.isawaitable(result):
                        await result
                except Exception:
                    self.logger.exception("%s: reconnect listener failed", self.name)
        self._ready_epoch = self.ws.reconnect_count

    # -- messages (hot path) ----------------------------------------------------------------------
    def _on_message(self, data: str | bytes) -> None:
        decode_typed = self._decode_typed
        if decode_typed is not None:
            try:
                message = decode_typed(data)
            except msgspec.MsgspecError:
                pass  # not a typed channel's update: the envelope way below (errors surface there)
            else:
                event = message.event
                if message.result is not None and (event == c.EVENT_UPDATE or event == c.EVENT_ALL):
                    self._typed_by_message[message.__class__](message.result)
                    return
        envelope = envelope_decoder.decode(data)
        event = envelope.event
        if event == c.EVENT_UPDATE or event == c.EVENT_ALL:
            handler = self._handlers.get(envelope.channel)
            if handler is not None:
                handler(envelope.result)
            return
        self._on_control(envelope)

    def _on_control(self, envelope: WsEnvelope) -> None:
        event = envelope.event
        if event == c.EVENT_SUBSCRIBE or event == c.EVENT_UNSUBSCRIBE:
            self._resolve_ack(envelope)
        elif event == c.EVENT_UPGRADE:
            self.logger.info("%s: venue asked for a reconnect (upgrade)", self.name)
            task = asyncio.get_running_loop().create_task(self.ws.reconnect())
            self._aux_tasks.add(task)
            task.add_done_callback(self._aux_tasks.discard)
        elif envelope.error is not None:
            self.logger.warning(
                "%s: venue error on %s: %s %s",
                self.name,
                envelope.channel,
                envelope.error.code,
                envelope.error.message,
            )

    def _resolve_ack(self, envelope: WsEnvelope) -> None:
        entry = self._pending.get(envelope.id) if envelope.id is not None else None
        if entry is None:  # no id echoed: the oldest request on the same channel and event
            entry = next(
                (e for e in self._pending.values() if e[0] == envelope.channel and e[1] == envelope.event), None
            )
        if entry is not None and not entry[2].done():
            entry[2].set_result(envelope)

    def _ping(self) -> str:
        return encode_ping(self._ping_channel, int(self.clock.now_s()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.ws.url}, connected={self.ws.connected})"
