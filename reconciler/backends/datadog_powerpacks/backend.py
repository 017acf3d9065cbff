"""Datadog powerpacks as a Backend: ownership in three tags, every write re-checked against them right before
it is sent. PATCH changes every field in place, so nothing is ever planned as a replace.

A powerpack's edit lock (scope `powerpack-permissions`, a restriction policy) is a resource of its own, read
only when the powerpack's `wac-permissions:` tag records one as wac's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from reconciler.backends.datadog_powerpacks import listing, policy_writes
from reconciler.backends.datadog_powerpacks.client import PowerpacksClient
from reconciler.backends.datadog_powerpacks.codec import BODY, content_of, request_body, unmarked_body
from reconciler.backends.datadog_powerpacks.marker import EDITED
from reconciler.backends.datadog_powerpacks.permissions import is_permissions, lock_cautions
from reconciler.backends.datadog_powerpacks.policy_listing import locks_of, read_lock
from reconciler.backends.datadog_powerpacks.vocabulary import KIND, POLICY_SCOPE, SCOPE
from reconciler.backends.datadog_restriction import permissions_content
from reconciler.core.backend import BackendError, Gone, Listing, owned_now
from reconciler.core.resources import Caution, Marker, Remote

# What a 403 on a powerpack write most likely means, and what a person does about it.
LOCKED_OUT = (
    "this key may not edit the powerpack: its edit lock (a restriction policy) names none of the principals the"
    " key acts as. Check WAC_DATADOG_PRINCIPALS (or datadog.principals) against the key's user, roles and teams,"
    " and ask someone the lock names as editor (or an admin) to add one of them"
)


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

    def __init__(self, client: PowerpacksClient, identity: Sequence[str] = ()) -> None:
        self.client = client
        # The principals wac's own key acts as (configured): a lock must keep one of them among its editors.
        self.identity = tuple(identity)

    @property
    def kind(self) -> str:
        return KIND

    @property
    def scopes(self) -> tuple[str, ...]:
        return (SCOPE, POLICY_SCOPE)

    def normalise(self, content: dict[str, Any]) -> dict[str, Any]:
        if is_permissions(content):
            return permissions_content(content["editors"] or (), content["viewers"] or ())
        return content_of(content.get(BODY) or {})

    def cautions(self, scope: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[Caution, ...]:
        return lock_cautions(before, after, self.identity) if scope == POLICY_SCOPE else ()

    async def list_owned(self, owner: str) -> Listing:
        found, locks, problem = await listing.every(self.client)
        mine = [claimed for p in found if (claimed := claimed_by(p, owner)) is not None]
        # Only the locks these powerpacks' tags record are read: one GET each, none for the others.
        read = await locks_of(self.client, mine, locks)
        return Listing(tuple([*mine, *read]), {(KIND, SCOPE): problem} if problem else {})

    async def list_all(self, scopes: Sequence[str] = ()) -> list[Remote]:
        found, locks, _ = await listing.every(self.client)
        result = found if not scopes or SCOPE in scopes else []
        if not scopes or POLICY_SCOPE in scopes:
            # No endpoint lists policies: the locks the tags record are read, as a plan reads them.
            result = [*result, *await locks_of(self.client, found, locks)]
        return result

    async def fetch(self, scope: str, remote_id: str) -> Remote | None:
        if scope != POLICY_SCOPE:
            return await listing.fetch(self.client, remote_id)
        read = await listing.fetch_with_lock(self.client, remote_id)
        return None if read is None else await read_lock(self.client, *read)

    async def find(self, owner: str, scope: str, manifest_id: str) -> list[Remote]:
        return await self.confirm_missing(owner, [(scope, manifest_id)])

    async def confirm_missing(self, owner: str, keys: Sequence[tuple[str, str]]) -> list[Remote]:
        """A listing read afresh: pages shift while they are read, so one a listing missed is looked for again
        before anything is created in its place. For a lock about to be made, one set outside wac (recorded
        nowhere) is read, so the plan shows it replaced rather than created."""
        wanted = {(scope, manifest_id) for scope, manifest_id in keys}
        if not wanted:
            return []
        found, _, _ = await listing.every(self.client)
        mine = [p for p in found if p.claims.owner == owner]
        hits = [p for p in mine if (SCOPE, p.claims.manifest_id or "") in wanted]
        unlocked = [p for p in mine if (POLICY_SCOPE, p.claims.manifest_id or "") in wanted]
        return [*hits, *await locks_of(self.client, unlocked, {}, recorded_only=False)]

    async def create(self, scope: str, content: dict[str, Any], marker: Marker, parent_id: str | None = None) -> str:
        if scope == POLICY_SCOPE:
            powerpack_id = parent_id or await self._powerpack_of(marker)
            return await policy_writes.lock(self.client, powerpack_id, content, marker, self.identity)
        return await self.client.create(request_body(content, marker))

    async def update(self, scope: str, remote_id: str, content: dict[str, Any], marker: Marker) -> None:
        if scope == POLICY_SCOPE:
            await policy_writes.lock(self.client, remote_id, content, marker, self.identity)
            return
        read = await listing.fetch_with_lock(self.client, remote_id)
        if read is None:
            raise Gone(f"powerpack {remote_id} was deleted since the plan", 404)
        current, policy = read
        # Unmarked is allowed only for an adoption, which the engine checked against the plan.
        if not (marker.adopting and current.claims.unowned):
            owned_now(current, marker.owner, marker.current_id, f"powerpack {remote_id}")
        # The lock its tags record stays recorded.
        body = request_body(content, marker, update=True, policy=policy)
        room = policy_writes.room_problem(remote_id, body["data"]["attributes"]["tags"]) if policy else None
        if room is not None:
            raise BackendError(room)
        try:
            await self.client.update(remote_id, body)
        except BackendError as exc:
            if exc.status == 404:
                raise Gone(f"powerpack {remote_id} was deleted since the plan", 404) from None
            if exc.status == 403:
                raise BackendError(f"{exc}; {LOCKED_OUT}", 403) from None
            raise

    async def release(self, scope: str, remote_id: str, owner: str, manifest_id: str) -> bool:
        if scope == POLICY_SCOPE:
            # Its marker is its powerpack's, released with it: nothing to write, the lock left as it is.
            found = await self.fetch(scope, remote_id)
            return owned_now(found, owner, manifest_id, f"the edit lock of powerpack {remote_id}") is not None
        body = await self._owned(remote_id, owner, manifest_id)
        if body is None:
            return False
        await self.client.update(remote_id, unmarked_body(body["data"]["attributes"]))
        return True

    async def delete(self, scope: str, remote_id: str, owner: str, manifest_id: str) -> bool:
        if scope == POLICY_SCOPE:
            return await policy_writes.unlock(self.client, remote_id, owner, manifest_id)
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

    async def _powerpack_of(self, marker: Marker) -> str:
        found, _, _ = await listing.every(self.client)
        for powerpack in found:
            if powerpack.claims.owned_as(marker.owner, marker.manifest_id):
                return powerpack.remote_id
        raise BackendError(
            f"no powerpack of owner '{marker.owner}' has id '{marker.manifest_id}', so it cannot be locked;"
            " did its create fail?"
        )
