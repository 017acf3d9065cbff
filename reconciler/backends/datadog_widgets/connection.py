"""Connecting to Datadog's Widgets API: DD_API_KEY and DD_APP_KEY for the chosen site."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from reconciler.backends.connection import Connected, Connection
from reconciler.backends.datadog_keys import Credentials, credentials_for
from reconciler.backends.datadog_widgets.backend import DatadogWidgets
from reconciler.backends.datadog_widgets.client import WidgetsClient
from reconciler.backends.policy import DEFAULT_PARALLELISM, RetryPolicy
from reconciler.backends.sites import Site
from reconciler.core.backend import Backend


def connect(connection: Connection) -> Connected:
    credentials = credentials_for(connection.site, connection.environ)

    @asynccontextmanager
    async def opened() -> AsyncIterator[Backend]:
        async with open_client(connection.site, credentials, connection.parallelism, connection.policy) as client:
            yield DatadogWidgets(client)

    return Connected(secrets=(credentials.api_key, credentials.app_key), open=opened)


def open_client(
    site: Site, credentials: Credentials, parallelism: int = DEFAULT_PARALLELISM, policy: RetryPolicy | None = None
) -> WidgetsClient:
    """A client for the site; `local` drives the emulator in this process over its SQLite state."""
    transport = None
    if site.local_db is not None:
        from reconciler.backends.datadog_widgets.emulator.app import create_app
        from reconciler.backends.datadog_widgets.emulator.store import WidgetStore
        from reconciler.backends.datadog_widgets.emulator.transport import InProcessTransport

        app, _ = create_app(WidgetStore(site.local_db))
        transport = InProcessTransport(app=app)
    return WidgetsClient(
        site, credentials.api_key, credentials.app_key, parallelism=parallelism, policy=policy, transport=transport
    )
