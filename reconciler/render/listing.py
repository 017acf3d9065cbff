"""What an owner manages, as `wac list` prints it: one line per resource, conflicts apart (text or JSON)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from reconciler.core.plan_file import conflict_to_dict
from reconciler.core.planning import Conflict
from reconciler.core.resources import Remote
from reconciler.render.common import ansi, printable

LISTING_FORMAT_VERSION: Final = 1
# Text columns stay readable: longer titles are cut (the JSON has them whole).
_TITLE_WIDTH: Final = 40
_HEADINGS: Final = ("KIND", "ID", "REMOTE ID", "TITLE", "APPLIED", "MODIFIED")


@dataclass(frozen=True)
class Inventory:
    """An owner's resources on a site as the listings show them, the conflicts naming that owner, and notes
    on what the listings could not show (a kind not read, a listing not complete)."""

    owner: str
    site: str
    resources: tuple[Remote, ...]
    conflicts: tuple[Conflict, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ordered(self) -> list[Remote]:
        return sorted(self.resources, key=lambda r: (r.kind, r.scope, r.claims.manifest_id or "", r.remote_id))


def _manifest_id(remote: Remote) -> str:
    return f"{remote.scope}/{remote.claims.manifest_id or '(no id)'}"


def _row(remote: Remote) -> tuple[str, ...]:
    title = remote.title if len(remote.title) <= _TITLE_WIDTH else remote.title[: _TITLE_WIDTH - 1] + "…"
    applied = remote.claims.applied or "-"
    cells = (remote.kind, _manifest_id(remote), remote.remote_id, title, applied, remote.modified_at or "-")
    return tuple(printable(cell) for cell in cells)


def duplicate_notes(resources: Sequence[Remote]) -> list[str]:
    """One sentence per manifest id marked on several resources: what the next apply repairs."""
    counts = Counter((r.kind, _manifest_id(r)) for r in resources if r.claims.manifest_id)
    return [
        f"{where} ({kind}) is marked on {count} resources; the next apply keeps the oldest and deletes the others"
        for (kind, where), count in sorted(counts.items())
        if count > 1
    ]


def render_listing_text(inventory: Inventory, colour: bool) -> str:
    """Aligned columns, a header first; notes and conflicts after, then one summary line."""
    rows = [_HEADINGS, *(_row(r) for r in inventory.ordered)] if inventory.resources else []
    widths = [max(len(row[n]) for row in rows) for n in range(len(_HEADINGS) - 1)] if rows else []
    # The last column is not padded: a line ends where its text does.
    lines = [
        "  ".join([*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[-1]]) for row in rows
    ]
    lines += [_paint(printable(f"! {note}"), "magenta", colour) for note in inventory.notes]
    lines += [_paint(printable(f"! conflict: {c.describe()}"), "red", colour) for c in inventory.conflicts]
    lines.append(_paint(_summary(inventory), "cyan", colour))
    return "\n".join(lines)


def _summary(inventory: Inventory) -> str:
    count = len(inventory.resources)
    held = len(inventory.conflicts)
    text = (
        f"{count} resource(s) managed by owner '{inventory.owner}' on {inventory.site}"
        if count
        else f"Owner '{inventory.owner}' manages nothing on {inventory.site}"
    )
    conflicts = f"; {held} in conflict, listed above, wait for a person" if held else ""
    return printable(text + conflicts + ".")


def _paint(text: str, fg: str, colour: bool) -> str:
    return ansi(text, fg, bold=fg == "cyan") if colour else text


def render_listing_json(inventory: Inventory) -> str:
    """One versioned document: the resources, the conflicts apart (as plan files name them), the notes."""
    document: dict[str, Any] = {
        "format_version": LISTING_FORMAT_VERSION,
        "owner": inventory.owner,
        "site": inventory.site,
        "resources": [
            {
                "kind": r.kind,
                "scope": r.scope,
                "id": r.claims.manifest_id,
                "remote_id": r.remote_id,
                "title": r.title,
                "applied": r.claims.applied,
                "modified_at": r.modified_at or None,
            }
            for r in inventory.ordered
        ],
        "conflicts": [conflict_to_dict(c) for c in inventory.conflicts],
        "notes": list(inventory.notes),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
