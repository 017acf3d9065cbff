"""Drift: what changed outside git (as the editor changed it), what waits in git, what is missing remotely,
and what nobody manages, as data. Pure; `render/drift.py` prints it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from reconciler.core.diffing import FieldChange, field_changes
from reconciler.core.planning import Action, Change, Conflict, Plan, Reason
from reconciler.core.resources import Remote, ResourceKey

DRIFT_REASONS = (Reason.DRIFT, Reason.BOTH_CHANGED, Reason.UNRECORDED)
Content = Mapping[str, Any]


@dataclass(frozen=True)
class Edit:
    """One widget changed outside git: each field from the value git had applied to the editor's value."""

    change: Change
    fields: tuple[FieldChange, ...]
    # Changes in git since the last apply, not applied yet; told apart from the edit when known.
    pending: tuple[FieldChange, ...] = ()
    # False when the manifest also changed and its applied version could not be found: the fields
    # then mix the edit outside git with the change in git.
    told_apart: bool = True


@dataclass(frozen=True)
class DriftReport:
    owner: str
    edits: tuple[Edit, ...]
    missing: tuple[Change, ...]
    unmanaged: tuple[Remote, ...] = ()
    # Widgets someone tagged for two owners (or two ids) in the UI: nobody writes to them until resolved.
    conflicts: tuple[Conflict, ...] = ()
    # Manifest changes not applied yet, with no edit outside git: reported, not drift.
    pending: tuple[Edit, ...] = field(default=())
    # What the reader should know about the run itself (a kind not read, deletes withheld).
    notes: tuple[str, ...] = ()

    @property
    def edited(self) -> tuple[Change, ...]:
        return tuple(edit.change for edit in self.edits)

    @property
    def drifted(self) -> bool:
        return bool(self.edits or self.missing or self.unmanaged or self.conflicts)


def drift_from(
    plan: Plan, unmanaged: Iterable[Remote] = (), applied: Mapping[ResourceKey, Content] | None = None
) -> DriftReport:
    """The plan read as drift; `applied` holds the last applied content of manifests changed since (from git)."""
    applied = applied or {}
    updates = [c for c in plan.changes if c.action in (Action.UPDATE, Action.REPLACE)]
    return DriftReport(
        owner=plan.owner,
        edits=tuple(_edit(c, applied.get(c.key)) for c in updates if c.reason in DRIFT_REASONS),
        missing=tuple(c for c in plan.changes if c.action == Action.CREATE),
        unmanaged=tuple(sorted(unmanaged, key=lambda r: (r.kind, r.scope, r.title, r.remote_id))),
        conflicts=plan.conflicts,
        pending=tuple(
            Edit(c, (), pending=_diff(c.remote_content, c.desired_content))
            for c in updates
            if c.reason == Reason.MANIFEST_CHANGED
        ),
        notes=(*plan.withheld_deletes, *plan.warnings),
    )


def _edit(change: Change, applied: Content | None) -> Edit:
    if change.reason == Reason.BOTH_CHANGED:
        if applied is None:
            return Edit(change, _diff(change.desired_content, change.remote_content), told_apart=False)
        return Edit(change, _diff(applied, change.remote_content), pending=_diff(applied, change.desired_content))
    # Unchanged in git since the apply (or never recorded): the manifest is the baseline.
    return Edit(change, _diff(change.desired_content, change.remote_content))


def _diff(before: Content | None, after: Content | None) -> tuple[FieldChange, ...]:
    return field_changes(dict(before or {}), dict(after or {}))
