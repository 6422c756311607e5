"""MEXC through the containers and the functional API, as the seed's examples use it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from dependency_injector import providers

from app.config import AppSettings, ExchangeConfig
from app.domain.enums import ExchangeEnum
from app.exchanges.mexc.spot.composite_private import MexcCompositePrivateSpotExchange
from app.exchanges.mexc.spot.composite_public import MexcCompositePublicSpotExchange
from app.exchanges.mexc.spot.rest_private import MexcPrivateSpotRest
from app.exchanges.mexc.spot.rest_public import MexcPublicSpotRest
from containers import factory
from containers.application import ApplicationContainer
from containers.factory import (
    close_all_exchanges,
    create_exchange_pair,
    create_public_composite_exchange,
    create_rest_client,
    get_supported_exchanges,
)
from tests.mexc.conftest import BTC


@pytest.fixture
async def fresh_container() -> AsyncIterator[ApplicationContainer]:
    container = ApplicationContainer()
    factory.set_container(container)
    yield container
    await close_all_exchanges()
    factory.set_container(None)


async def test_functional_api_runs_the_seed_examples(
    fresh_container: ApplicationContainer, venue_config: ExchangeConfig
) -> None:
    assert ExchangeEnum.MEXC in get_supported_exchanges()
    rest = create_rest_client(ExchangeEnum.MEXC, venue_config, is_private=False)
    assert isinstance(rest, MexcPublicSpotRest) and rest is create_rest_client(ExchangeEnum.MEXC, venue_config, False)
    assert (await rest.get_orderbook(BTC, 5)).bids
    public = create_public_composite_exchange(ExchangeEnum.MEXC, venue_config)
    assert isinstance(public, MexcCompositePublicSpotExchange)
    pair = create_exchange_pair(ExchangeEnum.MEXC, venue_config)
    assert pair[0] is public and isinstance(pair[1], MexcCompositePrivateSpotExchange)
    await public.initialize(["BTC/USDT"])
    assert await public.wait_ready(5.0)
    await pair[1].initialize(["BTC/USDT"])
    assert "USDT" in await pair[1].get_balances()


async def test_keyed_registries(venue_config: ExchangeConfig) -> None:
    container = ApplicationContainer()
    container.core.settings.override(
        providers.Object(AppSettings(env="testing", exchanges={ExchangeEnum.MEXC: venue_config}))
    )
    try:
        assert isinstance(container.transports("mexc:public:rest"), MexcPublicSpotRest)
        private_rest = container.transports("mexc:private:rest")
        assert isinstance(private_rest, MexcPrivateSpotRest) and private_rest is container.transport.mexc_private_rest()
        assert isinstance(container.composites("mexc:public"), MexcCompositePublicSpotExchange)
        private = container.composites("mexc:private")
        assert isinstance(private, MexcCompositePrivateSpotExchange) and private is container.composites("mexc:private")
    finally:
        await factory.shutdown_container(container)
