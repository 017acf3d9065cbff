"""In what order an apply sends a plan's writes and deletes: what a resource needs (the dashboard a share belongs
to, the powerpack a dashboard names) is written before it, and what names a resource is deleted before it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reconciler.core.planning import Change
from reconciler.core.references import strings_in
from reconciler.core.resources import ResourceKey


def write_levels(writes: Sequence[Change]) -> list[list[Change]]:
    """`writes` in batches: each change after every change it needs (its parent, the targets of its references)."""
    by_key = {c.key: c for c in writes}
    principal = {(c.kind, c.manifest_id): c.key for c in writes if c.parent is None}

    def needs(change: Change) -> list[ResourceKey]:
        found = [change.parent] if change.parent is not None and change.parent in by_key else []
        found += [principal[t] for t in change.references if t in principal and principal[t] != change.key]
        return found

    return _levels(writes, {c.key: needs(c) for c in writes})


def delete_levels(deletes: Sequence[Change]) -> list[list[Change]]:
    """`deletes` in batches: each one after the deletes of everything that belongs to it or names its remote id
    (a list holding a dashboard loses it before the dashboard goes)."""
    by_remote_id = {c.remote_id: c.key for c in deletes if c.remote_id}
    waits: dict[ResourceKey, list[ResourceKey]] = {c.key: [] for c in deletes}
    for change in deletes:
        if change.parent is not None and change.parent in waits:
            waits[change.parent].append(change.key)
        for named in strings_in(change.remote_content):
            other = by_remote_id.get(named)
            if other is not None and other != change.key:
                waits[other].append(change.key)
    return _levels(deletes, waits)


def _levels(changes: Sequence[Change], before: Mapping[ResourceKey, list[ResourceKey]]) -> list[list[Change]]:
    """Changes grouped by how long the longest chain of changes before each is (without recursion: chains of
    references may be long); a cycle, which validation refuses, is cut where it closes."""
    depth: dict[ResourceKey, int] = {}
    for change in changes:
        stack: list[tuple[ResourceKey, frozenset[ResourceKey]]] = [(change.key, frozenset())]
        while stack:
            key, seen = stack[-1]
            if key in depth:
                stack.pop()
                continue
            earlier = [k for k in before.get(key, ()) if k not in seen and k != key]
            waiting = [k for k in earlier if k not in depth]
            if waiting:
                stack.extend((k, seen | {key}) for k in waiting)
                continue
            depth[key] = 1 + max((depth[k] for k in earlier), default=-1)
            stack.pop()
    grouped: dict[int, list[Change]] = {}
    for change in changes:
        grouped.setdefault(depth[change.key], []).append(change)
    return [grouped[n] for n in sorted(grouped)]
