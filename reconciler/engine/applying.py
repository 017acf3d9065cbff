"""Executing a plan over the backends: writes before deletes, each change's outcome kept apart."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from reconciler.core.backend import Backend, BackendError, Gone, OutcomeUnknown
from reconciler.core.guards import write_refusal
from reconciler.core.outcomes import ApplyReport, Outcome
from reconciler.core.planning import Action, Change, Plan
from reconciler.core.resources import ResourceKey

CREATE_ATTEMPTS = 3


async def apply_plan(
    backends: Mapping[str, Backend], plan: Plan, on_outcome: Callable[[Outcome], None] = lambda _: None
) -> ApplyReport:
    """Creates and updates first, then deletes: cut off half-way, the remote never holds less.

    What belongs to another resource (`Change.parent`) is written after it and deleted before it.
    """
    writes = [c for c in plan.changes if c.action not in (Action.DELETE, Action.FORGET)]
    deletes = [c for c in plan.changes if c.action in (Action.DELETE, Action.FORGET)]
    parents = await _run_batch(backends, plan.owner, _alone(writes), on_outcome)
    created = {o.change.key: o.remote_id for o in parents if o.ok and o.remote_id}
    children = [_with_parent(c, created) for c in _belonging(writes)]
    outcomes = list(parents)
    for batch in (children, _belonging(deletes), _alone(deletes)):
        outcomes.extend(await _run_batch(backends, plan.owner, batch, on_outcome))
    return ApplyReport(tuple(outcomes))


def _alone(changes: Sequence[Change]) -> list[Change]:
    return [c for c in changes if c.parent is None]


def _belonging(changes: Sequence[Change]) -> list[Change]:
    """The changes of resources that belong to another (a share to its dashboard)."""
    return [c for c in changes if c.parent is not None]


def _with_parent(change: Change, created: Mapping[ResourceKey, str]) -> Change:
    """A change that belongs to a resource this apply created (or replaced) learns that resource's remote id."""
    new_id = created.get(change.parent) if change.parent is not None else None
    return change if new_id is None else replace(change, parent_remote_id=new_id)


async def _run_batch(
    backends: Mapping[str, Backend], owner: str, changes: Sequence[Change], on_outcome: Callable[[Outcome], None]
) -> list[Outcome]:
    if not changes:
        return []

    async def run(change: Change) -> Outcome:
        backend = backends.get(change.kind)
        try:
            if backend is None:
                outcome = Outcome(change, ok=False, detail=f"no backend serves kind '{change.kind}'")
            else:
                outcome = await _apply_one(backend, owner, change)
        except BackendError as exc:
            outcome = Outcome(change, ok=False, detail=str(exc))
        on_outcome(outcome)
        return outcome

    # Each client bounds how many are in flight; gather only keeps every result.
    return list(await asyncio.gather(*(run(c) for c in changes)))


async def _apply_one(backend: Backend, owner: str, change: Change) -> Outcome:
    if change.action == Action.CREATE:
        return await _create(backend, owner, change)
    assert change.remote_id is not None
    refusal = write_refusal(change, owner, change.remote_claims)
    if refusal:
        return Outcome(change, ok=False, detail=refusal)
    if change.action == Action.REPLACE:
        return await _replace(backend, owner, change)
    if change.action == Action.UPDATE:
        assert change.content is not None and change.marker is not None
        try:
            await backend.update(change.scope, change.remote_id, change.content, change.marker)
        except Gone:
            return Outcome(change, ok=False, detail="it was deleted since the plan; run wac plan again")
        return Outcome(change, ok=True, remote_id=change.remote_id)
    if change.action == Action.FORGET:
        released = await backend.release(change.scope, change.remote_id, owner, change.manifest_id)
        return Outcome(change, ok=True, detail="" if released else "already gone", remote_id=change.remote_id)
    return await _delete(backend, owner, change, change.remote_id)


async def _delete(backend: Backend, owner: str, change: Change, remote_id: str) -> Outcome:
    # A delete cannot be undone: the marker is read once more right before it, so a resource
    # another owner or a person claimed since the plan is left alone.
    current = await backend.fetch(change.scope, remote_id)
    if current is None:
        return Outcome(change, ok=True, detail="already gone", remote_id=remote_id)
    refusal = write_refusal(change, owner, current.claims)
    if refusal:
        return Outcome(change, ok=False, detail=refusal + " (it changed after the plan)")
    existed = await backend.delete(change.scope, remote_id, owner, change.manifest_id)
    return Outcome(change, ok=True, detail="" if existed else "already gone", remote_id=remote_id)


async def _replace(backend: Backend, owner: str, change: Change) -> Outcome:
    """The new resource first, then the old one deleted: stopped between, the next plan repairs the pair."""
    assert change.remote_id is not None
    created = await _create(backend, owner, change)
    if not created.ok:
        return created
    old = await _delete(backend, owner, change, change.remote_id)
    if not old.ok:
        return Outcome(
            change, ok=False, detail=f"created {created.remote_id}, but the old one was not deleted: {old.detail}"
        )
    return Outcome(change, ok=True, detail=f"replaced {change.remote_id}", remote_id=created.remote_id)


async def _create(backend: Backend, owner: str, change: Change) -> Outcome:
    """Create once; when the answer is lost, look the resource up by its id before trying again."""
    assert change.content is not None and change.marker is not None
    for _ in range(CREATE_ATTEMPTS):
        try:
            remote_id = await backend.create(change.scope, change.content, change.marker, change.parent_remote_id)
            return Outcome(change, ok=True, remote_id=remote_id)
        except OutcomeUnknown:
            # A replace's old resource carries the same id; it is not the one created.
            found = [
                r
                for r in await backend.find(owner, change.scope, change.manifest_id)
                if r.remote_id != change.remote_id
            ]
            if found:
                return Outcome(
                    change, ok=True, detail="confirmed by lookup after a lost answer", remote_id=found[0].remote_id
                )
    return Outcome(change, ok=False, detail=f"the create's outcome stayed unknown after {CREATE_ATTEMPTS} attempts")
