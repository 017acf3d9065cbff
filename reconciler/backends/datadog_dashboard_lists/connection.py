"""Connecting to Datadog's Dashboard Lists API: the same site and keys as every Datadog kind."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from reconciler.backends.connection import Connected, Connection
from reconciler.backends.datadog_dashboard_lists.backend import DatadogDashboardLists
from reconciler.backends.datadog_dashboard_lists.client import DashboardListsClient
from reconciler.backends.datadog_keys import credentials_for
from reconciler.backends.one_port import one_port_transport
from reconciler.core.backend import Backend


def connect(connection: Connection) -> Connected:
    credentials = credentials_for(connection.site, connection.environ)
    site = connection.site

    @asynccontextmanager
    async def opened() -> AsyncIterator[Backend]:
        async with AsyncExitStack() as stack:
            transport = one_port_transport(site, stack)
            client = DashboardListsClient(
                site,
                credentials.api_key,
                credentials.app_key,
                parallelism=connection.parallelism,
                policy=connection.policy,
                transport=transport,
            )
            await stack.enter_async_context(client)
            yield DatadogDashboardLists(client)

    # Lists share the Datadog keys: read whenever a Datadog site connects, like the dashboards.
    return Connected(secrets=(credentials.api_key, credentials.app_key), open=opened, configured=False)
