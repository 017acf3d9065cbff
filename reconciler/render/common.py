"""Wording shared by the renderers."""

from __future__ import annotations

import json
import re
from typing import Any

from reconciler.core.diffing import FieldChange, FieldKind
from reconciler.core.guards import apply_refusals
from reconciler.core.planning import Action, Change, Plan, Reason
from reconciler.core.resources import Caution

# Characters that can move the cursor, recolour a terminal, reorder text (bidi overrides) or end a line
# (the Unicode line and paragraph separators), so remote text never starts a line of its own.
_HIDDEN = {*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), *range(0x2028, 0x202F), *range(0x2066, 0x206A)}


def printable(text: str) -> str:
    """Remote or file text made safe for one terminal line: control characters shown as escapes."""
    return "".join(ch.encode("unicode_escape").decode("ascii") if ord(ch) in _HIDDEN else ch for ch in text)


_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_ANSI_COLOURS = {"red": 31, "green": 32, "yellow": 33, "magenta": 35, "cyan": 36}


def ansi(text: str, colour: str, bold: bool = False) -> str:
    """Text in a terminal colour (the codes click and most tools use), reset after."""
    return f"\x1b[{_ANSI_COLOURS[colour]}m" + ("\x1b[1m" if bold else "") + text + "\x1b[0m"


SYMBOLS = {Action.CREATE: "+", Action.UPDATE: "~", Action.REPLACE: "-/+", Action.DELETE: "-", Action.FORGET: "."}
FIELD_SYMBOLS = {FieldKind.ADDED: "+", FieldKind.REMOVED: "-", FieldKind.CHANGED: "~"}


def summary_line(plan: Plan) -> str:
    held = len(plan.held_back)
    if plan.errors:
        return f"This plan for owner '{plan.owner}' cannot be applied: {len(plan.errors)} problem(s), named below."
    if plan.settled:
        return f"No changes. {plan.unchanged} resource(s) of owner '{plan.owner}' match the manifests."
    if not plan.has_changes:
        waiting = f"{held} change(s) are held back by conflicts" if held else "conflicts wait"
        return (
            f"Nothing to apply for owner '{plan.owner}', but {waiting} (named above) until a person resolves"
            f" them; {plan.unchanged} unchanged."
        )
    replaces = plan.count(Action.REPLACE)
    renames = sum(1 for c in plan.changes if c.renamed_from)
    return (
        f"Plan for owner '{plan.owner}': {plan.count(Action.CREATE)} to create, {plan.count(Action.UPDATE)} to update,"
        + (f" {renames} of them to rename," if renames else "")
        + (f" {replaces} to replace," if replaces else "")
        + f" {plan.count(Action.DELETE)} to delete,"
        + (f" {plan.count(Action.FORGET)} to forget," if plan.count(Action.FORGET) else "")
        + f" {plan.unchanged} unchanged"
        + (f", {held} held back by conflicts." if held else ".")
    )


def held_back_lines(plan: Plan) -> list[str]:
    """One sentence per manifest the plan could not plan, because its resource waits on a person."""
    return [
        f"held back: {scope}/{manifest_id} ({kind}) is not planned while its remote resource, or the one it"
        " belongs to, is in conflict"
        for kind, scope, manifest_id in plan.held_back
    ]


def access_changes(plan: Plan) -> list[tuple[Change, Caution]]:
    """Every caution of the plan with its change, those that widen access first: what a reviewer reads first."""
    found = [(change, caution) for change in plan.changes for caution in change.cautions]
    return sorted(found, key=lambda pair: not pair[1].widens)


def where(change: Change) -> str:
    return f"{change.scope}/{change.manifest_id or '(no id)'}"


def headline(change: Change) -> str:
    if change.renamed_from:
        # The resource stays (remote id, URL, shares); only its marker's id changes.
        renamed = f"{change.scope}/{change.renamed_from} → {change.manifest_id}"
        return f'{SYMBOLS[change.action]} rename {renamed} "{change.title}"'
    return f'{SYMBOLS[change.action]} {change.action.value} {where(change)} "{change.title}"'


def why(change: Change) -> str:
    text = change.reason.value
    if change.reason in (Reason.DRIFT, Reason.BOTH_CHANGED, Reason.UNRECORDED) and change.editor:
        text += f": last changed by {person(change)}" + (f" at {change.editor.at}" if change.editor.at else "")
    if change.replace_reason:
        text += f"; replaced because {change.replace_reason}"
    return text


def remote_label(change: Change) -> str:
    """How the remote id is named: Datadog widgets have UUIDs, other APIs ids of their own form."""
    assert change.remote_id is not None
    return ("uuid " if _UUID.fullmatch(change.remote_id) else "remote id ") + change.remote_id


def kind_note(change: Change) -> str:
    return f"kind {change.kind}"


def person(change: Change) -> str:
    assert change.editor is not None
    editor = change.editor
    if not editor.known:
        return f"someone ({editor.note})" if editor.note else "an unknown user"
    if editor.name and editor.name != editor.handle:
        return f"{editor.name} <{editor.handle}>"
    return editor.handle


def value(raw: Any, limit: int = 200) -> str:
    text = json.dumps(raw, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def field_line(field: FieldChange) -> str:
    symbol = FIELD_SYMBOLS[field.kind]
    if field.kind == FieldKind.CHANGED:
        return f"{symbol} {field.path}: {value(field.before)} → {value(field.after)}"
    shown = field.after if field.kind == FieldKind.ADDED else field.before
    return f"{symbol} {field.path}: {value(shown)}"


def refusal_lines(plan: Plan) -> list[str]:
    """What `wac apply` would refuse, first thing a reviewer reads, with how to allow it."""
    # Said under a plan, the refusal's own advice (review with `wac plan`, run again with the flag) is the line's end.
    return [
        f"apply will refuse this plan: {r.text.removeprefix('Refusing to apply: ').split(' Run `wac plan`')[0]}"
        f" To apply it anyway: {r.allow_with}."
        for r in apply_refusals(plan)
    ]


_MARKDOWN_ENTITIES = {ch: f"&#{ord(ch)};" for ch in "`*_[]()#!|~\\"}


def html_escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def inline(text: str) -> str:
    """Remote text as inert markdown on one line: HTML escaped, control characters shown as escapes, and
    every character markdown gives a meaning to written as an entity."""
    return "".join(_MARKDOWN_ENTITIES.get(ch, ch) for ch in printable(html_escaped(text)))
