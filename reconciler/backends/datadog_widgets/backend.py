"""Datadog saved widgets (Widgets v2) as a Backend: one scope per experience type, ownership in tags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reconciler.backends.datadog_widgets.client import WidgetsClient
from reconciler.backends.datadog_widgets.codec import KIND, content_of, request_body, unmarked_body
from reconciler.backends.datadog_widgets.listing import fetch_widgets, find_by_manifest_id, list_every_type, list_owned
from reconciler.backends.datadog_widgets.vocabulary import EXPERIENCE_TYPES
from reconciler.core.backend import Listing, owned_now
from reconciler.core.resources import Caution, Marker, Remote


class DatadogWidgets:
    """The Backend protocol over a `WidgetsClient`; the client checks every path and answer."""

    def __init__(self, client: WidgetsClient) -> None:
        self.client = client

    @property
    def kind(self) -> str:
        return KIND

    @property
    def scopes(self) -> tuple[str, ...]:
        return EXPERIENCE_TYPES

    def normalise(self, content: dict[str, Any]) -> dict[str, Any]:
        # The API returns a definition exactly as written and lowercases nothing the manifests allow;
        # only tag order and repeats are the server's, and they never count.
        return content_of(content.get("definition") or {}, content.get("tags") or ())

    def cautions(self, scope: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[Caution, ...]:
        return ()  # a widget grants no access of its own

    async def list_owned(self, owner: str) -> Listing:
        # Every experience type, not only those the manifests use: a type whose last manifest
        # was removed still holds widgets to delete.
        return await list_owned(self.client, owner, EXPERIENCE_TYPES)

    async def list_all(self, scopes: Sequence[str] = ()) -> list[Remote]:
        return await list_every_type(self.client, [t for t in EXPERIENCE_TYPES if not scopes or t in scopes])

    async def fetch(self, scope: str, remote_id: str) -> Remote | None:
        found = await fetch_widgets(self.client, [(scope, remote_id)])
        return found[0] if found else None

    async def find(self, owner: str, scope: str, manifest_id: str) -> list[Remote]:
        # Only exactly this owner and id: a widget whose tags also name another owner is a conflict, not the
        # widget a lost create made.
        found = await find_by_manifest_id(self.client, owner, scope, manifest_id)
        return [w for w in found if w.claims.owned_as(owner, manifest_id)]

    async def confirm_missing(self, owner: str, keys: Sequence[tuple[str, str]]) -> list[Remote]:
        wanted = set(keys)
        listing = await list_owned(self.client, owner, sorted({scope for scope, _ in wanted}))
        return [r for r in listing.resources if (r.scope, r.claims.manifest_id) in wanted]

    async def create(self, scope: str, content: dict[str, Any], marker: Marker, parent_id: str | None = None) -> str:
        return await self.client.create(scope, request_body(content, marker))

    async def update(self, scope: str, remote_id: str, content: dict[str, Any], marker: Marker) -> None:
        await self.client.replace(scope, remote_id, request_body(content, marker))

    async def release(self, scope: str, remote_id: str, owner: str, manifest_id: str) -> bool:
        current = owned_now(await self.fetch(scope, remote_id), owner, manifest_id, f"widget {remote_id}")
        if current is None:
            return False
        await self.client.replace(scope, remote_id, unmarked_body(current.content))
        return True

    async def delete(self, scope: str, remote_id: str, owner: str, manifest_id: str) -> bool:
        return await self.client.delete(scope, remote_id)
