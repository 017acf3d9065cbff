"""Datadog powerpacks as a Backend: ownership in three tags, every write re-checked against them right before
it is sent. PATCH changes every field in place, so nothing is ever planned as a replace."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from reconciler.backends.datadog_powerpacks import listing
from reconciler.backends.datadog_powerpacks.client import PowerpacksClient
from reconciler.backends.datadog_powerpacks.codec import BODY, content_of, request_body, unmarked_body
from reconciler.backends.datadog_powerpacks.marker import EDITED
from reconciler.backends.datadog_powerpacks.vocabulary import KIND, SCOPE
from reconciler.core.backend import BackendError, Gone, Listing, owned_now
from reconciler.core.resources import Caution, Marker, Remote


def claimed_by(powerpack: Remote, owner: str) -> Remote | None:
    """The powerpack as `owner` must see it: its own, a conflict naming it, or an edited marker naming no owner
    readably (which may be anyone's, so every owner is told of it); None when it is not this owner's."""
    owners = powerpack.claims.owners
    if owner in owners:
        return powerpack
    if owners == (EDITED,):
        return replace(powerpack, claims=replace(powerpack.claims, owners=(EDITED, owner)))
    return None


class DatadogPowerpacks:
    """The Backend protocol over a `PowerpacksClient`; nothing is kept between calls."""

    def __init__(self, client: PowerpacksClient) -> None:
        self.client = client

    @property
    def kind(self) -> str:
        return KIND

    @property
    def scopes(self) -> tuple[str, ...]:
        return (SCOPE,)

    def normalise(self, content: dict[str, Any]) -> dict[str, Any]:
        return content_of(content.get(BODY) or {})

    def cautions(self, scope: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[Caution, ...]:
        return ()

    async def list_owned(self, owner: str) -> Listing:
        found, problem = await listing.every(self.client)
        mine = [claimed for p in found if (claimed := claimed_by(p, owner)) is not None]
        return Listing(tuple(mine), {(KIND, SCOPE): problem} if problem else {})

    async def list_all(self, scopes: Sequence[str] = ()) -> list[Remote]:
        if scopes and SCOPE not in scopes:
            return []
        found, _ = await listing.every(self.client)
        return found

    async def fetch(self, scope: str, remote_id: str) -> Remote | None:
        return await listing.fetch(self.client, remote_id)

    async def find(self, owner: str, scope: str, manifest_id: str) -> list[Remote]:
        return await self.confirm_missing(owner, [(scope, manifest_id)])

    async def confirm_missing(self, owner: str, keys: Sequence[tuple[str, str]]) -> list[Remote]:
        """A listing read afresh: pages shift while they are read, so one a listing missed is looked for again
        before anything is created in its place."""
        wanted = {manifest_id for scope, manifest_id in keys if scope == SCOPE}
        if not wanted:
            return []
        found, _ = await listing.every(self.client)
        return [p for p in found if p.claims.owner == owner and (p.claims.manifest_id or "") in wanted]

    async def create(self, scope: str, content: dict[str, Any], marker: Marker, parent_id: str | None = None) -> str:
        return await self.client.create(request_body(content, marker))

    async def update(self, scope: str, remote_id: str, content: dict[str, Any], marker: Marker) -> None:
        current = await self.fetch(scope, remote_id)
        if current is None:
            raise Gone(f"powerpack {remote_id} was deleted since the plan", 404)
        # Unmarked is allowed only for an adoption, which the engine checked against the plan.
        if not (marker.adopting and current.claims.unowned):
            owned_now(current, marker.owner, marker.current_id, f"powerpack {remote_id}")
        try:
            await self.client.update(remote_id, request_body(content, marker, update=True))
        except BackendError as exc:
            if exc.status == 404:
                raise Gone(f"powerpack {remote_id} was deleted since the plan", 404) from None
            raise

    async def release(self, scope: str, remote_id: str, owner: str, manifest_id: str) -> bool:
        body = await self._owned(remote_id, owner, manifest_id)
        if body is None:
            return False
        await self.client.update(remote_id, unmarked_body(body["data"]["attributes"]))
        return True

    async def delete(self, scope: str, remote_id: str, owner: str, manifest_id: str) -> bool:
        # Read once more right before the delete: one another owner (or a person) claimed since is left alone.
        # Unmarked is allowed, as the protocol says: the engine has just seen it marked, or it was let go by us.
        if await self._owned(remote_id, owner, manifest_id, unmarked=True) is None:
            return False
        return await self.client.delete(remote_id)

    async def _owned(
        self, remote_id: str, owner: str, manifest_id: str, unmarked: bool = False
    ) -> dict[str, Any] | None:
        """The powerpack's answer read right now, when its marker names exactly this owner and id (or, `unmarked`,
        none at all); None when it is gone; a BackendError when it carries anything else."""
        body = await self.client.get(remote_id)
        if body is None:
            return None
        current = listing.remote_of(body, remote_id)
        if not (unmarked and current.claims.unowned):
            owned_now(current, owner, manifest_id, f"powerpack {remote_id}")
        return body
