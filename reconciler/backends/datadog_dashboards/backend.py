"""Datadog dashboards as a Backend: ownership in a marker line of the description, one scope."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from reconciler.backends.datadog_dashboards import listing
from reconciler.backends.datadog_dashboards.cache import DashboardCache
from reconciler.backends.datadog_dashboards.client import DashboardsClient
from reconciler.backends.datadog_dashboards.codec import content_of, request_body
from reconciler.backends.datadog_dashboards.vocabulary import KIND, SCOPE
from reconciler.core.backend import Listing
from reconciler.core.resources import Marker, Remote


class DatadogDashboards:
    def __init__(self, client: DashboardsClient, cache: DashboardCache | None = None) -> None:
        self.client = client
        self.cache = cache

    @property
    def kind(self) -> str:
        return KIND

    @property
    def scopes(self) -> tuple[str, ...]:
        return (SCOPE,)

    def normalise(self, content: dict[str, Any]) -> dict[str, Any]:
        return content_of(content.get("dashboard") or {}, content.get("tags") or ())

    async def list_owned(self, owner: str) -> Listing:
        # The summaries carry the marker: only this owner's dashboards (and conflicts naming it) are read,
        # and only those whose modified_at the cache does not already hold.
        found = await listing.summaries(self.client)
        if self.cache is not None:
            self.cache.keep_only({dashboard_id for dashboard_id, _, _ in found})
        mine = {dashboard_id: (modified, claims) for dashboard_id, claims, modified in found if owner in claims.owners}
        fetched = await listing.fetch_all(self.client, [(i, modified) for i, (modified, _) in mine.items()], self.cache)
        # The listing's claims also know of markers copied to other dashboards, which one body cannot show.
        return Listing(tuple(replace(remote, claims=mine[remote.remote_id][1]) for remote in fetched))

    async def list_all(self, scopes: Sequence[str] = ()) -> list[Remote]:
        found = await listing.summaries(self.client)
        return await listing.fetch_all(self.client, [(i, modified) for i, _, modified in found], self.cache)

    async def fetch(self, scope: str, remote_id: str) -> Remote | None:
        return await listing.fetch(self.client, remote_id)

    async def find(self, owner: str, scope: str, manifest_id: str) -> list[Remote]:
        found = await listing.summaries(self.client)
        # Right after a lost create: read afresh, not from the cache.
        return await listing.fetch_all(self.client, [(i, "") for i, c, _ in found if c.owned_as(owner, manifest_id)])

    async def create(self, scope: str, content: dict[str, Any], marker: Marker) -> str:
        return await self.client.create(request_body(content, marker))

    async def update(self, scope: str, remote_id: str, content: dict[str, Any], marker: Marker) -> None:
        await self.client.replace(remote_id, request_body(content, marker))

    async def delete(self, scope: str, remote_id: str) -> bool:
        return await self.client.delete(remote_id)
