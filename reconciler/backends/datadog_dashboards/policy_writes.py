"""Writing a dashboard's edit lock: every POST and DELETE re-checked against its dashboard's marker
immediately before it is sent, and the lock recorded in (or taken out of) that marker.

The marker records the lock before it is written: a write cut off half way leaves a recorded lock that
differs from the policy, which the next plan reads and repairs, never an unrecorded one nobody reads.
"""

from __future__ import annotations

from collections.abc import Sequence

from reconciler.backends.datadog_dashboards.client import DashboardsClient
from reconciler.backends.datadog_dashboards.codec import recorded_policy
from reconciler.backends.datadog_dashboards.marker import policy_applied, share_ref
from reconciler.backends.datadog_dashboards.share_writes import owned_body
from reconciler.backends.datadog_restriction import Permissions, lockout, permissions_content
from reconciler.core.backend import BackendError, Gone
from reconciler.core.resources import Marker


async def lock(
    client: DashboardsClient, dashboard_id: str, content: Permissions, marker: Marker, identity: Sequence[str]
) -> str:
    """Records the lock in the dashboard's marker, then replaces the dashboard's policy with it."""
    wanted = permissions_content(content.get("editors") or (), content.get("viewers") or ())
    problem = lockout(wanted, identity)
    if problem is not None:
        raise BackendError(f"refused: the edit lock of dashboard {dashboard_id}: {problem}; nothing was written")
    body = await owned_body(client, dashboard_id, marker.owner, marker.manifest_id)
    description = body.get("description")
    if policy_applied(description) != marker.applied:
        await client.replace(dashboard_id, recorded_policy(body, share_ref(description), marker.applied))
    # The marker read again right before the policy is sent: a dashboard taken over meanwhile is not locked.
    now = await owned_body(client, dashboard_id, marker.owner, marker.manifest_id)
    if policy_applied(now.get("description")) != marker.applied:
        raise BackendError(f"dashboard {dashboard_id}'s marker changed while its lock was written; run wac plan again")
    await client.lock(dashboard_id, wanted)
    return dashboard_id


async def unlock(client: DashboardsClient, dashboard_id: str, owner: str, manifest_id: str) -> bool:
    """Deletes the policy (the dashboard returns to the organisation's default), then takes it out of the
    marker; False when the dashboard is gone (its policy went with it)."""
    try:
        await owned_body(client, dashboard_id, owner, manifest_id)
    except Gone:
        return False
    existed = await client.unlock(dashboard_id)
    try:
        now = await owned_body(client, dashboard_id, owner, manifest_id)
    except Gone:
        return existed
    description = now.get("description")
    if policy_applied(description) is not None:
        await client.replace(dashboard_id, recorded_policy(now, share_ref(description), None))
    return existed
