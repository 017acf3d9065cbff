"""SpaceONE custom widgets as a Backend: one scope (the run's domain), ownership in the tags mapping."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reconciler.backends.spaceone_widgets import listing
from reconciler.backends.spaceone_widgets.client import SpaceOneClient
from reconciler.backends.spaceone_widgets.codec import content_of, create_body, unmarked_update_body, update_body
from reconciler.backends.spaceone_widgets.vocabulary import CUSTOM_WIDGET_ID, KIND, SCOPE
from reconciler.core.backend import Gone, Listing, OutcomeUnknown, owned_now
from reconciler.core.resources import Caution, Marker, Remote


class SpaceOneWidgets:
    """The Backend protocol over a `SpaceOneClient`; the client checks every id before it is sent."""

    def __init__(self, client: SpaceOneClient) -> None:
        self.client = client

    @property
    def kind(self) -> str:
        return KIND

    @property
    def scopes(self) -> tuple[str, ...]:
        return (SCOPE,)

    def normalise(self, content: dict[str, Any]) -> dict[str, Any]:
        return content_of(content)

    def cautions(self, scope: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[Caution, ...]:
        return ()  # a widget grants no access of its own

    async def list_owned(self, owner: str) -> Listing:
        widgets, problem = await listing.list_owned(self.client, owner)
        return Listing(tuple(widgets), {(KIND, SCOPE): problem} if problem else {})

    async def list_all(self, scopes: Sequence[str] = ()) -> list[Remote]:
        widgets, _ = await listing.list_widgets(self.client, [])
        return widgets

    async def fetch(self, scope: str, remote_id: str) -> Remote | None:
        return await listing.fetch(self.client, remote_id)

    async def find(self, owner: str, scope: str, manifest_id: str) -> list[Remote]:
        return await listing.find(self.client, owner, manifest_id)

    async def confirm_missing(self, owner: str, keys: Sequence[tuple[str, str]]) -> list[Remote]:
        wanted = set(keys)
        widgets, _ = await listing.list_owned(self.client, owner)
        return [w for w in widgets if (w.scope, w.claims.manifest_id) in wanted]

    async def create(self, scope: str, content: dict[str, Any], marker: Marker, parent_id: str | None = None) -> str:
        answer = await self.client.call("create", create_body(content, marker, self.client.domain_id))
        widget_id = (answer or {}).get("custom_widget_id")
        if not isinstance(widget_id, str) or not CUSTOM_WIDGET_ID.fullmatch(widget_id):
            raise OutcomeUnknown(f"create: {self.client.host} answered without a custom_widget_id; it may exist")
        return widget_id

    async def update(self, scope: str, remote_id: str, content: dict[str, Any], marker: Marker) -> None:
        answer = await self.client.call("update", update_body(remote_id, content, marker, self.client.domain_id))
        if answer is None:
            raise Gone(f"update {remote_id}: the widget does not exist", 404)

    async def release(self, scope: str, remote_id: str, owner: str, manifest_id: str) -> bool:
        current = owned_now(await self.fetch(scope, remote_id), owner, manifest_id, f"custom widget {remote_id}")
        if current is None:
            return False
        body = unmarked_update_body(remote_id, current.content, self.client.domain_id)
        return await self.client.call("update", body) is not None

    async def delete(self, scope: str, remote_id: str, owner: str, manifest_id: str) -> bool:
        return await self.client.call("delete", {"custom_widget_id": remote_id}) is not None
