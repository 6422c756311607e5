"""Fixtures of the container tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from containers import factory


@pytest.fixture
async def fresh_factory() -> AsyncIterator[None]:
    """The functional API without a process-wide container before the test, and closed and cleared after it."""
    factory.set_container(None)
    yield
    await factory.close_all_exchanges()
    factory.set_container(None)
