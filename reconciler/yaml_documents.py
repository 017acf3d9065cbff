"""YAML text to plain data, keeping the node tree so problems can be located; safe and bounded.

Composing nodes with ruamel's C parser (when present) and building plain data ourselves is
several times faster than the round-trip loader, refuses every non-standard tag instead of
constructing it, catches duplicate keys, and bounds what aliases and nesting can expand to.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any, Final

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_NODES_PER_DOCUMENT: Final = 100_000
MAX_DEPTH: Final = 64

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_SCALAR_TAGS: Final = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
}
_FLOW_BRACKETS = re.compile(r"[\[\]{}]")


@dataclass(frozen=True)
class Located:
    """A problem at a 1-based line and column of the text."""

    line: int
    column: int
    message: str


@dataclass(frozen=True)
class Document:
    data: Any
    root: Node
    line: int


class _Refused(Exception):
    def __init__(self, node: Node, message: str) -> None:
        super().__init__(message)
        self.located = Located(node.start_mark.line + 1, node.start_mark.column + 1, message)


_CONSTRUCTOR: Final = YAML(typ="safe", pure=True).constructor


def _compose(text: str) -> list[Node]:
    """The documents' node trees: libyaml's fast C parser first, ruamel's own when it refuses.

    libyaml speaks YAML 1.1 and refuses some valid 1.2 text (`[team:finops]`); ruamel's
    parser accepts it, so it decides, and its error is the one reported.
    """
    try:
        return list(YAML(typ="safe").compose_all(io.StringIO(text)))
    except YAMLError:
        return list(YAML(typ="safe", pure=True).compose_all(io.StringIO(text)))


def parse_documents(text: str) -> tuple[list[Document], list[Located]]:
    """Every non-empty document of `text` as plain data, or the problems that stop that."""
    depth_problem = _flow_depth_problem(text)
    if depth_problem:
        return [], [depth_problem]
    try:
        roots = _compose(text)
    except MarkedYAMLError as exc:
        return [], _tab_problems(text) or [_syntax_problem(exc)]
    except YAMLError as exc:
        return [], [Located(1, 1, f"not valid YAML: {exc}")]
    documents: list[Document] = []
    problems: list[Located] = []
    for root in roots:
        if root is None or (isinstance(root, ScalarNode) and (root.tag or "").endswith(":null")):
            continue
        builder = _Builder()
        try:
            data = builder.build(root, 0)
        except _Refused as exc:
            problems.append(exc.located)
            continue
        problems.extend(builder.problems)
        if not isinstance(data, dict):
            kind = "a list" if isinstance(data, list) else "a single value"
            problems.append(
                Located(
                    root.start_mark.line + 1,
                    root.start_mark.column + 1,
                    f"a manifest must be a mapping (id, experience_type, definition, …), not {kind}",
                )
            )
            continue
        documents.append(Document(data, root, root.start_mark.line + 1))
    return documents, problems


class _Builder:
    """Plain data from a node tree, counting every node it visits so aliases cannot explode."""

    def __init__(self) -> None:
        self.visited = 0
        self.problems: list[Located] = []

    def build(self, node: Node, depth: int) -> Any:
        self.visited += 1
        if self.visited > MAX_NODES_PER_DOCUMENT:
            raise _Refused(
                node,
                f"this document expands to more than {MAX_NODES_PER_DOCUMENT:,} values"
                " (through aliases?); manifests are far smaller, so it is refused",
            )
        if depth > MAX_DEPTH:
            raise _Refused(node, f"values are nested more than {MAX_DEPTH} levels deep; that is not allowed")
        if isinstance(node, MappingNode):
            return self._mapping(node, depth)
        if isinstance(node, SequenceNode):
            self._plain_tag(node, "tag:yaml.org,2002:seq")
            return [self.build(item, depth + 1) for item in node.value]
        return self._scalar(node)

    def _plain_tag(self, node: Node, expected: str) -> None:
        if node.tag != expected:
            raise _Refused(node, _tag_refusal(node.tag or ""))

    def _mapping(self, node: MappingNode, depth: int) -> dict[str, Any]:
        self._plain_tag(node, "tag:yaml.org,2002:map")
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged = self.build(value_node, depth + 1)
                sources = merged if isinstance(merged, list) else [merged]
                if not all(isinstance(s, dict) for s in sources):
                    raise _Refused(value_node, "a merge key (<<) must name a mapping or a list of mappings")
                for source in reversed(sources):
                    for key, value in source.items():
                        result.setdefault(key, value)
                continue
            if not isinstance(key_node, ScalarNode) or key_node.tag != _STR:
                raise _Refused(key_node, "mapping keys must be plain text")
            key = key_node.value
            line = key_node.start_mark.line + 1
            if key in first_seen:
                self.problems.append(
                    Located(
                        line,
                        key_node.start_mark.column + 1,
                        f"duplicate key '{key}' (first given on line {first_seen[key]})",
                    )
                )
                continue
            first_seen[key] = line
            result[key] = self.build(value_node, depth + 1)
        return result

    def _scalar(self, node: Node) -> Any:
        tag = node.tag or ""
        if tag not in _SCALAR_TAGS:
            raise _Refused(node, _tag_refusal(tag))
        if tag == _STR or tag.endswith(":timestamp"):
            return node.value
        if tag.endswith(":null"):
            return None
        if tag.endswith(":bool"):
            return node.value.lower() == "true"
        if tag.endswith(":int"):
            return _CONSTRUCTOR.construct_yaml_int(node)
        return _CONSTRUCTOR.construct_yaml_float(node)


def _tag_refusal(tag: str) -> str:
    shown = tag.replace("tag:yaml.org,2002:", "!!")
    return f"the tag '{shown}' is not allowed; manifests are plain YAML, and tags are never executed"


def locate(root: Node, path: tuple[str | int, ...], *, want_key: bool) -> tuple[int, int]:
    """The 1-based line and column of `path` in the tree, or of its nearest existing ancestor.

    With `want_key`, a mapping entry is located at its key (where a reader looks for a field);
    otherwise at its value (where the offending value is).
    """
    node = root
    mark = root.start_mark
    for index, segment in enumerate(path):
        last = index == len(path) - 1
        if isinstance(node, MappingNode) and isinstance(segment, str):
            entry = next(((k, v) for k, v in node.value if isinstance(k, ScalarNode) and k.value == segment), None)
            if entry is None:
                break
            key_node, node = entry
            mark = key_node.start_mark if (last and want_key) else node.start_mark
        elif isinstance(node, SequenceNode) and isinstance(segment, int) and 0 <= segment < len(node.value):
            node = node.value[segment]
            mark = node.start_mark
        else:
            break
    return mark.line + 1, mark.column + 1


def _flow_depth_problem(text: str) -> Located | None:
    # The C composer recurses once per nesting level and crashes the process on deep flow
    # nesting, so it is bounded before parsing. Brackets inside quoted text count too; a
    # legitimate manifest is nowhere near the limit either way.
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    depth = 0
    for match in _FLOW_BRACKETS.finditer(text):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_DEPTH:
            line = text.count("\n", 0, match.start()) + 1
            column = match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
            return Located(line, column, f"values are nested more than {MAX_DEPTH} levels deep; that is not allowed")
        depth = max(depth, 0)
    return None


def _tab_problems(text: str) -> list[Located]:
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent and line.strip():
            problems.append(
                Located(number, indent.index("\t") + 1, "a tab is used for indentation; YAML allows only spaces there")
            )
    return problems


def _syntax_problem(exc: MarkedYAMLError) -> Located:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    what = exc.problem or "invalid syntax"
    context = f" ({exc.context})" if exc.context else ""
    return Located(line, column, f"not valid YAML: {what}{context}")
