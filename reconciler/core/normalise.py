"""Canonical content of a resource: what may differ without being a change, and a digest to compare fast."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any, Final

# A name, a list index, or a key that is no name written as a JSON string in brackets (`dashboards["abc-def"]`).
_SEGMENT = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')
NAME: Final = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
DIGEST_LENGTH = 16


def parse_path(path: str) -> list[str | int]:
    """`requests[0].formulas` → ["requests", 0, "formulas"]; `dashboards["abc-def-ghi"]` → ["dashboards",
    "abc-def-ghi"]."""
    return [name or (int(index) if index else _quoted(quoted)) for name, index, quoted in _SEGMENT.findall(path)]


def _quoted(text: str) -> str:
    try:
        value = json.loads(text)
    except ValueError:
        return text[1:-1]
    return value if isinstance(value, str) else text[1:-1]


def without_ignored(definition: dict[str, Any], ignore: Iterable[str]) -> dict[str, Any]:
    """The definition with every ignored path removed (a path that does not exist is fine)."""
    paths = [parse_path(p) for p in ignore]
    if not paths:
        return definition
    result = copy.deepcopy(definition)
    for path in paths:
        _remove(result, path)
    return result


def lookup(node: Any, path: list[str | int]) -> tuple[bool, Any]:
    """(True, value) at `path` inside `node`, or (False, None) when the path does not exist."""
    for segment in path:
        if isinstance(node, dict) and isinstance(segment, str) and segment in node:
            node = node[segment]
            continue
        if isinstance(node, list) and isinstance(segment, int) and segment < len(node):
            node = node[segment]
            continue
        return False, None
    return True, node


def _remove(node: Any, path: list[str | int]) -> None:
    found, parent = lookup(node, path[:-1])
    last = path[-1]
    if not found:
        return
    if isinstance(parent, dict) and isinstance(last, str):
        parent.pop(last, None)
    elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
        # Keep positions stable for other ignored indices: blank rather than remove.
        parent[last] = None


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_digest(content: dict[str, Any]) -> str:
    """One short digest of a resource's comparable content (codecs keep it canonical: sorted tags)."""
    return hashlib.sha256(canonical_json(content).encode()).hexdigest()[:DIGEST_LENGTH]


def unordered_sorted(content: dict[str, Any], paths: tuple[str, ...]) -> dict[str, Any]:
    """`content` with the lists at `paths` in one canonical order: what a codec does to a set of members, so
    manifest and remote compare by membership only."""
    if not paths:
        return content
    result = copy.deepcopy(content)
    for raw in paths:
        found, value = lookup(result, parse_path(raw))
        if found and isinstance(value, list):
            value.sort(key=canonical_json)
    return result
