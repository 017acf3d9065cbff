"""Datadog dashboards as a Backend: ownership in a marker line of the description; each dashboard's
share a resource of its own (scope `dashboard-share`), reached through the token that marker records; and
its edit lock (scope `dashboard-permissions`, a restriction policy), read when that marker records one.

Nothing is kept between calls: what a write needs (the share's token, the body to write back) is read
afresh right before it, and a share's dashboard comes with the change (`parent_id`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Final

from reconciler.backends.datadog_dashboards import listing, policy_writes, share_writes
from reconciler.backends.datadog_dashboards.access import share_cautions
from reconciler.backends.datadog_dashboards.answers import checked_dashboard
from reconciler.backends.datadog_dashboards.cache import DashboardCache, cache_file
from reconciler.backends.datadog_dashboards.client import DashboardsClient
from reconciler.backends.datadog_dashboards.codec import content_of, request_body, unmarked
from reconciler.backends.datadog_dashboards.listing import Summary, claimed_by
from reconciler.backends.datadog_dashboards.marker import policy_applied, share_ref, split
from reconciler.backends.datadog_dashboards.permissions import is_permissions, lock_cautions
from reconciler.backends.datadog_dashboards.policy_listing import locks_of, read_lock
from reconciler.backends.datadog_dashboards.share_listing import read_share, shared_ids, shares_of
from reconciler.backends.datadog_dashboards.sharing import is_share, share_content
from reconciler.backends.datadog_dashboards.vocabulary import KIND, POLICY_SCOPE, SCOPE, SHARE_SCOPE
from reconciler.backends.datadog_restriction import permissions_content
from reconciler.core.backend import BackendError, Gone, Listing, owned_now
from reconciler.core.resources import Caution, Marker, Remote

SHARED_BEFORE_ADOPTION: Final = (
    "the dashboard is shared, by a share made outside wac: Datadog finds a share only by its token, which"
    " nothing records, so wac could neither read nor revoke it and it would stay live beside the manifest's."
    " Revoke it in Datadog (the dashboard's Share menu), then plan again"
)


# What a 403 on a dashboard write most likely means, and what a person does about it.
LOCKED_OUT = (
    "this key may not edit the dashboard: its edit lock (a restriction policy) names none of the principals the"
    " key acts as. Check WAC_DATADOG_PRINCIPALS (or datadog.principals) against the key's user, roles and teams,"
    " and ask someone the lock names as editor (or an admin) to add one of them"
)


class DatadogDashboards:
    """The Backend protocol over a `DashboardsClient`; `cache_folder` (plan and drift only) saves GETs."""

    def __init__(
        self, client: DashboardsClient, cache_folder: Path | None = None, site: str = "", identity: Sequence[str] = ()
    ) -> None:
        self.client = client
        self.cache_folder = cache_folder
        self.site = site
        # The principals wac's own key acts as (configured): a lock must keep one of them among its editors.
        self.identity = tuple(identity)

    @property
    def kind(self) -> str:
        return KIND

    @property
    def scopes(self) -> tuple[str, ...]:
        return (SCOPE, SHARE_SCOPE, POLICY_SCOPE)

    def normalise(self, content: dict[str, Any]) -> dict[str, Any]:
        if is_share(content):
            return share_content(content, content.get("invitations") or [])
        if is_permissions(content):
            return permissions_content(content["editors"] or (), content["viewers"] or ())
        if "dashboard" in content:
            return content_of(content.get("dashboard") or {}, content.get("tags") or ())
        return dict(content)  # a share no marker records: nothing of it can be read

    def cautions(self, scope: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[Caution, ...]:
        if scope == POLICY_SCOPE:
            return lock_cautions(before, after, self.identity)
        return share_cautions(before, after) if scope == SHARE_SCOPE else ()

    async def list_owned(self, owner: str) -> Listing:
        # The summaries carry the marker: only this owner's dashboards (and conflicts naming it) are read,
        # and only those whose modified_at the cache does not already hold.
        found = [claimed_by(s, owner) for s in await listing.summaries(self.client)]
        mine = {s.dashboard_id: s for s in found if s is not None}
        cache = self._cache(owner)
        fetched, shared = await asyncio.gather(
            listing.fetch_all(self.client, [(i, s.modified_at) for i, s in mine.items()], cache),
            shared_ids(self.client),
        )
        if cache is not None:
            cache.keep_only(set(mine))
            cache.save()
        dashboards = [replace(remote, claims=mine[remote.remote_id].claims) for remote in fetched]
        # A conflicted dashboard's share waits with it (its manifest's share is held back by the planner).
        usable = [s for s in mine.values() if not s.claims.conflicted]
        shares, locks = await asyncio.gather(shares_of(self.client, usable, shared), locks_of(self.client, usable))
        return Listing(tuple([*dashboards, *shares, *locks]))

    async def list_all(self, scopes: Sequence[str] = ()) -> list[Remote]:
        found = await listing.summaries(self.client)
        result: list[Remote] = []
        if not scopes or SCOPE in scopes:
            result += await listing.fetch_all(self.client, [(s.dashboard_id, s.modified_at) for s in found])
        if not scopes or SHARE_SCOPE in scopes:
            usable = [s for s in found if not s.claims.conflicted]
            result += await shares_of(self.client, usable, await shared_ids(self.client))
        if not scopes or POLICY_SCOPE in scopes:
            # No endpoint lists policies: the locks markers record are read, as a plan reads them (export writes
            # what belongs to a dashboard only for dashboards a marker already leads to).
            result += await locks_of(self.client, [s for s in found if not s.claims.conflicted])
        return result

    async def fetch(self, scope: str, remote_id: str) -> Remote | None:
        if scope == SHARE_SCOPE:
            summary = await self._summary(remote_id)
            return None if summary is None else await read_share(self.client, summary)
        if scope == POLICY_SCOPE:
            summary = await self._summary(remote_id)
            return None if summary is None else await read_lock(self.client, summary)
        found = await listing.fetch(self.client, remote_id)
        if found is not None and found.claims.unowned and remote_id in await shared_ids(self.client):
            # Asked for only to adopt it (owned dashboards are fetched to re-check them before a delete).
            return replace(found, unadoptable=SHARED_BEFORE_ADOPTION)
        return found

    async def find(self, owner: str, scope: str, manifest_id: str) -> list[Remote]:
        return await self.confirm_missing(owner, [(scope, manifest_id)])

    async def confirm_missing(self, owner: str, keys: Sequence[tuple[str, str]]) -> list[Remote]:
        """A second listing, read afresh: pages can shift while they are read (a dashboard deleted between two
        of them), so a dashboard one listing missed is looked for again before it is created."""
        wanted = {(scope, manifest_id) for scope, manifest_id in keys}
        found = [s for s in await listing.summaries(self.client) if s.claims.owner == owner]
        hits = [s for s in found if s.claims.manifest_id and (SCOPE, s.claims.manifest_id) in wanted]
        dashboards = await listing.fetch_all(self.client, [(s.dashboard_id, "") for s in hits])
        shares = [s for s in found if s.share and (SHARE_SCOPE, s.claims.manifest_id or "") in wanted]
        read = await asyncio.gather(*(read_share(self.client, s) for s in shares))
        return [
            *dashboards,
            *(share for share in read if share is not None),
            *await self._unrecorded_locks(found, wanted),
        ]

    async def _unrecorded_locks(self, found: Sequence[Summary], wanted: set[tuple[str, str]]) -> list[Remote]:
        """For a lock about to be made: one set outside wac (recorded nowhere) is read, so the plan shows it
        replaced rather than created."""
        unlocked = [s for s in found if (POLICY_SCOPE, s.claims.manifest_id or "") in wanted]
        return await locks_of(self.client, unlocked, recorded_only=False)

    async def create(self, scope: str, content: dict[str, Any], marker: Marker, parent_id: str | None = None) -> str:
        if scope == SCOPE:
            return await self.client.create(request_body(content, marker))
        dashboard_id = parent_id or await self._dashboard_of(marker)
        if scope == POLICY_SCOPE:
            return await policy_writes.lock(self.client, dashboard_id, content, marker, self.identity)
        return await share_writes.share(self.client, dashboard_id, content, marker)

    async def update(self, scope: str, remote_id: str, content: dict[str, Any], marker: Marker) -> None:
        try:
            if scope == SHARE_SCOPE:
                await share_writes.reshare(self.client, remote_id, content, marker)
                return
            if scope == POLICY_SCOPE:
                await policy_writes.lock(self.client, remote_id, content, marker, self.identity)
                return
            # A full replacement, re-checked against the marker read just now (none only for an adoption, which the
            # engine checked against the plan), which keeps the share it records.
            body = await share_writes.owned_body(
                self.client, remote_id, marker.owner, marker.current_id, adopting=marker.adopting
            )
            description = body.get("description")
            written = request_body(content, marker, share_ref(description), policy_applied(description))
            await self.client.replace(remote_id, written)
        except BackendError as exc:
            # A write answered 404: the dashboard (or its share) was deleted between the read and the write.
            if exc.status == 404 and not isinstance(exc, Gone):
                raise Gone(str(exc), 404) from None
            if exc.status == 403:
                raise BackendError(f"{exc}; {LOCKED_OUT}", 403) from None
            raise

    async def release(self, scope: str, remote_id: str, owner: str, manifest_id: str) -> bool:
        if scope in (SHARE_SCOPE, POLICY_SCOPE):
            # Its marker is its dashboard's, released with it: nothing to write, the share or lock left as it is.
            found = await self.fetch(scope, remote_id)
            what = "share" if scope == SHARE_SCOPE else "edit lock"
            return owned_now(found, owner, manifest_id, f"the {what} of dashboard {remote_id}") is not None
        try:
            body = await share_writes.owned_body(self.client, remote_id, owner, manifest_id)
        except Gone:
            return False
        await self.client.replace(remote_id, unmarked(body))
        return True

    async def delete(self, scope: str, remote_id: str, owner: str, manifest_id: str) -> bool:
        if scope == SHARE_SCOPE:
            return await share_writes.revoke(self.client, remote_id, owner, manifest_id)
        if scope == POLICY_SCOPE:
            return await policy_writes.unlock(self.client, remote_id, owner, manifest_id)
        return await self.client.delete(remote_id)

    def _cache(self, owner: str) -> DashboardCache | None:
        if self.cache_folder is None:
            return None
        return DashboardCache(cache_file(self.cache_folder, self.site, owner), owner)

    async def _summary(self, dashboard_id: str) -> Summary | None:
        body = await self.client.get(dashboard_id)
        if body is None:
            return None
        body = checked_dashboard(body, f"get dashboard {dashboard_id}", dashboard_id)
        description = body.get("description")
        claims = split(description)[1]
        return Summary(
            dashboard_id, str(body["title"]), claims, "", share_ref(description), policy_applied(description)
        )

    async def _dashboard_of(self, marker: Marker) -> str:
        for summary in await listing.summaries(self.client):
            if summary.claims.owned_as(marker.owner, marker.manifest_id):
                return summary.dashboard_id
        raise BackendError(
            f"no dashboard of owner '{marker.owner}' has id '{marker.manifest_id}', so it cannot be shared or locked;"
            " did its create fail?"
        )
