"""Writing a dashboard's share: every write re-checked against its dashboard immediately before it is sent.

A share is reached only through the token its dashboard's marker records, and a marker is text anyone who
can edit the dashboard can change. So before each write (share, update, invite, uninvite, revoke, and the
marker line that records the token) the dashboard is read afresh, its marker must name exactly this owner
and id, and the share its token reaches must belong to this dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from reconciler.backends.datadog_dashboards.answers import checked_dashboard
from reconciler.backends.datadog_dashboards.client import DashboardsClient
from reconciler.backends.datadog_dashboards.codec import recorded
from reconciler.backends.datadog_dashboards.marker import ShareRef, share_ref, split
from reconciler.backends.datadog_dashboards.share_listing import checked_share, invitations, shared_ids
from reconciler.backends.datadog_dashboards.sharing import create_request, emails, share_request
from reconciler.backends.datadog_dashboards.vocabulary import SHARE_TOKEN
from reconciler.core.backend import BackendError, Gone, OutcomeUnknown
from reconciler.core.resources import Marker

# A share create whose answer is lost is sent again only while the dashboard is seen unshared.
SHARE_ATTEMPTS: Final = 3


@dataclass(frozen=True)
class Owned:
    """A dashboard read just now whose marker names exactly the expected owner and id, and its share (if the
    marker records one that exists and belongs to it)."""

    dashboard_id: str
    body: dict[str, Any]
    share: ShareRef | None


async def owned_body(
    client: DashboardsClient, dashboard_id: str, owner: str, manifest_id: str, adopting: bool = False
) -> dict[str, Any]:
    """The dashboard read afresh, when its marker names exactly this owner and id (or, `adopting`, when it has
    no marker at all); Gone when it does not exist, a BackendError when it is not ours."""
    body = await client.get(dashboard_id)
    if body is None:
        raise Gone(f"dashboard {dashboard_id} was deleted since the plan", status=404)
    body = checked_dashboard(body, f"get dashboard {dashboard_id}", dashboard_id)
    claims = split(body.get("description"))[1]
    if not (claims.owned_as(owner, manifest_id) or (adopting and claims.unowned)):
        raise BackendError(
            f"refused: dashboard {dashboard_id}'s marker no longer names exactly owner '{owner}' and id"
            f" '{manifest_id}' (it names {claims.describe()}); nothing was written"
        )
    return body


async def owned(client: DashboardsClient, dashboard_id: str, owner: str, manifest_id: str) -> Owned:
    """The dashboard and its share read afresh; Gone when the dashboard does not exist, a BackendError when either
    is not ours."""
    body = await owned_body(client, dashboard_id, owner, manifest_id)
    ref = share_ref(body.get("description"))
    if ref is None:
        return Owned(dashboard_id, body, None)
    found = await client.share(ref.token)
    if found is None:
        return Owned(dashboard_id, body, None)
    share = checked_share(found, f"shared dashboard of {dashboard_id}")
    if share["dashboard_id"] != dashboard_id:
        raise BackendError(
            f"refused: the share dashboard {dashboard_id}'s marker records belongs to another dashboard"
            f" ({share['dashboard_id']}); nothing was written. Edit the marker line in Datadog to record no share"
            " (or the right one), then plan again"
        )
    return Owned(dashboard_id, body, ref)


async def share(client: DashboardsClient, dashboard_id: str, content: dict[str, Any], marker: Marker) -> str:
    """Shares the dashboard, records the token in its marker, then invites; the share is revoked if it cannot
    be recorded (an unrecorded share could never be read or revoked again)."""
    before = await owned(client, dashboard_id, marker.owner, marker.manifest_id)
    if before.share is not None:
        raise BackendError(f"dashboard {dashboard_id} was shared since the plan; run wac plan again")
    answer = await _create(client, create_request(content, dashboard_id, str(before.body.get("layout_type"))))
    token = answer.get("token")
    if not isinstance(token, str) or not SHARE_TOKEN.fullmatch(token):
        raise BackendError(
            f"share dashboard {dashboard_id}: the answer holds no share token, so the share cannot be found"
            " again; the next plan reports it if it exists"
        )
    try:
        now = await owned(client, dashboard_id, marker.owner, marker.manifest_id)
        if now.share is not None:
            # Another apply shared it meanwhile and recorded its token: two live shares, one never seen again.
            raise BackendError(
                f"dashboard {dashboard_id} was shared by another apply at the same time; this apply's share is"
                " revoked again and the other one kept. Run wac plan to check it"
            )
        await client.replace(dashboard_id, recorded(now.body, ShareRef(token, marker.applied)))
    except BackendError:
        await client.delete_share(token)
        raise
    await _invite(client, dashboard_id, marker, content, already=[])
    return dashboard_id


async def reshare(client: DashboardsClient, dashboard_id: str, content: dict[str, Any], marker: Marker) -> None:
    """Updates the share its marker records to `content`, then its invitations, then the applied digest; a share
    revoked outside wac (its token dead in the marker) is shared anew, as the manifest says."""
    if await _dead_token(client, dashboard_id, marker.owner, marker.manifest_id):
        await share(client, dashboard_id, content, marker)
        return
    token = (await _recorded(client, dashboard_id, marker.owner, marker.manifest_id)).token
    await client.update_share(token, share_request(content))
    already = await invitations(client, token, f"share of {dashboard_id}")
    await _invite(client, dashboard_id, marker, content, already)
    now = await owned(client, dashboard_id, marker.owner, marker.manifest_id)
    if now.share is None:
        raise Gone(f"dashboard {dashboard_id}'s marker no longer records its share", status=404)
    if now.share.applied != marker.applied:
        await client.replace(dashboard_id, recorded(now.body, ShareRef(now.share.token, marker.applied)))


async def revoke(client: DashboardsClient, dashboard_id: str, owner: str, manifest_id: str) -> bool:
    """Revokes the share the marker records, then takes its token out of the marker; False when none is left."""
    if await _dead_token(client, dashboard_id, owner, manifest_id):
        return False  # revoked outside wac: only its token had to leave the marker
    try:
        ref = await _recorded(client, dashboard_id, owner, manifest_id)
    except Gone:
        return False  # the dashboard, or its share, is gone: deleting a dashboard ends its share
    existed = await client.delete_share(ref.token)
    now = await owned(client, dashboard_id, owner, manifest_id)
    if share_ref(now.body.get("description")) is not None:
        await client.replace(dashboard_id, recorded(now.body, None))
    return existed


async def _dead_token(client: DashboardsClient, dashboard_id: str, owner: str, manifest_id: str) -> bool:
    """True when the marker records a token whose share is gone, which it then takes out of the marker."""
    try:
        found = await owned(client, dashboard_id, owner, manifest_id)
    except Gone:
        return False
    ref = share_ref(found.body.get("description"))
    if ref is None or found.share is not None:
        return False
    await client.replace(dashboard_id, recorded(found.body, None))
    return True


async def _recorded(client: DashboardsClient, dashboard_id: str, owner: str, manifest_id: str) -> ShareRef:
    found = await owned(client, dashboard_id, owner, manifest_id)
    if found.share is None:
        raise Gone(f"dashboard {dashboard_id}'s marker records no live share of it", status=404)
    return found.share


async def _create(client: DashboardsClient, request: dict[str, Any]) -> dict[str, Any]:
    """POST the share; after a lost answer, again only when Datadog shows the dashboard is still not shared."""
    dashboard_id = str(request["dashboard_id"])
    for _ in range(SHARE_ATTEMPTS):
        try:
            return await client.create_share(request)
        except OutcomeUnknown:
            if dashboard_id in await shared_ids(client):
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


async def _invite(
    client: DashboardsClient, dashboard_id: str, marker: Marker, content: dict[str, Any], already: list[str]
) -> None:
    """Invitations to match the manifest: sent once to each new email, deleted for each removed one, each
    write to a share checked again to be this dashboard's."""
    wanted = emails(content.get("invitations") or [])
    have = {email.strip().lower(): email for email in already}
    removed = [email for key, email in sorted(have.items()) if key not in wanted]
    new = [email for email in wanted if email not in have]
    if removed:
        ref = await _recorded(client, dashboard_id, marker.owner, marker.manifest_id)
        await client.uninvite(ref.token, removed)
    if new:
        ref = await _recorded(client, dashboard_id, marker.owner, marker.manifest_id)
        await client.invite(ref.token, new)
