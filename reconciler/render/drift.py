"""The drift report as a person reads it (terminal, the scheduled issue's markdown) and as JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from reconciler.core.diffing import FieldChange
from reconciler.core.drift import DRIFT_FORMAT_VERSION, DriftReport, Edit
from reconciler.core.plan_file import conflict_to_dict
from reconciler.render.common import field_line, person, printable

MARKER = "<!-- widgets-as-code drift -->"


def render_drift_text(report: DriftReport) -> str:
    lines: list[str] = []
    if not report.drifted:
        lines.append(f"No drift: the widgets of owner '{report.owner}' match the manifests.")
    else:
        lines += [f"Drift for owner '{report.owner}' (each field: value from git → value now):", ""]
    widened = [(e.change, c) for e in report.edits for c in e.change.outside_cautions if c.widens]
    if widened:
        lines.append("Access widened outside git (the next apply narrows it again):")
        lines += [f"  ! {c.scope}/{c.manifest_id}: {caution.text}" for c, caution in widened]
        lines.append("")
    for edit in report.edits:
        change = edit.change
        who = person(change) if change.editor else "an unknown user"
        at = change.editor.at if change.editor else "an unknown time"
        lines.append(f'~ {change.scope}/{change.manifest_id} "{change.title}" ({change.remote_id})')
        lines.append(f"    changed outside git by {who} at {at}")
        lines.extend(f"    ! done outside git: {caution.text}" for caution in change.outside_cautions)
        lines.extend(f"      {field_line(f)}" for f in edit.fields)
        if not edit.told_apart:
            lines.append(
                "    the manifest also changed since the last apply and the applied version is not in this"
                " repository's history, so these fields mix the edit outside git with the change in git"
            )
        if edit.pending:
            lines.append("    also changed in git since the last apply (not applied yet):")
            lines.extend(f"      {field_line(f)}" for f in edit.pending)
    for change in report.missing:
        lines.append(
            f'! {change.scope}/{change.manifest_id} "{change.title}" is missing remotely (never applied,'
            f" or deleted outside git; {change.source})"
        )
    for widget in report.unmanaged:
        creator = widget.created_by.handle if widget.created_by else "unknown"
        lines.append(f'? {widget.scope} "{widget.title}" ({widget.remote_id}) is not managed; created by {creator}')
    lines.extend(f"! conflict: {conflict.describe()}" for conflict in report.conflicts)
    if report.pending:
        lines += ["", "Pending in git (changed since the last apply, not applied yet; not drift):"]
        for edit in report.pending:
            lines.append(f'  {edit.change.scope}/{edit.change.manifest_id} "{edit.change.title}"')
            lines.extend(f"      {field_line(f)}" for f in edit.pending)
    if report.drifted:
        lines += [
            "",
            f"{len(report.edits)} edited outside git, {len(report.missing)} missing remotely,"
            f" {len(report.unmanaged)} unmanaged, {len(report.conflicts)} in conflict,"
            f" {len(report.pending)} pending in git.",
        ]
    return "\n".join(printable(line) for line in lines)


def render_drift_markdown(report: DriftReport) -> str:
    body = render_drift_text(report)
    return f"{MARKER}\n### widgets-as-code drift report\n\n```\n{body.replace('```', '`​``')}\n```\n"


def _fields(fields: Iterable[FieldChange]) -> list[dict[str, Any]]:
    return [{"path": f.path, "kind": f.kind.value, "before": f.before, "after": f.after} for f in fields]


def drift_to_dict(report: DriftReport) -> dict[str, Any]:
    def edited(edit: Edit) -> dict[str, Any]:
        change, editor = edit.change, edit.change.editor
        return {
            "kind": change.kind,
            "scope": change.scope,
            "id": change.manifest_id,
            "remote_id": change.remote_id,
            "title": change.title,
            "reason": change.reason.value,
            "changed_by": None if editor is None else {"handle": editor.handle, "name": editor.name},
            "changed_at": None if editor is None else editor.at,
            "fields": _fields(edit.fields),
            "pending_in_git": _fields(edit.pending),
            "told_apart": edit.told_apart,
            "cautions": [{"text": c.text, "widens_access": c.widens} for c in change.outside_cautions],
        }

    return {
        "format_version": DRIFT_FORMAT_VERSION,
        "owner": report.owner,
        "drifted": report.drifted,
        "edited": [edited(e) for e in report.edits],
        "pending_in_git": [
            {"kind": e.change.kind, "scope": e.change.scope, "id": e.change.manifest_id, "fields": _fields(e.pending)}
            for e in report.pending
        ],
        "missing": [
            {"kind": c.kind, "scope": c.scope, "id": c.manifest_id, "title": c.title, "source": c.source}
            for c in report.missing
        ],
        "unmanaged": [
            {
                "kind": w.kind,
                "scope": w.scope,
                "remote_id": w.remote_id,
                "title": w.title,
                "created_by": w.created_by.handle if w.created_by else None,
            }
            for w in report.unmanaged
        ],
        "conflicts": [conflict_to_dict(c) for c in report.conflicts],
    }


def render_drift_json(report: DriftReport) -> str:
    return json.dumps(drift_to_dict(report), indent=2, ensure_ascii=False)
