"""Canonical content of a widget: what may differ without being a change, and a digest to compare fast."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any

_SEGMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]")
DIGEST_LENGTH = 16


def parse_path(path: str) -> list[str | int]:
    """`requests[0].formulas` → ["requests", 0, "formulas"]."""
    return [name if name else int(index) for name, index in _SEGMENT.findall(path)]


def without_ignored(definition: dict[str, Any], ignore: Iterable[str]) -> dict[str, Any]:
    """The definition with every ignored path removed (a path that does not exist is fine)."""
    paths = [parse_path(p) for p in ignore]
    if not paths:
        return definition
    result = copy.deepcopy(definition)
    for path in paths:
        _remove(result, path)
    return result


def _remove(node: Any, path: list[str | int]) -> None:
    for segment in path[:-1]:
        if (isinstance(segment, str) and isinstance(node, dict) and segment in node) or (
            isinstance(segment, int) and isinstance(node, list) and segment < len(node)
        ):
            node = node[segment]
        else:
            return
    last = path[-1]
    if isinstance(node, dict) and isinstance(last, str):
        node.pop(last, None)
    elif isinstance(node, list) and isinstance(last, int) and last < len(node):
        # Keep positions stable for other ignored indices: blank rather than remove.
        node[last] = None


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_digest(definition: dict[str, Any], user_tags: Iterable[str]) -> str:
    """One short digest of a widget's content; tag order and duplicates never change it."""
    payload = canonical_json({"definition": definition, "tags": sorted(set(user_tags))})
    return hashlib.sha256(payload.encode()).hexdigest()[:DIGEST_LENGTH]
