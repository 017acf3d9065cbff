"""Writing a powerpack's edit lock: every POST and DELETE re-checked against its powerpack's marker tags
immediately before it is sent, and the lock recorded in (or taken out of) those tags.

The tags record the lock before it is written: a write cut off half way leaves a recorded lock that differs from
the policy, which the next plan reads and repairs, never an unrecorded one nobody reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reconciler.backends.datadog_powerpacks.client import PowerpacksClient
from reconciler.backends.datadog_powerpacks.codec import recorded_policy
from reconciler.backends.datadog_powerpacks.listing import recorded_lock, remote_of
from reconciler.backends.datadog_powerpacks.marker import LOCK_TAGS, MARKER_TAGS, user_tags
from reconciler.backends.datadog_powerpacks.vocabulary import MAX_TAGS
from reconciler.backends.datadog_restriction import Permissions, lockout, permissions_content
from reconciler.core.backend import BackendError, Gone, owned_now
from reconciler.core.resources import Marker


async def owned_item(client: PowerpacksClient, powerpack_id: str, owner: str, manifest_id: str) -> dict[str, Any]:
    """The powerpack's `data` read right now, when its tags name exactly this owner and id; Gone when it is gone,
    a BackendError when it carries anything else."""
    body = await client.get(powerpack_id)
    if body is None:
        raise Gone(f"powerpack {powerpack_id} was deleted since the plan", 404)
    owned_now(remote_of(body, powerpack_id), owner, manifest_id, f"powerpack {powerpack_id}")
    item: dict[str, Any] = body["data"]
    return item


def room_problem(powerpack_id: str, tags: Sequence[str]) -> str | None:
    """Why the powerpack has no room for the tag recording its lock (Datadog keeps at most 8 tags), or None."""
    own = len(user_tags(tags))
    if own + MARKER_TAGS + LOCK_TAGS <= MAX_TAGS:
        return None
    return (
        f"refused: powerpack {powerpack_id} has {own} tags of its own; with wac's {MARKER_TAGS} and the one recording"
        f" its edit lock that is more than the {MAX_TAGS} Datadog keeps, so keep at most"
        f" {MAX_TAGS - MARKER_TAGS - LOCK_TAGS} in `powerpack.tags`; nothing was written"
    )


async def lock(
    client: PowerpacksClient, powerpack_id: str, content: Permissions, marker: Marker, identity: Sequence[str]
) -> str:
    """Records the lock in the powerpack's tags, then replaces the powerpack's policy with it."""
    wanted = permissions_content(content.get("editors") or (), content.get("viewers") or ())
    problem = lockout(wanted, identity)
    if problem is not None:
        raise BackendError(f"refused: the edit lock of powerpack {powerpack_id}: {problem}; nothing was written")
    item = await owned_item(client, powerpack_id, marker.owner, marker.manifest_id)
    if recorded_lock(item) != marker.applied:
        tags = item["attributes"].get("tags") or []
        room = room_problem(powerpack_id, tags)
        if room is not None:
            raise BackendError(room)
        await client.update(powerpack_id, recorded_policy(item["attributes"], marker.applied))
    # The tags read again right before the policy is sent: a powerpack taken over meanwhile is not locked.
    now = await owned_item(client, powerpack_id, marker.owner, marker.manifest_id)
    if recorded_lock(now) != marker.applied:
        raise BackendError(f"powerpack {powerpack_id}'s marker changed while its lock was written; run wac plan again")
    await client.lock(powerpack_id, wanted)
    return powerpack_id


async def unlock(client: PowerpacksClient, powerpack_id: str, owner: str, manifest_id: str) -> bool:
    """Deletes the policy (the powerpack returns to the organisation's default), then takes it out of the tags;
    False when the powerpack is gone (its policy went with it)."""
    try:
        await owned_item(client, powerpack_id, owner, manifest_id)
    except Gone:
        return False
    existed = await client.unlock(powerpack_id)
    try:
        now = await owned_item(client, powerpack_id, owner, manifest_id)
    except Gone:
        return existed
    if recorded_lock(now) is not None:
        await client.update(powerpack_id, recorded_policy(now["attributes"], None))
    return existed
