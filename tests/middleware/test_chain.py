"""The middleware chain: layer order, hit / miss / error events, and overriding each layer on its own."""

from __future__ import annotations

from typing import Any

import pytest
from dependency_injector import providers

from app.middleware.chain import MiddlewareChain, ProvideEvent, ProviderMiddleware
from app.middleware.keys import ProviderKey, parse_key
from containers.application import ApplicationContainer
from containers.factory import shutdown_container
from containers.middleware import Decorated


class Wrapped:
    def __init__(self, inner: Any, label: str) -> None:
        self.inner = inner
        self.label = label


class Recording(ProviderMiddleware):
    observe_hits = True

    def __init__(self, label: str, *, wrap: bool = True) -> None:
        self.name = label
        self.wrap = wrap
        self.events: list[ProvideEvent] = []
        self.decorated: list[tuple[ProviderKey, Any]] = []

    def decorate(self, key: ProviderKey, instance: Any) -> Any:
        self.decorated.append((key, instance))
        return Wrapped(instance, self.name) if self.wrap else instance

    def observe(self, event: ProvideEvent) -> None:
        self.events.append(event)


def test_the_first_layer_is_the_outermost_and_each_instance_is_decorated_once() -> None:
    outer, inner_layer = Recording("outer"), Recording("inner")
    chain = MiddlewareChain([outer, inner_layer])
    cached = object()

    first = chain.provide("gateio:public:rest", lambda: cached, (), {})
    second = chain.provide("gateio:public:rest", lambda: cached, (), {})

    assert first is second
    assert isinstance(first, Wrapped) and first.label == "outer"
    assert first.inner.label == "inner" and first.inner.inner is cached
    assert len(inner_layer.decorated) == len(outer.decorated) == 1
    assert [e.hit for e in outer.events] == [False, True] == [e.hit for e in inner_layer.events]
    assert outer.events[0].key == parse_key("gateio:public:rest")
    assert all(e.duration_s >= 0 and e.started_ns > 0 for e in outer.events)


def test_a_new_instance_is_a_miss_and_an_error_is_reported_then_raised() -> None:
    layer = Recording("only", wrap=False)
    chain = MiddlewareChain([layer])
    chain.provide("gateio:public:ws", object, (), {})
    chain.provide("gateio:public:ws", object, (), {})  # a Factory: new instance, decorated again

    def broken() -> Any:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        chain.provide("gateio:private", broken, (), {})
    assert [(e.key.text, e.hit, e.error is not None) for e in layer.events] == [
        ("gateio:public:ws", False, False),
        ("gateio:public:ws", False, False),
        ("gateio:private", False, True),
    ]
    assert len(layer.decorated) == 2


def test_keys_parse_and_reject_garbage() -> None:
    assert parse_key("gateio:private").kind == "composite"
    assert parse_key("mexc:public:ws").sibling("rest").text == "mexc:public:rest"
    with pytest.raises(ValueError):
        parse_key("gateio")
    with pytest.raises(ValueError):
        parse_key("gateio:public:grpc")


def test_the_container_shows_the_chain_and_the_raw_providers(container: ApplicationContainer) -> None:
    chain = container.core.middleware()
    assert [layer.name for layer in chain.layers] == ["performance", "health", "tracing"]
    decorated = container.transport.gateio_public_rest
    assert isinstance(decorated, Decorated)
    assert decorated.inner is container.transport.gateio_public_rest_raw
    assert isinstance(container.composite.gateio_private_composite, Decorated)
    # the chain keeps the venue object's type: layers observe, they do not proxy
    assert type(container.transports("gateio:public:rest")).__name__ == "GateioPublicSpotRest"


def test_override_the_raw_transport_and_keep_the_real_middleware(container: ApplicationContainer) -> None:
    fake = object()
    with container.transport.gateio_public_rest_raw.override(providers.Object(fake)):
        assert container.transports("gateio:public:rest") is fake
        assert container.transports("gateio:public:rest") is fake
    stats = container.core.performance().providers[parse_key("gateio:public:rest")]
    assert (stats.misses, stats.hits) == (1, 1)
    report = container.core.health().report()
    assert [k.key for k in report.keys if k.created] == ["gateio:public:rest"]


def test_override_one_layer_and_keep_the_others(container: ApplicationContainer) -> None:
    recording = Recording("recording", wrap=False)
    container.core.tracing.override(providers.Object(recording))
    rest = container.transports("gateio:public:rest")
    assert [layer.name for layer in container.core.middleware().layers] == ["performance", "health", "recording"]
    assert recording.decorated == [(parse_key("gateio:public:rest"), rest)]
    assert container.core.performance().providers[parse_key("gateio:public:rest")].misses == 1


async def test_each_container_has_its_own_middleware(container: ApplicationContainer) -> None:
    other = ApplicationContainer()
    other.core.settings.override(providers.Object(container.core.settings()))
    try:
        assert other.core.middleware() is not container.core.middleware()
        assert other.core.telemetry() is not container.core.telemetry()
        assert other.transport.gateio_public_rest is not container.transport.gateio_public_rest
    finally:
        await shutdown_container(other)
