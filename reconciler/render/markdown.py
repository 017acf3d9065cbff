"""The plan as a pull-request comment: summary first, a collapsible diff per widget, always under GitHub's limit."""

from __future__ import annotations

from typing import Final

from reconciler.core.diffing import FieldChange, FieldKind
from reconciler.core.planning import Action, Change, Plan
from reconciler.render.common import (
    access_changes,
    field_line,
    headline,
    held_back_lines,
    inline,
    printable,
    refusal_lines,
    remote_label,
    summary_line,
    value,
    where,
    why,
)

# GitHub refuses comments over 65,536 characters; the rest is head room for the footer.
COMMENT_LIMIT: Final = 65_536
BODY_BUDGET: Final = 60_000
MARKER: Final = "<!-- widgets-as-code plan -->"


def render_markdown(plan: Plan, site: str, limit: int = BODY_BUDGET) -> str:
    head = [
        MARKER.replace("plan -->", f"plan owner={plan.owner} -->"),  # owners are tag-safe: no "-->" possible
        "### widgets-as-code plan",
        "",
        *(f"> [!CAUTION]\n> **{inline(line[0].upper() + line[1:])}**\n" for line in refusal_lines(plan)),
        f"**{inline(summary_line(plan))}** Site: <code>{inline(site)}</code>.",
        "",
        *_access(plan),
        *_counts(plan),
        "",
    ]
    deletes = plan.count(Action.DELETE)
    if deletes:
        head += [f"> [!WARNING]\n> This plan **deletes {deletes} resource(s)**. Check each one below.", ""]
    replaces = plan.count(Action.REPLACE)
    if replaces:
        head += [
            f"> [!WARNING]\n> This plan **replaces {replaces} resource(s)**: each is created anew and the old one"
            " deleted, so its remote id changes.",
            "",
        ]
    head += [f"> [!NOTE]\n> {inline(note)}\n" for note in (*plan.withheld_deletes, *plan.warnings)]
    head += [f"> [!CAUTION]\n> Conflict: {inline(c.describe())}\n" for c in plan.conflicts]
    head += [f"> [!CAUTION]\n> {inline(line[0].upper() + line[1:])}\n" for line in held_back_lines(plan)]
    head += [f"> [!CAUTION]\n> Not applicable: {inline(error)}\n" for error in plan.errors]
    text = "\n".join(head) + "\n"
    shown = 0
    # Access changes first: the ones a reviewer must not miss are never cut off by the size limit.
    for change in sorted(plan.changes, key=lambda c: (not c.widens_access, not c.cautions)):
        block = _details(change)
        if len(text) + len(block) > limit:
            break
        text += block
        shown += 1
    hidden = len(plan.changes) - shown
    if hidden:
        text += (
            f"\n_…and {hidden} more change(s) not shown to stay under GitHub's comment size limit; the full"
            " plan is in the JSON plan artifact._\n"
        )
    return text


def _access(plan: Plan) -> list[str]:
    """Who can see what from outside the organisation, before anything else."""
    access = access_changes(plan)
    widening = [(c, caution) for c, caution in access if caution.widens]
    other = [(c, caution) for c, caution in access if not caution.widens]
    lines: list[str] = []
    if widening:
        lines.append(f"> [!CAUTION]\n> **This plan widens access** ({len(widening)}): review who can see what.")
        lines += [f"> - <code>{inline(where(c))}</code>: {inline(caution.text)}" for c, caution in widening]
        lines.append("")
    if other:
        lines.append("> [!NOTE]\n> Access changes:")
        lines += [f"> - <code>{inline(where(c))}</code>: {inline(caution.text)}" for c, caution in other]
        lines.append("")
    return lines


def _counts(plan: Plan) -> list[str]:
    """The summary table; a replace column only when the plan has replaces."""
    columns = [Action.CREATE, Action.UPDATE, *([Action.REPLACE] if plan.count(Action.REPLACE) else []), Action.DELETE]
    columns += [Action.FORGET] if plan.count(Action.FORGET) else []
    return [
        "| " + " | ".join(a.value for a in columns) + " | unchanged |",
        "|" + "---:|" * (len(columns) + 1),
        "| " + " | ".join(str(plan.count(a)) for a in columns) + f" | {plan.unchanged} |",
    ]


def _details(change: Change) -> str:
    lines = [f"<details><summary><code>{inline(headline(change))}</code> — {inline(why(change))}</summary>", ""]
    lines += [f"{'⚠️ ' if caution.widens else ''}**{inline(caution.text)}**  " for caution in change.cautions]
    if change.remote_id:
        label, _, remote_id = remote_label(change).rpartition(" ")
        lines.append(f"{label} <code>{inline(remote_id)}</code>")
    lines.append(f"kind <code>{inline(change.kind)}</code>")
    if change.source:
        lines.append(f"<code>{inline(change.source)}</code>")
    lines += ["", "```diff"]
    for field in change.fields:
        lines += [_fence_safe(printable(line)) for line in _diff_lines(field)]
    lines += ["```", "", "</details>", ""]
    return "\n".join(lines) + "\n"


def _diff_lines(field: FieldChange) -> list[str]:
    # GitHub colours `diff` blocks by the first character: - red, + green.
    if field.kind == FieldKind.CHANGED:
        return [f"- {field.path}: {value(field.before)}", f"+ {field.path}: {value(field.after)}"]
    return [field_line(field)]


def _fence_safe(line: str) -> str:
    return line.replace("```", "`\u200b``")
