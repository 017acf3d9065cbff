"""Field-level differences between two widget contents, by deepdiff, as readable paths."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from deepdiff import DeepDiff


class FieldKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class FieldChange:
    path: str
    kind: FieldKind
    before: Any = None
    after: Any = None


_KINDS = {
    "dictionary_item_added": FieldKind.ADDED,
    "iterable_item_added": FieldKind.ADDED,
    "dictionary_item_removed": FieldKind.REMOVED,
    "iterable_item_removed": FieldKind.REMOVED,
    "values_changed": FieldKind.CHANGED,
    "type_changes": FieldKind.CHANGED,
}


def field_changes(before: dict[str, Any], after: dict[str, Any]) -> tuple[FieldChange, ...]:
    """Differences of {"definition": ..., "tags": [...]} contents, tags reported as one field."""
    if not before or not after:
        side, kind = (after, FieldKind.ADDED) if not before else (before, FieldKind.REMOVED)
        return tuple(
            FieldChange(
                path, kind, None if kind == FieldKind.ADDED else value, value if kind == FieldKind.ADDED else None
            )
            for path, value in _top_level(side)
        )
    changes: list[FieldChange] = []
    diff = DeepDiff(before.get("definition", {}), after.get("definition", {}), view="tree", ignore_order=False)
    for report, kind in _KINDS.items():
        for level in diff.get(report, []):
            path = _dotted(["definition", *level.path(output_format="list")])
            old = None if kind == FieldKind.ADDED else level.t1
            new = None if kind == FieldKind.REMOVED else level.t2
            changes.append(FieldChange(path, kind, old, new))
    if before.get("tags", []) != after.get("tags", []):
        changes.append(FieldChange("tags", FieldKind.CHANGED, before.get("tags", []), after.get("tags", [])))
    return tuple(sorted(changes, key=lambda c: c.path))


def _top_level(content: dict[str, Any]) -> list[tuple[str, Any]]:
    items = [(f"definition.{key}", value) for key, value in content.get("definition", {}).items()]
    if content.get("tags"):
        items.append(("tags", content["tags"]))
    return items


def _dotted(path: list[Any]) -> str:
    text = ""
    for segment in path:
        text += f"[{segment}]" if isinstance(segment, int) else (f".{segment}" if text else str(segment))
    return text
