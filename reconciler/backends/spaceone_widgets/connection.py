"""Connecting to SpaceONE: SPACEONE_ENDPOINT, SPACEONE_TOKEN and SPACEONE_DOMAIN_ID (or `.wac.yaml`'s
`spaceone:`); `--site local` or an emulator URL serves it with no setting at all."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

import httpx

from reconciler.backends.connection import Connected, Connection, SettingsError, SettingsMissing
from reconciler.backends.sites import SiteError, checked_endpoint
from reconciler.backends.spaceone_widgets.backend import SpaceOneWidgets
from reconciler.backends.spaceone_widgets.client import SpaceOneClient
from reconciler.core.backend import Backend

EMULATOR_TOKEN: Final = "local-spaceone-token"
EMULATOR_DOMAIN: Final = "domain-local"
# What a token can be sent as: visible ASCII, no spaces.
_HEADER_SAFE: Final = re.compile(r"[\x21-\x7e]+")
_DOMAIN_ID: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


def _check_settings(has_endpoint: bool, token: str, domain_id: str) -> None:
    """Every setting present and well formed, or a sentence naming which is not and what to do."""
    present = (("SPACEONE_ENDPOINT", has_endpoint), ("SPACEONE_TOKEN", token), ("SPACEONE_DOMAIN_ID", domain_id))
    missing = [name for name, value in present if not value]
    if missing:
        raise SettingsMissing(
            f"{' and '.join(missing)} not set: SpaceONE custom widgets need the endpoint, a token and the domain"
            " (the endpoint and domain may also be `spaceone: {endpoint, domain_id}` in .wac.yaml), or use"
            " --site local to try the embedded emulator"
        )
    if not _HEADER_SAFE.fullmatch(token):
        raise SettingsError(
            "SPACEONE_TOKEN holds a character an HTTP header cannot carry (a space, a line break or a control"
            " character, often a trailing newline from a file); set it again with the token alone"
        )
    if not _DOMAIN_ID.fullmatch(domain_id):
        raise SettingsError(f"SPACEONE_DOMAIN_ID '{domain_id[:60]}' is not a domain id (like domain-1a2b3c)")


def connect(connection: Connection) -> Connected:
    site, environ, config = connection.site, connection.environ, connection.config
    endpoint_setting = environ.get("SPACEONE_ENDPOINT") or config.get("spaceone.endpoint")
    token = environ.get("SPACEONE_TOKEN", "")
    domain_id = environ.get("SPACEONE_DOMAIN_ID") or config.get("spaceone.domain_id") or ""
    emulated = not endpoint_setting and site.is_emulator
    if emulated:
        token, domain_id = token or EMULATOR_TOKEN, domain_id or EMULATOR_DOMAIN
    _check_settings(bool(endpoint_setting or emulated), token, domain_id)
    try:
        endpoint = site.base_url if emulated else checked_endpoint(str(endpoint_setting), "SPACEONE_ENDPOINT")
    except SiteError as exc:
        raise SettingsError(str(exc)) from None

    @asynccontextmanager
    async def opened() -> AsyncIterator[Backend]:
        transport = None
        if site.local_db is not None:
            from reconciler.backends.spaceone_widgets.emulator.app import create_spaceone_app
            from reconciler.backends.spaceone_widgets.emulator.store import CustomWidgetStore

            transport = httpx.ASGITransport(app=create_spaceone_app(CustomWidgetStore(site.local_db)))
        host = "the local emulator" if site.is_local else (httpx.URL(endpoint).host or endpoint)
        client = SpaceOneClient(
            endpoint,
            token,
            domain_id,
            host,
            parallelism=connection.parallelism,
            policy=connection.policy,
            transport=transport,
        )
        async with client:
            yield SpaceOneWidgets(client)

    configured = bool(endpoint_setting or environ.get("SPACEONE_TOKEN"))
    return Connected(secrets=(token,), open=opened, configured=configured)
