"""Drift: what changed outside git, what is missing remotely, and what nobody manages. Pure."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from reconciler.plan_file import conflict_to_dict
from reconciler.planning import Action, Change, Conflict, Plan, Reason
from reconciler.render.common import field_line, person, printable
from reconciler.state import RemoteWidget

DRIFT_REASONS = (Reason.DRIFT, Reason.BOTH_CHANGED, Reason.UNRECORDED)
MARKER = "<!-- widgets-as-code drift -->"


@dataclass(frozen=True)
class DriftReport:
    owner: str
    edited: tuple[Change, ...]
    missing: tuple[Change, ...]
    unmanaged: tuple[RemoteWidget, ...] = ()
    # Widgets someone tagged for two owners (or two ids) in the UI: nobody writes to them until resolved.
    conflicts: tuple[Conflict, ...] = ()

    @property
    def drifted(self) -> bool:
        return bool(self.edited or self.missing or self.unmanaged or self.conflicts)


def drift_from(plan: Plan, unmanaged: Iterable[RemoteWidget] = ()) -> DriftReport:
    return DriftReport(
        owner=plan.owner,
        edited=tuple(c for c in plan.changes if c.action == Action.UPDATE and c.reason in DRIFT_REASONS),
        missing=tuple(c for c in plan.changes if c.action == Action.CREATE),
        unmanaged=tuple(sorted(unmanaged, key=lambda w: (w.experience_type, w.title, w.uuid))),
        conflicts=plan.conflicts,
    )


def render_drift_text(report: DriftReport) -> str:
    if not report.drifted:
        return f"No drift: the widgets of owner '{report.owner}' match the manifests."
    lines = [f"Drift for owner '{report.owner}':", ""]
    for change in report.edited:
        who = person(change) if change.editor else "an unknown user"
        at = change.editor.at if change.editor else "an unknown time"
        lines.append(f'~ {change.experience_type}/{change.manifest_id} "{change.title}" ({change.uuid})')
        lines.append(f"    changed outside git by {who} at {at}")
        lines.extend(f"      {field_line(f)}" for f in change.fields)
    for change in report.missing:
        lines.append(
            f'! {change.experience_type}/{change.manifest_id} "{change.title}" is missing remotely ({change.source})'
        )
    for widget in report.unmanaged:
        creator = widget.created_by.handle if widget.created_by else "unknown"
        lines.append(
            f'? {widget.experience_type} "{widget.title}" ({widget.uuid}) is not managed; created by {creator}'
        )
    lines.extend(f"! conflict: {conflict.describe()}" for conflict in report.conflicts)
    lines += [
        "",
        f"{len(report.edited)} edited outside git, {len(report.missing)} missing remotely,"
        f" {len(report.unmanaged)} unmanaged, {len(report.conflicts)} in conflict.",
    ]
    return "\n".join(printable(line) for line in lines)


def render_drift_markdown(report: DriftReport) -> str:
    body = render_drift_text(report)
    return f"{MARKER}\n### widgets-as-code drift report\n\n```\n{body.replace('```', '`​``')}\n```\n"


def drift_to_dict(report: DriftReport) -> dict[str, Any]:
    def edited(change: Change) -> dict[str, Any]:
        editor = change.editor
        return {
            "experience_type": change.experience_type,
            "id": change.manifest_id,
            "uuid": change.uuid,
            "title": change.title,
            "reason": change.reason.value,
            "changed_by": None if editor is None else {"handle": editor.handle, "name": editor.name},
            "changed_at": None if editor is None else editor.at,
            "fields": [
                {"path": f.path, "kind": f.kind.value, "remote": f.before, "manifest": f.after} for f in change.fields
            ],
        }

    return {
        "format_version": 1,
        "owner": report.owner,
        "drifted": report.drifted,
        "edited": [edited(c) for c in report.edited],
        "missing": [
            {"experience_type": c.experience_type, "id": c.manifest_id, "title": c.title, "source": c.source}
            for c in report.missing
        ],
        "unmanaged": [
            {
                "experience_type": w.experience_type,
                "uuid": w.uuid,
                "title": w.title,
                "created_by": w.created_by.handle if w.created_by else None,
            }
            for w in report.unmanaged
        ],
        "conflicts": [conflict_to_dict(c) for c in report.conflicts],
    }


def render_drift_json(report: DriftReport) -> str:
    return json.dumps(drift_to_dict(report), indent=2, ensure_ascii=False)
