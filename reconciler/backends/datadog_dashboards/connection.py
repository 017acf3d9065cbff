"""Connecting to Datadog's Dashboards API: the same site and keys as every Datadog kind."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from reconciler.backends.connection import Connected, Connection, SettingsError
from reconciler.backends.datadog_dashboards.backend import DatadogDashboards
from reconciler.backends.datadog_dashboards.client import DashboardsClient
from reconciler.backends.datadog_keys import credentials_for
from reconciler.backends.datadog_restriction import identity_from
from reconciler.backends.sites import Site
from reconciler.core.backend import Backend


def site_key(site: Site) -> str:
    """What tells one site's dashboards from another's in the cache (the local emulator: by its state file)."""
    return str(site.local_db.resolve()) if site.local_db is not None else site.base_url


def connect(connection: Connection) -> Connected:
    credentials = credentials_for(connection.site, connection.environ)
    site = connection.site
    try:
        identity = identity_from(connection.environ, connection.config)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None

    @asynccontextmanager
    async def opened() -> AsyncIterator[Backend]:
        transport = None
        if site.local_db is not None:
            from reconciler.backends.datadog_dashboards.emulator.app import create_dashboards_app
            from reconciler.backends.datadog_dashboards.emulator.store import DashboardStore

            transport = httpx.ASGITransport(app=create_dashboards_app(DashboardStore(site.local_db)))
        client = DashboardsClient(
            site,
            credentials.api_key,
            credentials.app_key,
            parallelism=connection.parallelism,
            policy=connection.policy,
            transport=transport,
        )
        async with client:
            yield DatadogDashboards(client, connection.cache_folder, site_key(site), identity)

    # Dashboards share the Datadog keys: read whenever a Datadog site connects, like the widgets.
    return Connected(secrets=(credentials.api_key, credentials.app_key), open=opened, configured=False)
