"""Field-level differences between two resource contents as readable paths: mappings walked in plain Python,
lists that differ compared by deepdiff."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Final

from reconciler.core.normalise import NAME


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
    return _compared([key], before, after)


def _walk(path: list[Any], before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """Mappings compared key by key in plain Python (the common case: 8 µs where DeepDiff takes 377); two lists that
    differ go to DeepDiff, whose sequence matching names the items added or removed."""
    changes: list[FieldChange] = []
    for name in before.keys() | after.keys():
        if name not in after:
            changes.append(FieldChange(_dotted([*path, name]), FieldKind.REMOVED, before[name], None))
        elif name not in before:
            changes.append(FieldChange(_dotted([*path, name]), FieldKind.ADDED, None, after[name]))
        else:
            changes += _compared([*path, name], before[name], after[name])
    return changes


def _compared(path: list[Any], old: Any, new: Any) -> list[FieldChange]:
    if isinstance(old, dict) and isinstance(new, dict) and not _mostly_different(old, new):
        return _walk(path, old, new)
    if _same(old, new):
        return []
    if isinstance(old, list) and isinstance(new, list):
        return _by_deepdiff(path, old, new)
    return [FieldChange(_dotted(path), FieldKind.CHANGED, old, new)]


# DeepDiff's `threshold_to_diff_deeper`: two mappings sharing less than this share of their keys are one change.
DIFF_DEEPER: Final = 0.33


def _mostly_different(old: dict[str, Any], new: dict[str, Any]) -> bool:
    union = len(old.keys() | new.keys())
    return union > 1 and len(old.keys() & new.keys()) / union < DIFF_DEEPER


def _same(old: Any, new: Any) -> bool:
    """Equal, and of the same types all the way down (1 and 1.0, or 1 and True, differ, as DeepDiff says)."""
    if type(old) is not type(new):
        return False
    if isinstance(old, dict):
        return old.keys() == new.keys() and all(_same(value, new[name]) for name, value in old.items())
    if isinstance(old, list):
        return len(old) == len(new) and all(_same(a, b) for a, b in zip(old, new, strict=True))
    return bool(old == new)


def _by_deepdiff(path: list[Any], before: Any, after: Any) -> list[FieldChange]:
    # Imported here: DeepDiff costs ~50 ms to import, and most commands (and most plans) never need it.
    from deepdiff import DeepDiff

    changes = []
    diff = DeepDiff(before, after, view="tree", ignore_order=False)
    for report, kind in _KINDS.items():
        for level in diff.get(report, []):
            found = _dotted([*path, *level.path(output_format="list")])
            old = None if kind == FieldKind.ADDED else level.t1
            new = None if kind == FieldKind.REMOVED else level.t2
            changes.append(FieldChange(found, kind, old, new))
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
        if isinstance(segment, int):
            text += f"[{segment}]"
        elif not NAME.fullmatch(str(segment)):
            # A key that is no name (a dashboard id, a reference) is quoted, so the path reads back exactly.
            text += f"[{json.dumps(str(segment), ensure_ascii=False)}]"
        else:
            text += f".{segment}" if text else str(segment)
    return text
