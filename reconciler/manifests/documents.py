"""YAML text to plain data, keeping the node tree so problems can be located; safe and bounded.

Nodes come from libyaml 0.2.5 (through PyYAML's C binding) when it accepts the text, and
from ruamel.yaml's YAML 1.2 parser otherwise, which then also words any syntax error.
Measured on 10,000 manifests (benchmarks/bench_load.py), ruamel's own C binding bundles an
older libyaml that refuses `tags: [team:finops]`, and its pure parser is about ten times
slower. Plain data is then built here, with YAML 1.2 core-schema scalars whichever parser
ran: every non-standard tag is refused instead of constructed, duplicate keys are caught,
and what aliases and nesting can expand to is bounded.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass
from typing import Any, Final, Protocol

import yaml as libyaml
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

MAX_NODES_PER_DOCUMENT: Final = 100_000
MAX_DEPTH: Final = 64

# The base loader resolves nothing implicitly: plain scalars are resolved below, by YAML 1.2.
_FAST_LOADER: Final = getattr(libyaml, "CBaseLoader", None)
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


class Mark(Protocol):
    line: int
    column: int


class Node(Protocol):
    """What PyYAML's and ruamel's nodes share: `id` is "scalar", "sequence" or "mapping"."""

    id: str
    tag: str | None
    value: Any
    style: str | None
    start_mark: Mark


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


def _compose(text: str) -> list[Node]:
    """The documents' node trees: libyaml first, ruamel's YAML 1.2 parser when libyaml refuses."""
    if _FAST_LOADER is not None:
        try:
            return list(libyaml.compose_all(text, Loader=_FAST_LOADER))
        except libyaml.YAMLError:
            pass
    return list(YAML(typ="safe", pure=True).compose_all(io.StringIO(text)))


def parse_documents(text: str) -> tuple[list[Document], list[Located]]:
    """Every non-empty document of `text` as plain data, or the problems that stop that."""
    depth_problem = _flow_depth_problem(text)
    if depth_problem:
        return [], [depth_problem]
    try:
        roots = _compose(text)
    except MarkedYAMLError as exc:
        return [], _tab_problems(text) or [syntax_problem(exc)]
    except YAMLError as exc:
        return [], [Located(1, 1, f"not valid YAML: {exc}")]
    documents: list[Document] = []
    problems: list[Located] = []
    for root in roots:
        if root is None or (root.id == "scalar" and not root.style and _empty(root.value)):
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
        if node.id == "mapping":
            return self._mapping(node, depth)
        if node.id == "sequence":
            self._plain_tag(node, "tag:yaml.org,2002:seq")
            return [self.build(item, depth + 1) for item in node.value]
        return self._scalar(node)

    def _plain_tag(self, node: Node, expected: str) -> None:
        if node.tag != expected:
            raise _Refused(node, _tag_refusal(node.tag or ""))

    def _mapping(self, node: Node, depth: int) -> dict[str, Any]:
        self._plain_tag(node, "tag:yaml.org,2002:map")
        result: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE or (key_node.id == "scalar" and not key_node.style and key_node.value == "<<"):
                merged = self.build(value_node, depth + 1)
                sources = merged if isinstance(merged, list) else [merged]
                if not all(isinstance(s, dict) for s in sources):
                    raise _Refused(value_node, "a merge key (<<) must name a mapping or a list of mappings")
                for source in reversed(sources):
                    for key, value in source.items():
                        result.setdefault(key, value)
                continue
            if key_node.id != "scalar" or self._scalar(key_node) != key_node.value:
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
        try:
            return self._typed_scalar(node)
        except _TooLong as exc:
            raise _Refused(node, str(exc)) from None

    def _typed_scalar(self, node: Node) -> Any:
        tag = node.tag or ""
        if tag not in _SCALAR_TAGS:
            raise _Refused(node, _tag_refusal(tag))
        if not node.style:
            # Plain: the parsers disagree on implicit tags (YAML 1.1 or 1.2), so resolve here.
            value = _plain_scalar(node.value)
            if isinstance(value, float) and not math.isfinite(value):
                raise _Refused(node, f"'{node.value}' cannot be sent to the API: JSON has no infinity or NaN")
            return value
        if tag == _STR or tag.endswith(":timestamp"):
            return node.value
        # A quoted scalar with an explicit standard tag, like `!!int "3"`.
        value = _plain_scalar(node.value)
        wanted = {"null": type(None), "bool": bool, "int": int, "float": float}[tag.rsplit(":", 1)[1]]
        if type(value) is not wanted:
            raise _Refused(node, f"'{node.value}' is not a valid {tag.replace('tag:yaml.org,2002:', '!!')}")
        return value


_INT = re.compile(r"^[-+]?[0-9]+$")
_OCT = re.compile(r"^0o[0-7]+$")
_HEX = re.compile(r"^0x[0-9a-fA-F]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")


def _empty(text: str) -> bool:
    """A document that is only a null scalar (`~`, `null` or nothing) holds nothing."""
    return text in ("", "~", "null", "Null", "NULL")


class _TooLong(ValueError):
    """A number with more digits than any API takes (Python refuses to convert past 4,300)."""


MAX_DIGITS: Final = 400


def _integer(text: str) -> int:
    digits = text.lstrip("+-")
    if len(digits) > MAX_DIGITS:
        raise _TooLong(f"a number of {len(digits):,} digits; numbers in manifests have at most {MAX_DIGITS}")
    if digits.startswith(("0o", "0x")):
        return int(digits[2:], 8 if digits[1] == "o" else 16)
    return int(text)


def _plain_scalar(text: str) -> Any:
    """A plain scalar under the YAML 1.2 core schema (`yes` and `on` are text, as in ruamel)."""
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _INT.match(text) or _OCT.match(text) or _HEX.match(text):
        return _integer(text)
    if _FLOAT.match(text):
        return float(text)
    lowered = text.lower()
    if lowered in (".inf", "+.inf", "-.inf"):
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered == ".nan":
        return math.nan
    return text


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
        if node.id == "mapping" and isinstance(segment, str):
            entry = next(((k, v) for k, v in node.value if k.id == "scalar" and k.value == segment), None)
            if entry is None:
                break
            key_node, node = entry
            mark = key_node.start_mark if (last and want_key) else node.start_mark
        elif node.id == "sequence" and isinstance(segment, int) and 0 <= segment < len(node.value):
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


def syntax_problem(exc: MarkedYAMLError) -> Located:
    problem = exc.problem or ""
    unterminated = ("end of stream" in problem or "<stream end>" in problem) and exc.context_mark is not None
    # A quote or bracket left open is found only at the end of the file; where it opened is what to fix.
    mark = exc.context_mark if unterminated else (exc.problem_mark or exc.context_mark)
    line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    what = exc.problem or "invalid syntax"
    context = f" ({exc.context})" if exc.context else ""
    if unterminated:
        opened = (exc.context or "this").removeprefix("while scanning ").removeprefix("while parsing ")
        opened = opened.removeprefix("a ").removeprefix("an ")
        return Located(line, column, f"not valid YAML: the {opened} that starts here is never closed")
    return Located(line, column, f"not valid YAML: {what}{context}")
