"""Datadog dashboard lists as a Backend: ownership in a suffix of the list's name, membership a set.

Nothing is kept between calls: a write reads the list (and, when membership changes, its items) afresh,
re-checks the marker right before each request it sends, and writes only what differs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reconciler.backends.datadog_dashboard_lists import listing
from reconciler.backends.datadog_dashboard_lists.client import DashboardListsClient
from reconciler.backends.datadog_dashboard_lists.codec import members_of, normalised
from reconciler.backends.datadog_dashboard_lists.marker import marked, split
from reconciler.backends.datadog_dashboard_lists.vocabulary import KIND, SCOPE
from reconciler.backends.datadog_dashboard_lists.writes import current_members, owned_list, typed
from reconciler.core.backend import BackendError, Gone, Listing
from reconciler.core.resources import Caution, Marker, Remote


class DatadogDashboardLists:
    """The Backend protocol over a `DashboardListsClient`."""

    def __init__(self, client: DashboardListsClient) -> None:
        self.client = client

    @property
    def kind(self) -> str:
        return KIND

    @property
    def scopes(self) -> tuple[str, ...]:
        return (SCOPE,)

    def normalise(self, content: dict[str, Any]) -> dict[str, Any]:
        return normalised(content)

    def cautions(self, scope: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[Caution, ...]:
        return ()  # a list grants nobody access to anything

    async def list_owned(self, owner: str) -> Listing:
        # One answer holds every list and its name holds the marker: only this owner's lists have items read.
        every = await listing.every_list(self.client)
        seen = [(body, listing.claims_for(body, owner)) for body in every]
        mine = [(body, claims) for body, claims in seen if claims is not None]
        remotes = await listing.read_all(self.client, [b for b, _ in mine], [c for _, c in mine])
        # The list endpoint has no pages: an answer is complete unless it failed, which raised.
        return Listing(tuple(remotes))

    async def list_all(self, scopes: Sequence[str] = ()) -> list[Remote]:
        if scopes and SCOPE not in scopes:
            return []
        return await listing.read_all(self.client, await listing.every_list(self.client))

    async def fetch(self, scope: str, remote_id: str) -> Remote | None:
        return await listing.fetch(self.client, remote_id)

    async def find(self, owner: str, scope: str, manifest_id: str) -> list[Remote]:
        return await self.confirm_missing(owner, [(scope, manifest_id)])

    async def confirm_missing(self, owner: str, keys: Sequence[tuple[str, str]]) -> list[Remote]:
        wanted = {manifest_id for scope, manifest_id in keys if scope == SCOPE}
        hits = []
        for body in await listing.every_list(self.client):
            claims = split(body.name)[1]
            if claims.manifest_id in wanted and claims.owned_as(owner, claims.manifest_id or ""):
                hits.append(body)
        return await listing.read_all(self.client, hits)

    async def create(self, scope: str, content: dict[str, Any], marker: Marker, parent_id: str | None = None) -> str:
        wanted = members_of(content)
        # Every member's type is learnt before the list exists: a dashboard that is not there stops the create.
        pairs = await typed(self.client, wanted, [])
        list_id = await self.client.create(marked(str(content["name"]), marker))
        if pairs:
            await owned_list(self.client, list_id, marker.owner, marker.manifest_id)
            await self.client.replace_items(list_id, pairs)
        return list_id

    async def update(self, scope: str, remote_id: str, content: dict[str, Any], marker: Marker) -> None:
        try:
            await self._update(remote_id, content, marker)
        except BackendError as exc:
            # A write answered 404: the list was deleted between the read and the write.
            if exc.status == 404 and not isinstance(exc, Gone):
                raise Gone(str(exc), 404) from None
            raise

    async def _update(self, list_id: str, content: dict[str, Any], marker: Marker) -> None:
        # No marker at all is allowed only for an adoption, which the engine checked against the plan.
        owner, current_id = marker.owner, marker.current_id
        body = await owned_list(self.client, list_id, owner, current_id, adopting=marker.adopting)
        wanted = members_of(content)
        current = await current_members(self.client, body)
        if sorted(m.dashboard_id for m in current) != wanted:
            pairs = await typed(self.client, wanted, current)
            await owned_list(self.client, list_id, owner, current_id, adopting=marker.adopting)
            await self.client.replace_items(list_id, pairs)
            body = await owned_list(self.client, list_id, owner, current_id, adopting=marker.adopting)
        # The marker (and the digest it records) is written last, once the membership it vouches for is.
        name = marked(str(content["name"]), marker)
        if body.name != name:
            await self.client.rename(list_id, name)

    async def release(self, scope: str, remote_id: str, owner: str, manifest_id: str) -> bool:
        try:
            body = await owned_list(self.client, remote_id, owner, manifest_id)
        except Gone:
            return False
        await self.client.rename(remote_id, split(body.name)[0])
        return True

    async def delete(self, scope: str, remote_id: str, owner: str, manifest_id: str) -> bool:
        # One object, which the engine has just seen marked for this owner and id (the protocol's promise).
        return await self.client.delete(remote_id)
