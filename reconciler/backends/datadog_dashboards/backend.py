"""Datadog dashboards as a Backend: ownership in a marker line of the description; each dashboard's
share a resource of its own (scope `dashboard-share`), reached through the token that marker records."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from reconciler.backends.datadog_dashboards import listing
from reconciler.backends.datadog_dashboards.access import share_cautions
from reconciler.backends.datadog_dashboards.cache import DashboardCache
from reconciler.backends.datadog_dashboards.client import DashboardsClient
from reconciler.backends.datadog_dashboards.codec import content_of, recorded, request_body
from reconciler.backends.datadog_dashboards.listing import Summary
from reconciler.backends.datadog_dashboards.marker import ShareRef, share_ref, split
from reconciler.backends.datadog_dashboards.share_listing import invitations, read_share, shared_ids, shares_of
from reconciler.backends.datadog_dashboards.sharing import (
    create_request,
    emails,
    is_share,
    share_content,
    share_request,
)
from reconciler.backends.datadog_dashboards.vocabulary import KIND, SCOPE, SHARE_SCOPE, SHARE_TOKEN
from reconciler.core.backend import BackendError, Listing, OutcomeUnknown
from reconciler.core.resources import Caution, Marker, Remote

log = logging.getLogger(__name__)
# A share create whose answer is lost is sent again only while the dashboard is seen unshared.
SHARE_ATTEMPTS = 3


class DatadogDashboards:
    def __init__(self, client: DashboardsClient, cache: DashboardCache | None = None) -> None:
        self.client = client
        self.cache = cache
        # What the last listing saw, by dashboard id: an update keeps the share its marker records.
        self._seen: dict[str, Summary] = {}
        # Dashboards this run created, by (owner, manifest id): where their shares go.
        self._created: dict[tuple[str, str], str] = {}

    @property
    def kind(self) -> str:
        return KIND

    @property
    def scopes(self) -> tuple[str, ...]:
        return (SCOPE, SHARE_SCOPE)

    def normalise(self, content: dict[str, Any]) -> dict[str, Any]:
        if is_share(content):
            return share_content(content, content.get("invitations") or [])
        if "dashboard" in content:
            return content_of(content.get("dashboard") or {}, content.get("tags") or ())
        return dict(content)  # a share no marker records: nothing of it can be read

    def cautions(self, scope: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[Caution, ...]:
        return share_cautions(before, after) if scope == SHARE_SCOPE else ()

    async def list_owned(self, owner: str) -> Listing:
        # The summaries carry the marker: only this owner's dashboards (and conflicts naming it) are read,
        # and only those whose modified_at the cache does not already hold.
        found = await listing.summaries(self.client)
        self._seen = {s.dashboard_id: s for s in found}
        if self.cache is not None:
            self.cache.keep_only(set(self._seen))
        mine = {s.dashboard_id: s for s in found if owner in s.claims.owners}
        fetched, shared = await asyncio.gather(
            listing.fetch_all(self.client, [(i, s.modified_at) for i, s in mine.items()], self.cache),
            shared_ids(self.client),
        )
        # The listing's claims also know of markers copied to other dashboards, which one body cannot show.
        dashboards = [replace(remote, claims=mine[remote.remote_id].claims) for remote in fetched]
        # A conflicted dashboard's share waits with it (its manifest's share is held back by the planner).
        usable = [s for s in mine.values() if not s.claims.conflicted]
        return Listing(tuple([*dashboards, *await shares_of(self.client, usable, shared)]))

    async def list_all(self, scopes: Sequence[str] = ()) -> list[Remote]:
        found = await listing.summaries(self.client)
        result: list[Remote] = []
        if not scopes or SCOPE in scopes:
            result += await listing.fetch_all(self.client, [(s.dashboard_id, s.modified_at) for s in found], self.cache)
        if not scopes or SHARE_SCOPE in scopes:
            usable = [s for s in found if not s.claims.conflicted]
            result += await shares_of(self.client, usable, await shared_ids(self.client))
        return result

    async def fetch(self, scope: str, remote_id: str) -> Remote | None:
        if scope != SHARE_SCOPE:
            return await listing.fetch(self.client, remote_id)
        summary = await self._summary(remote_id)
        return None if summary is None else await read_share(self.client, summary)

    async def find(self, owner: str, scope: str, manifest_id: str) -> list[Remote]:
        found = [s for s in await listing.summaries(self.client) if s.claims.owned_as(owner, manifest_id)]
        if scope == SHARE_SCOPE:
            shares = await asyncio.gather(*(read_share(self.client, s) for s in found if s.share))
            return [share for share in shares if share is not None]
        # Right after a lost create: read afresh, not from the cache.
        return await listing.fetch_all(self.client, [(s.dashboard_id, "") for s in found])

    async def create(self, scope: str, content: dict[str, Any], marker: Marker) -> str:
        if scope == SHARE_SCOPE:
            return await self._share(content, marker)
        dashboard_id = await self.client.create(request_body(content, marker))
        self._created[(marker.owner, marker.manifest_id)] = dashboard_id
        return dashboard_id

    async def update(self, scope: str, remote_id: str, content: dict[str, Any], marker: Marker) -> None:
        if scope == SHARE_SCOPE:
            await self._reshare(remote_id, content, marker)
            return
        # A full replacement: the marker keeps the share it records, or the share could not be found again.
        seen = self._seen.get(remote_id)
        await self.client.replace(remote_id, request_body(content, marker, seen.share if seen else None))

    async def delete(self, scope: str, remote_id: str) -> bool:
        if scope != SHARE_SCOPE:
            return await self.client.delete(remote_id)
        body = await self.client.get(remote_id)
        if body is None:
            return False  # deleting a dashboard ends its share
        body = listing.checked_dashboard(body, f"get dashboard {remote_id}")
        ref = share_ref(body.get("description"))
        if ref is None:
            return False
        existed = await self.client.delete_share(ref.token)
        try:
            await self.client.replace(remote_id, recorded(body, None))
        except BackendError as exc:
            # The share is revoked; a token left in the marker only leads to a share that no longer exists.
            log.warning("dashboard %s: the share is revoked, but its marker still names it: %s", remote_id, exc)
        return existed

    # shares -----------------------------------------------------------------------------------------

    async def _summary(self, dashboard_id: str) -> Summary | None:
        body = await self.client.get(dashboard_id)
        if body is None:
            return None
        body = listing.checked_dashboard(body, f"get dashboard {dashboard_id}")
        description = body.get("description")
        return Summary(dashboard_id, str(body["title"]), split(description)[1], "", share_ref(description))

    async def _owned(self, dashboard_id: str, marker: Marker) -> dict[str, Any]:
        """The dashboard read afresh, when its marker still names exactly this owner and id."""
        body = await self.client.get(dashboard_id)
        if body is None:
            raise BackendError(f"dashboard {dashboard_id} was deleted since the plan", status=404)
        body = listing.checked_dashboard(body, f"get dashboard {dashboard_id}")
        claims = split(body.get("description"))[1]
        if not claims.owned_as(marker.owner, marker.manifest_id):
            raise BackendError(
                f"refused: dashboard {dashboard_id} carries {claims.describe()}, not exactly owner '{marker.owner}'"
                f" and id '{marker.manifest_id}'"
            )
        return body

    async def _dashboard_of(self, marker: Marker) -> str:
        created = self._created.get((marker.owner, marker.manifest_id))
        if created:
            return created
        # The run's listing knows every dashboard it managed; only one adopted since needs listing again
        # (`_owned` re-reads whichever is found before anything is written).
        seen = [s.dashboard_id for s in self._seen.values() if s.claims.owned_as(marker.owner, marker.manifest_id)]
        if len(seen) == 1:
            return seen[0]
        for summary in await listing.summaries(self.client):
            if summary.claims.owned_as(marker.owner, marker.manifest_id):
                return summary.dashboard_id
        raise BackendError(
            f"no dashboard of owner '{marker.owner}' has id '{marker.manifest_id}', so it cannot be shared; did its"
            " create fail?"
        )

    async def _share(self, content: dict[str, Any], marker: Marker) -> str:
        """Shares the dashboard, then records the token in its marker; revoked again if that fails."""
        dashboard_id = await self._dashboard_of(marker)
        body = await self._owned(dashboard_id, marker)
        ref = share_ref(body.get("description"))
        if ref is not None and await self.client.share(ref.token) is not None:
            raise BackendError(f"dashboard {dashboard_id} was shared since the plan; run wac plan again")
        answer = await self._create_share(create_request(content, dashboard_id, str(body.get("layout_type"))))
        token = answer.get("token")
        if not isinstance(token, str) or not SHARE_TOKEN.fullmatch(token):
            raise BackendError(
                f"share dashboard {dashboard_id}: the answer holds no share token, so the share cannot be found"
                " again; the next plan reports it if it exists"
            )
        try:
            await self.client.replace(dashboard_id, recorded(body, ShareRef(token, marker.applied)))
        except BackendError:
            # An unrecorded share could never be read or revoked again: undo it.
            await self.client.delete_share(token)
            raise
        await self._invite(token, content, already=[])
        return dashboard_id

    async def _create_share(self, request: dict[str, Any]) -> dict[str, Any]:
        """POST the share; after a lost answer, again only when Datadog shows the dashboard is still not shared."""
        dashboard_id = str(request["dashboard_id"])
        for _ in range(SHARE_ATTEMPTS):
            try:
                return await self.client.create_share(request)
            except OutcomeUnknown:
                if dashboard_id in await shared_ids(self.client):
                    # Without the answer the token is lost, and no endpoint finds a share by its dashboard.
                    raise BackendError(
                        f"share dashboard {dashboard_id}: the answer was lost and the dashboard is now shared, so its"
                        " share exists with its token unrecorded; the next plan names it (revoke it in Datadog, then"
                        " apply again)"
                    ) from None
        raise BackendError(
            f"share dashboard {dashboard_id}: no answer after {SHARE_ATTEMPTS} attempts, and the dashboard is still"
            " not shared; apply again"
        )

    async def _reshare(self, dashboard_id: str, content: dict[str, Any], marker: Marker) -> None:
        body = await self._owned(dashboard_id, marker)
        ref = share_ref(body.get("description"))
        if ref is None:
            raise BackendError(f"dashboard {dashboard_id}'s marker no longer records its share", status=404)
        await self.client.update_share(ref.token, share_request(content))
        await self._invite(ref.token, content, await invitations(self.client, ref.token, f"share of {dashboard_id}"))
        if ref.applied != marker.applied:
            await self.client.replace(dashboard_id, recorded(body, ShareRef(ref.token, marker.applied)))

    async def _invite(self, token: str, content: dict[str, Any], already: list[str]) -> None:
        """Invitations to match the manifest: sent once to each new email, deleted for each removed one."""
        wanted = emails(content.get("invitations") or [])
        have = {email.strip().lower(): email for email in already}
        removed = [email for key, email in sorted(have.items()) if key not in wanted]
        new = [email for email in wanted if email not in have]
        if removed:
            await self.client.uninvite(token, removed)
        if new:
            await self.client.invite(token, new)
