"""No credential and no signature in anything emitted during a private-order scenario: spans (attributes,
events, statuses, recorded exceptions), metrics, Prometheus text, the health JSON, log lines, exception
texts. The signatures to look for are the real ones, captured from the signing functions as they run."""

from __future__ import annotations

import json
import logging
from decimal import Decimal

import pytest
from pytest_mock import MockerFixture

import app.exchanges.gateio.signer as gate_signer
from app.errors import CexArbError
from app.simulator import ExchangeSimulator
from app.telemetry.prometheus import render
from containers.application import ApplicationContainer
from tests.middleware.helpers import iter_text


async def test_nothing_secret_is_emitted_during_a_private_order_scenario(
    container: ApplicationContainer,
    simulator: ExchangeSimulator,
    mocker: MockerFixture,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    rest_signatures = mocker.spy(gate_signer, "sign_rest")
    ws_signatures = mocker.spy(gate_signer, "sign_ws")
    errors: list[BaseException] = []

    private = container.composites("gateio:private")
    await private.initialize(["BTC/USDT"])
    order = await private.create_order("BTC/USDT", "buy", Decimal("0.001"), Decimal("50000.0"))
    await private.cancel_order("BTC/USDT", order.order_id)
    for bad in (
        lambda: private.create_order("BTC/USDT", "buy", Decimal("0.001"), Decimal("50000.05")),  # off tick
        lambda: private.create_order("BTC/USDT", "buy", Decimal("100000"), Decimal("50000.0")),  # no funds
        lambda: private.get_order("BTC/USDT", "123456789"),  # unknown
    ):
        try:
            await bad()
        except CexArbError as exc:
            errors.append(exc)
    assert len(errors) == 3

    gate = container.core.settings().exchange("gateio")
    secrets = {gate.credentials.api_key.get_secret_value(), gate.credentials.api_secret.get_secret_value()}
    signatures = set(rest_signatures.spy_return_list) | set(ws_signatures.spy_return_list)
    assert len(rest_signatures.spy_return_list) >= 4 and ws_signatures.spy_return_list  # REST and WS auth ran
    needles = secrets | signatures

    telemetry = container.core.telemetry()
    assert telemetry.span_exporter is not None
    spans = telemetry.span_exporter.get_finished_spans()
    assert any(span.name == "order.place" for span in spans)
    data = telemetry.collect()
    haystacks = {
        "spans": "\n".join(iter_text(spans, None)),
        "span json": "\n".join(span.to_json() for span in spans),
        "metrics": "\n".join(iter_text((), data)),
        "prometheus": render(data),
        "health": json.dumps(container.core.health().report(["gateio"]).to_dict()),
        "logs": "\n".join(caplog.text.splitlines()),
        "exceptions": "\n".join(f"{exc!s} {exc!r}" for exc in errors),
    }
    assert "POST /spot/orders" in haystacks["spans"] and "cex_rest_duration_seconds" in haystacks["prometheus"]
    for where, text in haystacks.items():
        leaked = [needle[:6] + "..." for needle in needles if needle in text]
        assert not leaked, f"{where} holds a credential or signature: {leaked}"
    for span in spans:
        url = (span.attributes or {}).get("url.full")
        assert url is None or ("?" not in str(url) and "signature" not in str(url).lower())
