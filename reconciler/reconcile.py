"""The main job's steps, joined: read remote state, plan, check a saved plan, apply."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from reconciler.api.client import WidgetsClient
from reconciler.api.listing import fetch_widgets, list_all, list_owned
from reconciler.applying import ApplyReport, Outcome, apply_plan
from reconciler.planning import Listing, Plan, fingerprint, plan_changes
from reconciler.state import DesiredWidget, RemoteWidget
from reconciler.tags import OWNER_PREFIX
from reconciler.vocabulary import EXPERIENCE_TYPES


class StalePlanError(Exception):
    pass


async def read_remote(client: WidgetsClient, owner: str) -> Listing:
    # Every experience type, not only those the manifests use: a type whose last manifest
    # was removed still holds widgets to delete.
    return await list_owned(client, owner, EXPERIENCE_TYPES)


async def plan_run(
    client: WidgetsClient, owner: str, desired: Iterable[DesiredWidget], targets: Sequence[str] = ()
) -> Plan:
    wanted = list(desired)
    listing = await read_remote(client, owner)
    managed = {(w.experience_type, w.manifest_id) for w in listing.widgets if w.owner == owner}
    # Only manifests not yet matched need their `adopt` widget fetched: after the first apply, none do.
    adopt = [(w.experience_type, w.adopt) for w in wanted if w.adopt and w.key not in managed]
    if adopt:
        listing = replace(listing, adoptable=tuple(await fetch_widgets(client, adopt)))
    return plan_changes(wanted, listing, owner, targets)


async def check_saved_plan(client: WidgetsClient, plan: Plan) -> None:
    """Refuse a saved plan whose remote widgets changed since it was made."""
    listing = await read_remote(client, plan.owner)
    managed = [w for w in listing.widgets if w.owner == plan.owner]
    if fingerprint(managed) != plan.remote_fingerprint:
        raise StalePlanError(
            "The saved plan is stale: the owner's remote widgets changed after it was made (an edit, a create or"
            " a delete happened since). Nothing was applied; run `wac plan --out FILE` again and review it."
        )


async def apply_run(client: WidgetsClient, plan: Plan, on_outcome: Callable[[Outcome], None]) -> ApplyReport:
    return await apply_plan(client, plan, on_outcome)


async def unmanaged_widgets(client: WidgetsClient) -> list[RemoteWidget]:
    """Widgets carrying no owner tag at all, in every experience type."""
    found: list[RemoteWidget] = []
    for experience_type in EXPERIENCE_TYPES:
        widgets, _ = await list_all(client, experience_type)
        found.extend(w for w in widgets if not any(t.startswith(OWNER_PREFIX) for t in w.tags))
    return found
