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
    printable,
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
        f"**{_inline(summary_line(plan))}** Site: <code>{_inline(site)}</code>.",
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
    head += [f"> [!NOTE]\n> {_inline(note)}\n" for note in (*plan.withheld_deletes, *plan.warnings)]
    head += [f"> [!CAUTION]\n> Conflict: {_inline(c.describe())}\n" for c in plan.conflicts]
    head += [f"> [!CAUTION]\n> {_inline(line[0].upper() + line[1:])}\n" for line in held_back_lines(plan)]
    head += [f"> [!CAUTION]\n> Not applicable: {_inline(error)}\n" for error in plan.errors]
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
        lines += [f"> - <code>{_inline(where(c))}</code>: {_inline(caution.text)}" for c, caution in widening]
        lines.append("")
    if other:
        lines.append("> [!NOTE]\n> Access changes:")
        lines += [f"> - <code>{_inline(where(c))}</code>: {_inline(caution.text)}" for c, caution in other]
        lines.append("")
    return lines


def _counts(plan: Plan) -> list[str]:
    """The summary table; a replace column only when the plan has replaces."""
    columns = [Action.CREATE, Action.UPDATE, *([Action.REPLACE] if plan.count(Action.REPLACE) else []), Action.DELETE]
    return [
        "| " + " | ".join(a.value for a in columns) + " | unchanged |",
        "|" + "---:|" * (len(columns) + 1),
        "| " + " | ".join(str(plan.count(a)) for a in columns) + f" | {plan.unchanged} |",
    ]


def _details(change: Change) -> str:
    lines = [f"<details><summary><code>{_inline(headline(change))}</code> — {_inline(why(change))}</summary>", ""]
    lines += [f"{'⚠️ ' if caution.widens else ''}**{_inline(caution.text)}**  " for caution in change.cautions]
    if change.remote_id:
        label, _, remote_id = remote_label(change).rpartition(" ")
        lines.append(f"{label} <code>{_inline(remote_id)}</code>")
    lines.append(f"kind <code>{_inline(change.kind)}</code>")
    if change.source:
        lines.append(f"<code>{_inline(change.source)}</code>")
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


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _inline(text: str) -> str:
    """Remote text as inert markdown on one line: HTML escaped, control characters shown as escapes, and
    every character markdown gives a meaning to written as an entity."""
    return "".join(_MARKDOWN_ENTITIES.get(ch, ch) for ch in printable(_escape(text)))


_MARKDOWN_ENTITIES = {ch: f"&#{ord(ch)};" for ch in "`*_[]()#!|~\\"}


def _fence_safe(line: str) -> str:
    return line.replace("```", "`\u200b``")
