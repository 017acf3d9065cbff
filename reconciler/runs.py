"""The main job's steps, joined: read remote state, plan, check a saved plan, apply."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

from reconciler.api.client import WidgetsClient
from reconciler.api.listing import fetch_widgets, list_all, list_owned
from reconciler.applying import ApplyReport, Outcome, apply_plan
from reconciler.plan_file import PlanInputs, saved_plan_differences, summarise_differences
from reconciler.planning import Listing, Plan, plan_changes
from reconciler.resources import DesiredWidget, RemoteWidget
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


async def verify_saved_plan(client: WidgetsClient, saved: Plan, desired: Iterable[DesiredWidget]) -> Plan:
    """A fresh plan from the same manifests and a new listing, returned only when it equals the saved one."""
    fresh = await plan_run(client, saved.owner, desired, saved.targets)
    if fresh.remote_fingerprint != saved.remote_fingerprint:
        raise StalePlanError(
            "The saved plan is stale: the owner's remote widgets changed after it was made (an edit, a create or"
            " a delete happened since). Nothing was applied; run `wac plan --out FILE` again and review it."
        )
    differences = saved_plan_differences(saved, fresh)
    if differences:
        raise StalePlanError(
            "The saved plan does not match what the same manifests and remote widgets give now, so it was not"
            f" applied: {summarise_differences(differences)}. Run `wac plan --out FILE` again and review it."
        )
    return fresh


def input_differences(recorded: PlanInputs, files: Sequence[tuple[str, str]]) -> list[str]:
    """How the manifest files on disk differ from those a saved plan was made from."""
    before, now = dict(recorded.files), dict(files)
    problems = [f"{path} was removed" for path in sorted(before.keys() - now.keys())]
    problems += [f"{path} is new" for path in sorted(now.keys() - before.keys())]
    problems += [f"{path} changed" for path in sorted(before.keys() & now.keys()) if before[path] != now[path]]
    return problems


async def apply_run(client: WidgetsClient, plan: Plan, on_outcome: Callable[[Outcome], None]) -> ApplyReport:
    return await apply_plan(client, plan, on_outcome)


async def unmanaged_widgets(client: WidgetsClient) -> list[RemoteWidget]:
    """Widgets carrying no owner tag at all, in every experience type."""
    found: list[RemoteWidget] = []
    for experience_type in EXPERIENCE_TYPES:
        widgets, _ = await list_all(client, experience_type)
        found.extend(w for w in widgets if not any(t.startswith(OWNER_PREFIX) for t in w.tags))
    return found
