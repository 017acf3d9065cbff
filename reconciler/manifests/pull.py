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
# What says which resource a manifest is, and how wac treats it: never written from the remote's values.
STRUCTURE: Final = frozenset({"id", "kind", "adopt", "ignore", "moved_from", "template", "sharing", "$ref"})
MAX_DEPTH: Final = 64


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
        path = parse_path(field.path)
        if not path or path[0] in STRUCTURE or _depth(field.before) > MAX_DEPTH:
            raise PullError(f"{field.path[:80]}: not a field wac pulls (structure, or a value nested too deep)")
        _set(document, path, field)
    out = io.StringIO()
    try:
        yaml.dump(document, out)
    except RecursionError:
        raise PullError("a value is nested too deeply to be written") from None
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
    if isinstance(parent, list) and isinstance(last, str):
        _set_member(parent, last, field)
        return
    if field.kind == FieldKind.ADDED:  # in the manifest, not in the remote: someone removed it there
        if isinstance(parent, dict):
            parent.pop(last, None)
        elif isinstance(parent, list) and isinstance(last, int) and last < len(parent):
            del parent[last]
        return
    value = field.before
    if isinstance(parent, list) and isinstance(last, int) and last <= len(parent):
        if last < len(parent):
            parent[last] = _styled(parent[last], value)
        else:
            parent.append(value)
    elif isinstance(parent, dict):
        parent[last] = _styled(parent.get(last), value)
    else:
        raise PullError(f"{field.path}: the manifest holds no mapping or list on the way there")


def _set_member(members: list[Any], member: str, field: FieldChange) -> None:
    """A set the manifest writes as a list and the content as a mapping keyed by member (a dashboard list's
    dashboards): a member added remotely is appended, one removed remotely taken out."""
    if field.kind == FieldKind.ADDED:
        if member not in members:
            raise PullError(f"{field.path}: the manifest names that member by reference; remove it there by hand")
        members.remove(member)
    elif member not in members:
        members.append(member)


def _child(parent: Any, segment: str | int, fresh: Any) -> Any:
    if isinstance(parent, dict) and isinstance(segment, str):
        if not isinstance(parent.get(segment), (dict, list)):
            parent[segment] = fresh
        return parent[segment]
    if isinstance(parent, list) and isinstance(segment, int) and segment <= len(parent):
        if segment == len(parent):
            parent.append(fresh)  # one item past the end: the remote added it
        return parent[segment]
    raise PullError(f"path segment {str(segment)[:40]!r} does not fit the manifest's structure")


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def _styled(old: Any, new: Any) -> Any:
    """`new` written in `old`'s flow or block style: `tags: [a, b]` stays a flow list."""
    if isinstance(old, CommentedSeq) and isinstance(new, list) and old.fa.flow_style():
        seq = CommentedSeq(new)
        seq.fa.set_flow_style()
        return seq
    if isinstance(old, CommentedMap) and isinstance(new, dict) and old.fa.flow_style():
        mapping = CommentedMap(new)
        mapping.fa.set_flow_style()
        return mapping
    return new
