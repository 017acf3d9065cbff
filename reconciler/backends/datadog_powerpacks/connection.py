"""Connecting to Datadog's Powerpacks API: the same site and keys as every Datadog kind."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from reconciler.backends.connection import Connected, Connection, SettingsError
from reconciler.backends.datadog_keys import credentials_for
from reconciler.backends.datadog_powerpacks.backend import DatadogPowerpacks
from reconciler.backends.datadog_powerpacks.client import PowerpacksClient
from reconciler.backends.datadog_restriction import identity_from
from reconciler.backends.one_port import one_port_transport
from reconciler.core.backend import Backend


def connect(connection: Connection) -> Connected:
    credentials = credentials_for(connection.site, connection.environ)
    site = connection.site
    try:
        identity = identity_from(connection.environ, connection.config)
    except ValueError as exc:
        raise SettingsError(str(exc)) from None

    @asynccontextmanager
    async def opened() -> AsyncIterator[Backend]:
        async with AsyncExitStack() as stack:
            transport = one_port_transport(site, stack)
            client = PowerpacksClient(
                site,
                credentials.api_key,
                credentials.app_key,
                parallelism=connection.parallelism,
                policy=connection.policy,
                transport=transport,
            )
            await stack.enter_async_context(client)
            yield DatadogPowerpacks(client, identity)

    # Powerpacks share the Datadog keys: read whenever a Datadog site connects, like the widgets and dashboards.
    return Connected(secrets=(credentials.api_key, credentials.app_key), open=opened, configured=False)
