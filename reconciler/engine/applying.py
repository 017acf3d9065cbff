"""Executing a plan over the backends: writes before deletes, each change's outcome kept apart."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from reconciler.core.backend import Backend, BackendError, Gone, OutcomeUnknown
from reconciler.core.guards import write_refusal
from reconciler.core.normalise import content_digest, unordered_sorted, without_ignored
from reconciler.core.outcomes import ApplyReport, Outcome
from reconciler.core.planning import Action, Change, Plan
from reconciler.core.references import resolved, targets_in
from reconciler.core.resources import ResourceKey
from reconciler.engine.ordering import delete_levels, write_levels

CREATE_ATTEMPTS = 3
# Changes worked on at once: more than any client's requests in flight (--parallelism allows up to 256).
WORKERS = 512


async def apply_plan(
    backends: Mapping[str, Backend], plan: Plan, on_outcome: Callable[[Outcome], None] = lambda _: None
) -> ApplyReport:
    """Creates and updates first, then deletes: cut off half-way, the remote never holds less.

    What a change needs (the resource it belongs to, `Change.parent`; those it refers to, `Change.references`)
    is written before it, and deleted after it.
    """
    writes = [c for c in plan.changes if c.action not in (Action.DELETE, Action.FORGET)]
    deletes = [c for c in plan.changes if c.action in (Action.DELETE, Action.FORGET)]
    outcomes: list[Outcome] = []
    made = _Made()
    for level in write_levels(writes):
        ready, waiting = made.prepared(level)
        for outcome in waiting:
            on_outcome(outcome)
        done = await _run_batch(backends, plan.owner, ready, on_outcome)
        made.record(done, waiting)
        outcomes += [*done, *waiting]
    for level in delete_levels(deletes):
        outcomes += await _run_batch(backends, plan.owner, level, on_outcome)
    return ApplyReport(tuple(outcomes))


class _Made:
    """The remote ids this apply's creates answered, and what failed: what later writes refer to."""

    def __init__(self) -> None:
        self.ids: dict[ResourceKey, str] = {}
        self.failed: set[ResourceKey] = set()

    def record(self, done: Sequence[Outcome], waiting: Sequence[Outcome]) -> None:
        for outcome in done:
            if not outcome.ok:
                self.failed.add(outcome.change.key)
            elif outcome.remote_id and outcome.change.action in (Action.CREATE, Action.REPLACE):
                self.ids[outcome.change.key] = outcome.remote_id
        self.failed.update(o.change.key for o in waiting)

    def prepared(self, level: Sequence[Change]) -> tuple[list[Change], list[Outcome]]:
        """Each change with the ids it needs swapped in, or an outcome saying what it waited for in vain."""
        targets = {(key[0], key[2]): remote_id for key, remote_id in self.ids.items()}
        failed = {(key[0], key[2]) for key in self.failed}
        ready: list[Change] = []
        waiting: list[Outcome] = []
        for change in level:
            missed = [t for t in change.references if t in failed]
            if change.parent is not None and change.parent in self.failed:
                missed.append((change.parent[0], change.parent[2]))
            if missed:
                named = ", ".join(f"{kind}/{manifest_id}" for kind, manifest_id in missed)
                waiting.append(Outcome(change, ok=False, detail=f"not written: it needs {named}, which failed"))
            else:
                ready.append(_with_ids(change, self.ids, targets))
        return ready, waiting


def _with_ids(change: Change, created: Mapping[ResourceKey, str], targets: Mapping[tuple[str, str], str]) -> Change:
    """A change learns the remote ids this apply created: its parent's, and its references' (its marker's digest
    then records the content as written)."""
    new_parent = created.get(change.parent) if change.parent is not None else None
    if new_parent is not None:
        change = replace(change, parent_remote_id=new_parent)
    if not change.references or change.content is None:
        return change
    swapped = resolved(change.content, {t: targets[t] for t in change.references if t in targets})
    content = unordered_sorted(swapped, change.unordered)
    if content == change.content:
        return change
    marker = change.marker
    if marker is not None:
        marker = replace(marker, applied=content_digest(without_ignored(content, change.ignore)))
    return replace(change, content=content, marker=marker)


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

    # Each client bounds how many are in flight; a few more workers than any client's slots keep them all busy
    # without a task per change (10,000 waiting tasks cost the event loop and the collector more than the
    # requests themselves).
    outcomes: list[Outcome | None] = [None] * len(changes)
    pending = iter(enumerate(changes))

    async def worker() -> None:
        for index, change in pending:
            outcomes[index] = await run(change)

    await asyncio.gather(*(worker() for _ in range(min(WORKERS, len(changes)))))
    return [outcome for outcome in outcomes if outcome is not None]


async def _apply_one(backend: Backend, owner: str, change: Change) -> Outcome:
    unknown = targets_in(change.content) if change.references else ()
    if unknown:
        # Only a create answered in this apply gives such an id; a plan file cannot name one.
        named = ", ".join(f"{kind}/{manifest_id}" for kind, manifest_id in unknown)
        return Outcome(change, ok=False, detail=f"refused: the id of {named} is not known; nothing was written")
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
