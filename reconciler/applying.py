"""Executing a plan against the API: writes before deletes, each change's outcome kept apart."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reconciler.api.client import ApiError, OutcomeUnknown, WidgetsClient
from reconciler.api.listing import fetch_widgets, find_by_manifest_id
from reconciler.guards import write_refusal
from reconciler.planning import Action, Change, Plan

CREATE_ATTEMPTS = 3


@dataclass(frozen=True)
class Outcome:
    change: Change
    ok: bool
    detail: str = ""
    uuid: str | None = None


@dataclass(frozen=True)
class ApplyReport:
    outcomes: tuple[Outcome, ...]

    def count(self, action: Action) -> int:
        return sum(1 for o in self.outcomes if o.ok and o.change.action == action)

    @property
    def failed(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if not o.ok)


async def apply_plan(
    client: WidgetsClient, plan: Plan, on_outcome: Callable[[Outcome], None] = lambda _: None
) -> ApplyReport:
    """Creates and updates first, then deletes: cut off half-way, the remote never holds less."""
    outcomes: list[Outcome] = []
    writes = [c for c in plan.changes if c.action != Action.DELETE]
    deletes = [c for c in plan.changes if c.action == Action.DELETE]
    for batch in (writes, deletes):
        outcomes.extend(await _run_batch(client, plan.owner, batch, on_outcome))
    return ApplyReport(tuple(outcomes))


async def _run_batch(
    client: WidgetsClient, owner: str, changes: Sequence[Change], on_outcome: Callable[[Outcome], None]
) -> list[Outcome]:
    async def run(change: Change) -> Outcome:
        try:
            outcome = await _apply_one(client, owner, change)
        except ApiError as exc:
            outcome = Outcome(change, ok=False, detail=str(exc))
        on_outcome(outcome)
        return outcome

    # The client bounds how many are in flight; gather only keeps every result.
    return list(await asyncio.gather(*(run(c) for c in changes)))


async def _apply_one(client: WidgetsClient, owner: str, change: Change) -> Outcome:
    if change.action == Action.CREATE:
        return await _create(client, owner, change)
    assert change.uuid is not None
    refusal = write_refusal(change, owner, change.remote_tags)
    if refusal:
        return Outcome(change, ok=False, detail=refusal)
    if change.action == Action.UPDATE:
        try:
            await client.replace(change.experience_type, change.uuid, _body(change))
        except ApiError as exc:
            if exc.status == 404:
                return Outcome(change, ok=False, detail="the widget was deleted since the plan; run wac plan again")
            raise
        return Outcome(change, ok=True, uuid=change.uuid)
    # A delete cannot be undone: the widget's tags are read once more right before it, so a widget
    # another owner or a person claimed since the plan is left alone.
    current = await fetch_widgets(client, [(change.experience_type, change.uuid)])
    if not current:
        return Outcome(change, ok=True, detail="already gone", uuid=change.uuid)
    refusal = write_refusal(change, owner, current[0].tags)
    if refusal:
        return Outcome(change, ok=False, detail=refusal + " (it changed after the plan)")
    existed = await client.delete(change.experience_type, change.uuid)
    return Outcome(change, ok=True, detail="" if existed else "already gone", uuid=change.uuid)


async def _create(client: WidgetsClient, owner: str, change: Change) -> Outcome:
    """Create once; when the answer is lost, look the widget up by its wac-id before trying again."""
    for _ in range(CREATE_ATTEMPTS):
        try:
            uuid = await client.create(change.experience_type, _body(change))
            return Outcome(change, ok=True, uuid=uuid)
        except OutcomeUnknown:
            found = await find_by_manifest_id(client, owner, change.experience_type, change.manifest_id)
            if found:
                return Outcome(change, ok=True, detail="confirmed by lookup after a lost answer", uuid=found[0].uuid)
    return Outcome(change, ok=False, detail=f"the create's outcome stayed unknown after {CREATE_ATTEMPTS} attempts")


def _body(change: Change) -> dict[str, Any]:
    assert change.definition is not None
    return {"data": {"type": "widgets", "attributes": {"definition": change.definition, "tags": list(change.tags)}}}
