"""The drift report as a person reads it: in a terminal, and as the scheduled issue's markdown (JSON: `drift_json`)."""

from __future__ import annotations

from reconciler.core.drift import DriftReport, Edit
from reconciler.render.common import field_line, person, printable

MARKER = "<!-- widgets-as-code drift -->"


def render_drift_text(report: DriftReport) -> str:
    lines = _headline(report) + _widened(report)
    for edit in report.edits:
        lines += _edited(edit)
    lines += [
        f'! {c.scope}/{c.manifest_id} "{c.title}" is missing remotely (never applied, or deleted outside git;'
        f" {c.source})"
        for c in report.missing
    ]
    for found in report.unmanaged:
        creator = found.created_by.handle if found.created_by else "unknown"
        lines.append(f'? {found.scope} "{found.title}" ({found.remote_id}) is not managed; created by {creator}')
    lines.extend(f"! conflict: {conflict.describe()}" for conflict in report.conflicts)
    lines += _pending(report) + _counts(report)
    lines += [f"! {note}" for note in report.notes]
    return "\n".join(printable(line) for line in lines)


def _headline(report: DriftReport) -> list[str]:
    if not report.drifted:
        return [f"No drift: the resources of owner '{report.owner}' match the manifests."]
    return [f"Drift for owner '{report.owner}' (each field: value from git → value now):", ""]


def _widened(report: DriftReport) -> list[str]:
    widened = [(e.change, c) for e in report.edits for c in e.change.outside_cautions if c.widens]
    if not widened:
        return []
    lines = ["Access widened outside git (the next apply narrows it again):"]
    lines += [f"  ! {c.scope}/{c.manifest_id}: {caution.text}" for c, caution in widened]
    return [*lines, ""]


def _edited(edit: Edit) -> list[str]:
    change = edit.change
    who = person(change) if change.editor else "an unknown user"
    at = change.editor.at if change.editor else "an unknown time"
    lines = [
        f'~ {change.scope}/{change.manifest_id} "{change.title}" ({change.remote_id})',
        f"    changed outside git by {who} at {at}",
        *(f"    ! done outside git: {caution.text}" for caution in change.outside_cautions),
        *(f"      {field_line(f)}" for f in edit.fields),
    ]
    if not edit.told_apart:
        lines.append(
            "    the manifest also changed since the last apply and the applied version is not in this"
            " repository's history, so these fields mix the edit outside git with the change in git"
        )
    if edit.pending:
        lines.append("    also changed in git since the last apply (not applied yet):")
        lines.extend(f"      {field_line(f)}" for f in edit.pending)
    return lines


def _pending(report: DriftReport) -> list[str]:
    if not report.pending:
        return []
    lines = ["", "Pending in git (changed since the last apply, not applied yet; not drift):"]
    for edit in report.pending:
        lines.append(f'  {edit.change.scope}/{edit.change.manifest_id} "{edit.change.title}"')
        lines.extend(f"      {field_line(f)}" for f in edit.pending)
    return lines


def _counts(report: DriftReport) -> list[str]:
    if not report.drifted:
        return []
    return [
        "",
        f"{len(report.edits)} edited outside git, {len(report.missing)} missing remotely,"
        f" {len(report.unmanaged)} unmanaged, {len(report.conflicts)} in conflict,"
        f" {len(report.pending)} pending in git.",
    ]


def render_drift_markdown(report: DriftReport) -> str:
    body = render_drift_text(report)
    return f"{MARKER}\n### widgets-as-code drift report\n\n```\n{body.replace('```', '`​``')}\n```\n"
