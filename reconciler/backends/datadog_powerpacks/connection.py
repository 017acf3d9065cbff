"""Connecting to Datadog's Powerpacks API: the same site and keys as every Datadog kind."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from reconciler.backends.connection import Connected, Connection
from reconciler.backends.datadog_keys import credentials_for
from reconciler.backends.datadog_powerpacks.backend import DatadogPowerpacks
from reconciler.backends.datadog_powerpacks.client import PowerpacksClient
from reconciler.core.backend import Backend


def connect(connection: Connection) -> Connected:
    credentials = credentials_for(connection.site, connection.environ)
    site = connection.site

    @asynccontextmanager
    async def opened() -> AsyncIterator[Backend]:
        transport = None
        if site.local_db is not None:
            from reconciler.backends.datadog_powerpacks.emulator.app import create_powerpacks_app
            from reconciler.backends.datadog_powerpacks.emulator.store import PowerpackStore

            store = PowerpackStore(site.local_db)
            transport = httpx.ASGITransport(app=create_powerpacks_app(store))
        client = PowerpacksClient(
            site,
            credentials.api_key,
            credentials.app_key,
            parallelism=connection.parallelism,
            policy=connection.policy,
            transport=transport,
        )
        async with client:
            yield DatadogPowerpacks(client)

    # Powerpacks share the Datadog keys: read whenever a Datadog site connects, like the widgets and dashboards.
    return Connected(secrets=(credentials.api_key, credentials.app_key), open=opened, configured=False)
