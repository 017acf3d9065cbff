"""Connecting to Datadog's Dashboards API: the same site and keys as every Datadog kind."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Final

import httpx

from reconciler.backends.connection import Connected, Connection
from reconciler.backends.datadog_dashboards.backend import DatadogDashboards
from reconciler.backends.datadog_dashboards.cache import DashboardCache
from reconciler.backends.datadog_dashboards.client import DashboardsClient
from reconciler.backends.datadog_keys import credentials_for
from reconciler.backends.sites import Site
from reconciler.core.backend import Backend

CACHE_FOLDER: Final = Path(".wac")


def cache_path(site: Site) -> Path:
    """One cache per site, beside the local emulator's state (GitHub recipes may cache `.wac/`)."""
    folder = site.local_db.parent if site.local_db is not None else CACHE_FOLDER
    return folder / f"dashboards-{hashlib.sha256(site.base_url.encode()).hexdigest()[:12]}.json"


def connect(connection: Connection) -> Connected:
    credentials = credentials_for(connection.site, connection.environ)
    site = connection.site

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
        cache = DashboardCache(cache_path(site))
        async with client:
            try:
                yield DatadogDashboards(client, cache)
            finally:
                cache.save()

    # Dashboards share the Datadog keys: read whenever a Datadog site connects, like the widgets.
    return Connected(secrets=(credentials.api_key, credentials.app_key), open=opened, configured=False)
