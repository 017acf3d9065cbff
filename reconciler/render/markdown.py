"""The plan as a pull-request comment: summary first, a collapsible diff per widget, always under GitHub's limit."""

from __future__ import annotations

from typing import Final

from reconciler.diffing import FieldChange, FieldKind
from reconciler.planning import Action, Change, Plan
from reconciler.render.common import field_line, headline, summary_line, value, why

# GitHub refuses comments over 65,536 characters; the rest is head room for the footer.
COMMENT_LIMIT: Final = 65_536
BODY_BUDGET: Final = 60_000
MARKER: Final = "<!-- widgets-as-code plan -->"


def render_markdown(plan: Plan, site: str, limit: int = BODY_BUDGET) -> str:
    head = [
        MARKER.replace("plan -->", f"plan owner={plan.owner} -->"),
        "### widgets-as-code plan",
        "",
        f"**{summary_line(plan)}** Site: `{site}`.",
        "",
        "| create | update | delete | unchanged |",
        "|---:|---:|---:|---:|",
        f"| {plan.count(Action.CREATE)} | {plan.count(Action.UPDATE)} | {plan.count(Action.DELETE)} |"
        f" {plan.unchanged} |",
        "",
    ]
    deletes = plan.count(Action.DELETE)
    if deletes:
        head += [f"> [!WARNING]\n> This plan **deletes {deletes} widget(s)**. Check each one below.", ""]
    head += [f"> [!NOTE]\n> {_inline(note)}\n" for note in (*plan.withheld_deletes, *plan.warnings)]
    head += [f"> [!CAUTION]\n> Conflict: {_inline(c.describe())}\n" for c in plan.conflicts]
    head += [f"> [!CAUTION]\n> Not applicable: {_inline(error)}\n" for error in plan.errors]
    text = "\n".join(head) + "\n"
    shown = 0
    for change in plan.changes:
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


def _details(change: Change) -> str:
    lines = [f"<details><summary><code>{_escape(headline(change))}</code> — {_escape(why(change))}</summary>", ""]
    if change.uuid:
        lines.append(f"uuid `{change.uuid}`" + (f" · `{change.source}`" if change.source else ""))
    elif change.source:
        lines.append(f"`{change.source}`")
    lines += ["", "```diff"]
    for field in change.fields:
        lines += [_fence_safe(line) for line in _diff_lines(field)]
    lines += ["```", "", "</details>", ""]
    return "\n".join(lines) + "\n"


def _diff_lines(field: FieldChange) -> list[str]:
    # GitHub colours `diff` blocks by the first character: - red, + green.
    if field.kind == FieldKind.CHANGED:
        return [f"- {field.path}: {value(field.before)}", f"+ {field.path}: {value(field.after)}"]
    return [field_line(field)]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inline(text: str) -> str:
    """Remote text on one quoted line: HTML escaped, line breaks and control characters made spaces."""
    return "".join(" " if ch < " " or ch == "\x7f" else ch for ch in _escape(text))


def _fence_safe(line: str) -> str:
    return line.replace("```", "`\u200b``")
