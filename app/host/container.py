"""The host application's container: the engine's :class:`ApplicationContainer` plus the monitor and accounts.

```python
container = HostContainer()                       # settings from settings/ and CEX_ENV
container.core.settings.override(providers.Object(settings))   # or pick them explicitly
app = create_app(container)                       # wires app.host.handlers; unwires on cleanup
```
"""

from __future__ import annotations

from typing import Any

from dependency_injector import providers

from app.config import AppSettings
from app.domain.enums import Domain
from app.host.accounts import AccountsView
from app.monitor.monitor import ArbitrageMonitor, MonitorConfig
from app.monitor.runner import select_venues
from containers.application import ApplicationContainer


def create_monitor(settings: AppSettings, composites: Any) -> ArbitrageMonitor:
    """A monitor over the configured venues' public composites (keys of the container's ``composites``)."""
    venues, _notes = select_venues(composites.providers, settings, None)
    publics = {venue: composites(f"{venue}:{Domain.PUBLIC.value}") for venue in venues}
    return ArbitrageMonitor(publics, MonitorConfig.from_settings(settings.monitor))


def create_accounts(settings: AppSettings, composites: Any) -> AccountsView:
    """Balances of the monitored venues that have credentials and an enabled private domain."""
    venues, _notes = select_venues(composites.providers, settings, None)
    privates = {
        venue: composites(f"{venue}:{Domain.PRIVATE.value}")
        for venue in venues
        if settings.exchange(venue).has_credentials() and settings.exchange(venue).private_enabled
    }
    return AccountsView(privates)


class HostContainer(ApplicationContainer):
    """ApplicationContainer + ``monitor`` and ``accounts`` Singletons (override them in tests)."""

    monitor = providers.Singleton(
        create_monitor, settings=ApplicationContainer.core.settings, composites=ApplicationContainer.composites.provider
    )
    accounts = providers.Singleton(
        create_accounts,
        settings=ApplicationContainer.core.settings,
        composites=ApplicationContainer.composites.provider,
    )
