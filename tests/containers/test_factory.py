"""The functional factory API over the process-wide container."""

from __future__ import annotations

import pytest

from app.config import ExchangeConfig
from app.domain.enums import ExchangeEnum
from app.domain.handlers import create_private_handlers, create_public_handlers
from app.errors import CredentialsRequiredError, HandlerTypeError, UnsupportedExchangeError
from containers import factory

pytestmark = pytest.mark.usefixtures("fresh_factory")


def _config(with_credentials: bool = True) -> ExchangeConfig:
    data: dict[str, object] = {
        "name": "gateio",
        "rest_url": "http://127.0.0.1:9/api/v4",
        "ws_url": "ws://127.0.0.1:9/ws/v4/",
    }
    if with_credentials:
        data |= {"api_key": "k", "api_secret": "s"}
    return ExchangeConfig.model_validate(data)


def test_supported_exchanges_lists_wired_venues() -> None:
    assert ExchangeEnum.GATEIO in factory.get_supported_exchanges()


def test_unknown_or_unwired_exchange_is_rejected() -> None:
    with pytest.raises(UnsupportedExchangeError):
        factory.create_rest_client("kraken", _config(), is_private=False)


def test_cache_hit_returns_the_same_instance_and_use_cache_false_a_fresh_one() -> None:
    first = factory.create_composite_exchange(ExchangeEnum.GATEIO, _config())
    assert factory.create_public_composite_exchange("gateio", _config()) is first
    fresh = factory.create_composite_exchange(ExchangeEnum.GATEIO, _config(), use_cache=False)
    assert fresh is not first
    assert type(fresh) is type(first)


def test_exchange_pair_is_public_then_private() -> None:
    public, private = factory.create_exchange_pair(ExchangeEnum.GATEIO, _config())
    assert type(public).__name__ == "GateioCompositePublicSpotExchange"
    assert type(private).__name__ == "GateioCompositePrivateSpotExchange"


def test_private_without_credentials_raises_value_error() -> None:
    with pytest.raises(CredentialsRequiredError) as err:
        factory.create_private_composite_exchange(ExchangeEnum.GATEIO, _config(with_credentials=False))
    assert isinstance(err.value, ValueError)


def test_websocket_client_checks_the_handler_bundle() -> None:
    with pytest.raises(HandlerTypeError):
        factory.create_websocket_client(ExchangeEnum.GATEIO, _config(), create_private_handlers(), is_private=False)
    with pytest.raises(HandlerTypeError):
        factory.create_websocket_client(ExchangeEnum.GATEIO, _config(), create_public_handlers(), is_private=True)
    ws = factory.create_websocket_client(ExchangeEnum.GATEIO, _config(), create_public_handlers(), is_private=False)
    assert type(ws).__name__ == "GateioPublicSpotWebsocket"


async def test_close_all_clears_caches() -> None:
    rest = factory.create_rest_client(ExchangeEnum.GATEIO, _config(), is_private=True)
    await factory.close_all_exchanges()
    assert factory.create_rest_client(ExchangeEnum.GATEIO, _config(), is_private=True) is not rest
