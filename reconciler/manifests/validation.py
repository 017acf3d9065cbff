"""Manifest documents to validated manifests, every problem a located plain sentence."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from reconciler.backends.datadog_widgets.schema import EXTRA_REQUIRED_FIELDS, MANIFEST_FIELDS, Manifest
from reconciler.backends.datadog_widgets.vocabulary import EXPERIENCE_TYPES, TITLE_MAX_LENGTH, WIDGET_TYPES
from reconciler.core.problems import Problem
from reconciler.core.resources import Desired
from reconciler.manifests.documents import Document, locate


@dataclass(frozen=True)
class LoadedManifest:
    """A valid manifest and where it was written."""

    manifest: Manifest
    file: str
    line: int
    id_line: int
    id_column: int

    @property
    def key(self) -> tuple[str, str]:
        return (self.manifest.experience_type, self.manifest.id)


def validate_document(file: str, document: Document) -> LoadedManifest | list[Problem]:
    try:
        manifest = Manifest.model_validate(document.data)
    except ValidationError as exc:
        return [_problem(file, document, error) for error in exc.errors(include_url=False)]
    id_line, id_column = locate(document.root, ("id",), want_key=False)
    return LoadedManifest(manifest, file, document.line, id_line, id_column)


def duplicate_id_problems(manifests: Iterable[LoadedManifest]) -> list[Problem]:
    """Ids are unique per experience type across every file; each repeat is reported."""
    first: dict[tuple[str, str], LoadedManifest] = {}
    problems = []
    for loaded in sorted(manifests, key=lambda m: (m.file, m.line)):
        seen = first.setdefault(loaded.key, loaded)
        if seen is not loaded:
            problems.append(
                Problem(
                    loaded.file,
                    loaded.id_line,
                    loaded.id_column,
                    f"id '{loaded.manifest.id}' is already used for {loaded.manifest.experience_type} at"
                    f" {seen.file}:{seen.id_line}; ids must be unique per experience type",
                )
            )
    return problems


def duplicate_adopt_problems(manifests: Iterable[LoadedManifest]) -> list[Problem]:
    """A widget is adopted by one manifest only: two would flip its wac-id on every apply."""
    first: dict[str, LoadedManifest] = {}
    problems = []
    for loaded in sorted(manifests, key=lambda m: (m.file, m.line)):
        uuid = loaded.manifest.adopt
        if uuid is None:
            continue
        seen = first.setdefault(uuid, loaded)
        if seen is not loaded:
            problems.append(
                Problem(
                    loaded.file,
                    loaded.line,
                    1,
                    f"adopt {uuid} is already named by the manifest '{seen.manifest.id}' at {seen.file}:{seen.line};"
                    " a widget can be adopted by one manifest only (keep `adopt:` in one of them)",
                )
            )
    return problems


def _problem(file: str, document: Document, error: ErrorDetails) -> Problem:
    path = _data_path(document.data, error["loc"])
    kind = error["type"]
    if kind.startswith("union_tag_"):
        path = (*path, "type")
    missing = kind in ("missing", "union_tag_not_found")
    # A missing field is reported at its parent's key: that is where it belongs.
    line, column = locate(document.root, path[:-1] if missing else path, want_key=missing or kind == "extra_forbidden")
    return Problem(file, line, column, _sentence(document.data, path, error))


def _data_path(data: Any, loc: Sequence[str | int]) -> tuple[str | int, ...]:
    """The error's location as a path in the data: the union's tag pydantic inserts is dropped."""
    path = list(loc)
    if len(path) >= 2 and path[0] == "definition" and path[1] in WIDGET_TYPES:
        del path[1]
    return tuple(path)


def _name(path: Sequence[str | int]) -> str:
    text = ""
    for segment in path:
        text += f"[{segment}]" if isinstance(segment, int) else (f".{segment}" if text else segment)
    return text or "the manifest"


def _describe(value: Any) -> str:
    kinds = {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a mapping",
        type(None): "empty",
    }
    return kinds.get(type(value), type(value).__name__)


def _sentence(data: Any, path: tuple[str | int, ...], error: ErrorDetails) -> str:
    kind = error["type"]
    name = _name(path)
    value = error.get("input")
    ctx = error.get("ctx") or {}
    widget_type = data.get("definition", {}).get("type") if isinstance(data.get("definition"), dict) else None
    if kind == "missing":
        if path[:1] == ("definition",) and len(path) == 2 and widget_type in WIDGET_TYPES:
            required = ["title", "requests", *EXTRA_REQUIRED_FIELDS.get(widget_type, {})]
            return f"{name} is required for a {widget_type} widget (it needs {', '.join(required)})"
        return f"{name} is required"
    if kind == "extra_forbidden":
        return (
            f"unknown field '{path[-1]}'; a manifest has only {', '.join(MANIFEST_FIELDS)} (widget fields go"
            " under definition)"
        )
    if kind == "union_tag_invalid":
        return f"definition.type '{ctx.get('tag')}' is not a widget type; allowed: {', '.join(WIDGET_TYPES)}"
    if kind == "union_tag_not_found":
        return f"definition.type is required; allowed: {', '.join(WIDGET_TYPES)}"
    if kind == "literal_error" and path == ("kind",):
        return f"kind '{value}' is not supported; this version manages kind datadog/widget (the default when absent)"
    if kind == "literal_error" and path == ("experience_type",):
        return f"experience_type '{value}' is not allowed; use one of {', '.join(EXPERIENCE_TYPES)}"
    if kind == "string_too_long":
        return f"{name} is {len(value)} characters; at most {ctx.get('max_length', TITLE_MAX_LENGTH)} are allowed"
    if kind == "string_too_short":
        return f"{name} is empty; it needs at least {ctx.get('min_length', 1)} character"
    if kind == "too_short":
        return f"{name} is empty; it needs at least {ctx.get('min_length', 1)} item"
    if kind == "string_type":
        return f"{name} must be text, got {_describe(value)}"
    if kind in ("list_type", "tuple_type"):
        return f"{name} must be a list, got {_describe(value)}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"{name} must be a mapping, got {_describe(value)}"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return f"{name}: {error['msg']}"


def desired_from(loaded: LoadedManifest) -> Desired:
    """The manifest as the planner takes it, with where it was written."""
    return loaded.manifest.desired(f"{loaded.file}:{loaded.line}")
