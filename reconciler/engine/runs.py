"""The main job's steps, joined: read remote state from every backend, plan, check a saved plan, apply."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from reconciler.core.backend import Backend, Listing
from reconciler.core.outcomes import ApplyReport, Outcome
from reconciler.core.planning import Action, Change, Plan, plan_changes
from reconciler.core.resources import Caution, Desired, Remote
from reconciler.engine.applying import apply_plan

Backends = Mapping[str, Backend]
"""The backends of a run, by the kind each serves."""


class StalePlanError(Exception):
    pass


async def read_remote(backends: Backends, owner: str) -> Listing:
    """Every backend's listing of the owner's resources, read concurrently and normalised."""
    listings = await asyncio.gather(*(backend.list_owned(owner) for backend in backends.values()))
    resources: list[Remote] = []
    incomplete: dict[tuple[str, str], str] = {}
    for backend, listing in zip(backends.values(), listings, strict=True):
        resources.extend(_normalised(backend, r) for r in listing.resources)
        incomplete.update(listing.incomplete)
    return Listing(tuple(resources), incomplete)


def _normalised(backend: Backend, remote: Remote) -> Remote:
    return replace(remote, content=backend.normalise(remote.content))


async def plan_run(
    backends: Backends,
    owner: str,
    desired: Iterable[Desired],
    targets: Sequence[str] = (),
    kinds: Sequence[str] = (),
    forget: Sequence[str] = (),
) -> Plan:
    """A plan from a fresh listing; with `kinds`, only those backends are read and planned."""
    plan, _ = await plan_and_listing(backends, owner, desired, targets, kinds, forget)
    return plan


async def plan_and_listing(
    backends: Backends,
    owner: str,
    desired: Iterable[Desired],
    targets: Sequence[str] = (),
    kinds: Sequence[str] = (),
    forget: Sequence[str] = (),
) -> tuple[Plan, Listing]:
    """`plan_run`'s plan, and the listing it was made from (what `wac pull` names remote resources by)."""
    wanted = list(desired)
    backends = _read_for(backends, wanted, kinds)
    listing = await read_remote(backends, owner)
    managed = {(r.kind, r.scope, r.claims.manifest_id) for r in listing.resources if r.claims.owner == owner}
    # Only manifests not yet matched need their `adopt` resource fetched: after the first apply, none do. A kind
    # left out of this run (by --kind) is neither read nor fetched.
    adopt = [w for w in wanted if w.adopt and w.key not in managed and w.kind in backends]
    if adopt:
        found = await asyncio.gather(*(_fetch(backends, w.kind, w.scope, w.adopt or "") for w in adopt))
        listing = replace(listing, adoptable=tuple(r for r in found if r is not None))
    plan = plan_changes(wanted, listing, owner, targets, kinds, forget)
    missed = await _confirmed_missing(backends, owner, plan, listing)
    if missed:
        listing = replace(listing, resources=(*listing.resources, *missed))
        plan = plan_changes(wanted, listing, owner, targets, kinds, forget)
    return with_cautions(backends, plan), listing


def _read_for(backends: Backends, wanted: Sequence[Desired], kinds: Sequence[str]) -> Backends:
    """The backends a plan of `kinds` (all when empty) reads: those kinds, and the kinds their manifests refer
    to, whose remote ids resolve the references."""
    if not kinds:
        return backends
    named = {kind for want in wanted if want.kind in kinds for kind, _ in want.references}
    return {kind: backend for kind, backend in backends.items() if kind in kinds or kind in named}


async def _confirmed_missing(backends: Backends, owner: str, plan: Plan, listing: Listing) -> list[Remote]:
    """What each backend finds when asked again for the resources a plan would create: a listing whose pages
    shifted under it must not make a second copy of a resource that exists."""
    creates: dict[str, list[tuple[str, str]]] = {}
    for change in plan.changes:
        if change.action == Action.CREATE and change.kind in backends:
            creates.setdefault(change.kind, []).append((change.scope, change.manifest_id))
    if not creates:
        return []
    found = await asyncio.gather(*(backends[kind].confirm_missing(owner, keys) for kind, keys in creates.items()))
    seen = {(r.kind, r.remote_id, r.scope) for r in listing.resources}
    return [
        _normalised(backends[r.kind], r)
        for remotes in found
        for r in remotes
        if (r.kind, r.remote_id, r.scope) not in seen and r.kind in backends
    ]


def with_cautions(backends: Backends, plan: Plan) -> Plan:
    """The plan with each backend's cautions on its changes: what applying one does, and for an edit
    outside git, what that edit did."""

    def annotated(change: Change) -> Change:
        backend = backends.get(change.kind)
        if backend is None or change.action == Action.FORGET:
            return change  # letting go changes nothing but the marker: no access changes
        before = change.remote_content if change.action != Action.CREATE else None
        after = None if change.action == Action.DELETE else change.desired_content or change.content
        outside: tuple[Caution, ...] = ()
        if change.action in (Action.UPDATE, Action.REPLACE) and change.desired_content is not None:
            outside = backend.cautions(change.scope, change.desired_content, change.remote_content)
        return replace(change, cautions=backend.cautions(change.scope, before, after), outside_cautions=outside)

    changes = tuple(annotated(c) for c in plan.changes)
    refused = [
        f"{c.scope}/{c.manifest_id}" + (f" ({c.source})" if c.source else "") + f": {caution.text}"
        for c in changes
        for caution in c.cautions
        if caution.refuses
    ]
    return replace(plan, changes=changes, errors=(*plan.errors, *refused))


async def _fetch(backends: Backends, kind: str, scope: str, remote_id: str) -> Remote | None:
    backend = backends[kind]
    found = await backend.fetch(scope, remote_id)
    return None if found is None else _normalised(backend, found)


async def apply_run(backends: Backends, plan: Plan, on_outcome: Callable[[Outcome], None]) -> ApplyReport:
    return await apply_plan(backends, plan, on_outcome)


async def unmanaged_resources(backends: Backends) -> list[Remote]:
    """Resources carrying no ownership marker at all, in every backend."""
    found = await asyncio.gather(*(backend.list_all() for backend in backends.values()))
    return [r for listing in found for r in listing if not r.claims.owners]
