"""The plan in a terminal, Terraform-style: + create, ~ update, -/+ replace, - delete, coloured when it helps."""

from __future__ import annotations

from reconciler.core.planning import Action, Plan
from reconciler.render.common import (
    access_changes,
    ansi,
    field_line,
    headline,
    held_back_lines,
    kind_note,
    printable,
    remote_label,
    summary_line,
    where,
    why,
)

COLOURS = {Action.CREATE: "green", Action.UPDATE: "yellow", Action.REPLACE: "magenta", Action.DELETE: "red"}


def render_text(plan: Plan, colour: bool) -> str:
    def paint(text: str, fg: str, bold: bool = False) -> str:
        return ansi(text, fg, bold) if colour else text

    lines: list[str] = []
    access = access_changes(plan)
    if access:
        lines.append(paint("Access changes (review these first):", "red", bold=True))
        for change, caution in access:
            mark, tone = ("!", "red") if caution.widens else ("·", "cyan")
            lines.append(paint(printable(f"  {mark} {where(change)}: {caution.text}"), tone))
        lines.append("")
    for change in plan.changes:
        lines.append(paint(printable(headline(change)), COLOURS[change.action], bold=True))
        for caution in change.cautions:
            lines.append("    " + paint(printable(f"! {caution.text}"), "red" if caution.widens else "cyan"))
        details = [why(change)]
        if change.remote_id:
            details.append(remote_label(change))
        details.append(kind_note(change))
        if change.source:
            details.append(change.source)
        lines.append("    " + printable(" · ".join(details)))
        # A create's fields are its whole content: shown when it changes access, so the review sees how.
        if change.action in (Action.UPDATE, Action.REPLACE) or change.cautions:
            lines.extend("      " + paint(printable(field_line(f)), COLOURS[Action.UPDATE]) for f in change.fields)
        lines.append("")
    for note in (*plan.withheld_deletes, *plan.warnings):
        lines.append(paint(printable(f"! {note}"), "magenta"))
    for conflict in plan.conflicts:
        lines.append(paint(printable(f"! conflict: {conflict.describe()}"), "red"))
    lines.extend(paint(printable(f"! {line}"), "red") for line in held_back_lines(plan))
    lines.append(paint(summary_line(plan), "cyan", bold=True))
    return "\n".join(lines)
