"""The plan in a terminal, Terraform-style: + create, ~ update, -/+ replace, - delete, coloured when it helps."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from reconciler.core.planning import Action, Change, Plan
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

COLOURS = {
    Action.CREATE: "green",
    Action.UPDATE: "yellow",
    Action.REPLACE: "magenta",
    Action.DELETE: "red",
    Action.FORGET: "cyan",
}
# A create with more fields than this is summed up in one line: a terminal review of many creates stays short.
CREATE_FIELDS_SHOWN: Final = 20


def render_text(plan: Plan, colour: bool) -> str:
    return "\n".join(text_lines(plan, colour))


def text_lines(plan: Plan, colour: bool) -> Iterator[str]:
    """The plan's lines one by one: a plan of many thousand creates is printed without being held whole."""

    def paint(text: str, fg: str, bold: bool = False) -> str:
        return ansi(text, fg, bold) if colour else text

    access = access_changes(plan)
    if access:
        yield paint("Access changes (review these first):", "red", bold=True)
        for change, caution in access:
            mark, tone = ("!", "red") if caution.widens else ("·", "cyan")
            yield paint(printable(f"  {mark} {where(change)}: {caution.text}"), tone)
        yield ""
    for change in plan.changes:
        yield paint(printable(headline(change)), COLOURS[change.action], bold=True)
        for caution in change.cautions:
            yield "    " + paint(printable(f"! {caution.text}"), "red" if caution.widens else "cyan")
        details = [why(change)]
        if change.remote_id:
            details.append(remote_label(change))
        details.append(kind_note(change))
        if change.source:
            details.append(change.source)
        yield "    " + printable(" · ".join(details))
        tone = COLOURS[Action.CREATE if change.action == Action.CREATE else Action.UPDATE]
        yield from ("      " + paint(printable(line), tone) for line in _field_lines(change))
        yield ""
    for note in (*plan.withheld_deletes, *plan.warnings):
        yield paint(printable(f"! {note}"), "magenta")
    for conflict in plan.conflicts:
        yield paint(printable(f"! conflict: {conflict.describe()}"), "red")
    yield from (paint(printable(f"! {line}"), "red") for line in held_back_lines(plan))
    yield paint(summary_line(plan), "cyan", bold=True)


def _field_lines(change: Change) -> list[str]:
    """The fields a change writes, as a review reads them; a large create as one line saying where to see it."""
    if change.action == Action.DELETE and not change.cautions:
        return []
    # A change of access is always shown whole, so the review sees how access changes.
    if change.action == Action.CREATE and not change.cautions and len(change.fields) > CREATE_FIELDS_SHOWN:
        return [f"{len(change.fields)} fields; `wac plan --format markdown` or `--out` shows them all"]
    return [field_line(f) for f in change.fields]
