"""Field-level differences between two resource contents, by deepdiff, as readable paths."""

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
    """Differences of two contents as dotted paths; a top-level list (tags, labels) is one field."""
    if not before or not after:
        side, kind = (after, FieldKind.ADDED) if not before else (before, FieldKind.REMOVED)
        return tuple(
            FieldChange(
                path, kind, None if kind == FieldKind.ADDED else value, value if kind == FieldKind.ADDED else None
            )
            for path, value in _top_level(side)
        )
    changes: list[FieldChange] = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if isinstance(old, dict) and isinstance(new, dict):
            changes += _nested(key, old, new)
        elif old != new or type(old) is not type(new):
            changes.append(_whole(key, old, new, key in before, key in after))
    return tuple(sorted(changes, key=lambda c: c.path))


def _nested(key: str, before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    changes = []
    diff = DeepDiff(before, after, view="tree", ignore_order=False)
    for report, kind in _KINDS.items():
        for level in diff.get(report, []):
            path = _dotted([key, *level.path(output_format="list")])
            old = None if kind == FieldKind.ADDED else level.t1
            new = None if kind == FieldKind.REMOVED else level.t2
            changes.append(FieldChange(path, kind, old, new))
    return changes


def _whole(key: str, old: Any, new: Any, had: bool, has: bool) -> FieldChange:
    if not had:
        return FieldChange(key, FieldKind.ADDED, None, new)
    if not has:
        return FieldChange(key, FieldKind.REMOVED, old, None)
    return FieldChange(key, FieldKind.CHANGED, old, new)


def _top_level(content: dict[str, Any]) -> list[tuple[str, Any]]:
    """A created or deleted resource field by field: each key of a mapping, other values whole, empties left out."""
    items: list[tuple[str, Any]] = []
    for key, value in content.items():
        if isinstance(value, dict):
            items += [(f"{key}.{inner}", inner_value) for inner, inner_value in value.items()]
        elif value not in ([], "", None):
            items.append((key, value))
    return items


def _dotted(path: list[Any]) -> str:
    text = ""
    for segment in path:
        text += f"[{segment}]" if isinstance(segment, int) else (f".{segment}" if text else str(segment))
    return text
