"""The plan in a terminal, Terraform-style: + create, ~ update, -/+ replace, - delete, coloured when it helps."""

from __future__ import annotations

from reconciler.core.planning import Action, Plan
from reconciler.render.common import ansi, field_line, headline, kind_note, printable, remote_label, summary_line, why

COLOURS = {Action.CREATE: "green", Action.UPDATE: "yellow", Action.REPLACE: "magenta", Action.DELETE: "red"}


def render_text(plan: Plan, colour: bool) -> str:
    def paint(text: str, fg: str, bold: bool = False) -> str:
        return ansi(text, fg, bold) if colour else text

    lines: list[str] = []
    for change in plan.changes:
        lines.append(paint(printable(headline(change)), COLOURS[change.action], bold=True))
        details = [why(change)]
        if change.remote_id:
            details.append(remote_label(change))
        details.append(kind_note(change))
        if change.source:
            details.append(change.source)
        lines.append("    " + printable(" · ".join(details)))
        if change.action in (Action.UPDATE, Action.REPLACE):
            lines.extend("      " + paint(printable(field_line(f)), COLOURS[Action.UPDATE]) for f in change.fields)
        lines.append("")
    for note in (*plan.withheld_deletes, *plan.warnings):
        lines.append(paint(printable(f"! {note}"), "magenta"))
    for conflict in plan.conflicts:
        lines.append(paint(printable(f"! conflict: {conflict.describe()}"), "red"))
    lines.append(paint(summary_line(plan), "cyan", bold=True))
    return "\n".join(lines)
