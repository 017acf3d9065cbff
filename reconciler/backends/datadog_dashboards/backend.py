"""Datadog dashboards as a Backend: ownership in a marker line of the description, one scope."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reconciler.backends.datadog_dashboards import listing
from reconciler.backends.datadog_dashboards.client import DashboardsClient
from reconciler.backends.datadog_dashboards.codec import content_of, request_body
from reconciler.backends.datadog_dashboards.vocabulary import KIND, SCOPE
from reconciler.core.backend import Listing
from reconciler.core.resources import Marker, Remote


class DatadogDashboards:
    def __init__(self, client: DashboardsClient) -> None:
        self.client = client

    @property
    def kind(self) -> str:
        return KIND

    @property
    def scopes(self) -> tuple[str, ...]:
        return (SCOPE,)

    def normalise(self, content: dict[str, Any]) -> dict[str, Any]:
        return content_of(content.get("dashboard") or {}, content.get("tags") or ())

    async def list_owned(self, owner: str) -> Listing:
        # The summaries carry the marker: only this owner's dashboards (and conflicts naming it) are read.
        mine = [dashboard_id for dashboard_id, claims in await listing.summaries(self.client) if owner in claims.owners]
        return Listing(tuple(await listing.fetch_all(self.client, mine)))

    async def list_all(self, scopes: Sequence[str] = ()) -> list[Remote]:
        ids = [dashboard_id for dashboard_id, _ in await listing.summaries(self.client)]
        return await listing.fetch_all(self.client, ids)

    async def fetch(self, scope: str, remote_id: str) -> Remote | None:
        return await listing.fetch(self.client, remote_id)

    async def find(self, owner: str, scope: str, manifest_id: str) -> list[Remote]:
        ids = [i for i, claims in await listing.summaries(self.client) if claims.owned_as(owner, manifest_id)]
        return await listing.fetch_all(self.client, ids)

    async def create(self, scope: str, content: dict[str, Any], marker: Marker) -> str:
        return await self.client.create(request_body(content, marker))

    async def update(self, scope: str, remote_id: str, content: dict[str, Any], marker: Marker) -> None:
        await self.client.replace(remote_id, request_body(content, marker))

    async def delete(self, scope: str, remote_id: str) -> bool:
        return await self.client.delete(remote_id)
