"""The drift report as a person reads it: in a terminal, and as the scheduled issue's markdown (JSON: `drift_json`)."""

from __future__ import annotations

from reconciler.core.drift import DriftReport, Edit
from reconciler.core.planning import Change
from reconciler.render.common import field_line, inline, person, printable, where

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
    return [f"Drift for owner '{report.owner}' (each field: value last applied from git → value now):", ""]


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
    at = change.editor.at if change.editor and change.editor.at else "an unknown time"
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
    """The scheduled issue's body: access widened first, then a section per class, every remote text inert."""
    lines = [MARKER, "### widgets-as-code drift report", "", f"**{inline(_headline(report)[0])}**", ""]
    lines += _widened_markdown(report)
    lines += _section("Changed outside git", [_edited_markdown(edit) for edit in report.edits])
    lines += _section(
        "Missing remotely (never applied, or deleted outside git)",
        [_missing_markdown(c) for c in report.missing],
    )
    lines += _section(
        "Not managed by any owner",
        [f"- {inline(r.scope)} {inline(repr(r.title))} (<code>{inline(r.remote_id)}</code>)" for r in report.unmanaged],
    )
    lines += [f"> [!CAUTION]\n> Conflict: {inline(c.describe())}\n" for c in report.conflicts]
    lines += _section("Pending in git (not applied yet; not drift)", [_pending_markdown(e) for e in report.pending])
    lines += [f"> [!NOTE]\n> {inline(note)}\n" for note in report.notes]
    lines += [inline(line) for line in _counts(report)]
    return "\n".join(lines) + "\n"


def _widened_markdown(report: DriftReport) -> list[str]:
    widened = [(e.change, c) for e in report.edits for c in e.change.outside_cautions if c.widens]
    if not widened:
        return []
    lines = [f"> [!CAUTION]\n> **Access widened outside git** ({len(widened)}); the next apply narrows it again:"]
    lines += [f"> - <code>{inline(where(change))}</code>: {inline(caution.text)}" for change, caution in widened]
    return [*lines, ""]


def _missing_markdown(change: Change) -> str:
    return f"- <code>{inline(where(change))}</code> {inline(repr(change.title))} ({inline(change.source or '')})"


def _section(title: str, items: list[str]) -> list[str]:
    return [f"#### {title}", "", *items, ""] if items else []


def _edited_markdown(edit: Edit) -> str:
    change = edit.change
    who = person(change) if change.editor else "an unknown user"
    at = change.editor.at if change.editor and change.editor.at else "an unknown time"
    fields = "\n".join(f"  - <code>{inline(field_line(f))}</code>" for f in edit.fields)
    head = f"- <code>{inline(where(change))}</code> {inline(repr(change.title))}, by {inline(who)} at {inline(at)}"
    return f"{head}\n{fields}" if fields else head


def _pending_markdown(edit: Edit) -> str:
    fields = "\n".join(f"  - <code>{inline(field_line(f))}</code>" for f in edit.pending)
    return f"- <code>{inline(where(edit.change))}</code>\n{fields}"
