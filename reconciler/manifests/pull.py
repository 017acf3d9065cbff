"""Edits made outside git written back into a manifest: only the fields that drifted, in place.

The document is edited with ruamel.yaml's round trip, so its comments, key order and quoting stay; the other
documents of the file are kept byte for byte (only the edited document's text is replaced). Field paths are
the plan's (`definition.requests[0].q`), which are the manifest's own paths for every kind's main resource.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any, Final

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from reconciler.core.diffing import FieldChange, FieldKind
from reconciler.core.normalise import parse_path

_SEPARATOR: Final = re.compile(r"^---\s*(#.*)?$")


class PullError(ValueError):
    """A document that cannot take the remote's values as they are: the sentence says which and why."""


def pulled(text: str, document_line: int, fields: Sequence[FieldChange]) -> str:
    """`text` with the document starting at `document_line` (1-based) given the remote's side of each field
    (`before` in a plan's field change: the remote's value; the manifest's is `after`)."""
    lines = text.splitlines(keepends=True)
    start, end = _span(lines, document_line)
    yaml = _round_trip()
    document = yaml.load("".join(lines[start:end]))
    if not isinstance(document, CommentedMap):
        raise PullError(f"line {document_line} does not start a mapping")
    for field in fields:
        _set(document, parse_path(field.path), field)
    out = io.StringIO()
    yaml.dump(document, out)
    edited = out.getvalue()
    # Whatever followed the document's last value (a blank line before `---`) stays as it was.
    trailing = "".join(lines[start:end])[len("".join(lines[start:end]).rstrip("\n")) :]
    return "".join(lines[:start]) + edited.rstrip("\n") + (trailing or "\n") + "".join(lines[end:])


def _round_trip() -> YAML:
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long query onto two lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.brace_single_entry_mapping_in_flow_sequence = True  # `[{formula: a}]` stays as written
    return yaml


def _span(lines: list[str], document_line: int) -> tuple[int, int]:
    """The lines of the document holding `document_line`: from after the `---` before it to the next `---`."""
    start = 0
    for index in range(min(document_line - 1, len(lines))):
        if _SEPARATOR.match(lines[index].rstrip("\n")):
            start = index + 1
    end = next((i for i in range(document_line - 1, len(lines)) if _SEPARATOR.match(lines[i].rstrip("\n"))), len(lines))
    return start, end


def _set(document: CommentedMap, path: list[str | int], field: FieldChange) -> None:
    """The remote's side of one field at `path`: removed where the remote has none, else set."""
    parent: Any = document
    for depth, segment in enumerate(path[:-1]):
        following = path[depth + 1]
        parent = _child(parent, segment, fresh=CommentedSeq() if isinstance(following, int) else CommentedMap())
    last = path[-1]
    if field.kind == FieldKind.ADDED:  # in the manifest, not in the remote: someone removed it there
        if isinstance(parent, dict):
            parent.pop(last, None)
        elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
            del parent[last]
        return
    value = field.before
    if isinstance(parent, list) and isinstance(last, int):
        if last < len(parent):
            parent[last] = value
        else:
            parent.append(value)
    elif isinstance(parent, dict):
        parent[last] = value
    else:
        raise PullError(f"{field.path}: the manifest holds no mapping or list on the way there")


def _child(parent: Any, segment: str | int, fresh: Any) -> Any:
    if isinstance(parent, dict) and isinstance(segment, str):
        if not isinstance(parent.get(segment), (dict, list)):
            parent[segment] = fresh
        return parent[segment]
    if isinstance(parent, list) and isinstance(segment, int):
        while len(parent) <= segment:
            parent.append(fresh)
        return parent[segment]
    raise PullError(f"path segment {segment!r} does not fit the manifest's structure")
