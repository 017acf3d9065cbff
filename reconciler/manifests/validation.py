"""Manifest documents to validated manifests, every problem a located plain sentence."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from reconciler.backends.registry import BY_KIND, DEFAULT_KIND, ManifestModel, Registration
from reconciler.core.identity import id_problem
from reconciler.core.problems import Problem
from reconciler.core.references import as_written, targets_in
from reconciler.core.resources import Desired
from reconciler.manifests.documents import Document, locate

if TYPE_CHECKING:
    from reconciler.manifests.references import Reference


@dataclass(frozen=True)
class LoadedManifest:
    """A valid manifest and where it was written (with the template instance it was expanded for, if any)."""

    manifest: ManifestModel
    file: str
    line: int
    id_line: int
    id_column: int
    instance: str | None = None
    # The ids it was known by (`moved_from:`): a resource carrying one is renamed to this manifest's id.
    moved_from: tuple[str, ...] = ()
    # Its `{ref: KIND/ID}`s, each replaced by a reference token in the document the model read.
    references: tuple[Reference, ...] = ()
    # The document as validated, after fragments and templates: what `wac render` writes.
    data: dict[str, Any] | None = field(default=None, compare=False, hash=False)

    @property
    def source(self) -> str:
        """Where a plan says a resource comes from: the file and line, and the instance in brackets."""
        return f"{self.file}:{self.line}" + (f" [{self.instance}]" if self.instance else "")

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.manifest.kind, self.manifest.scope, self.manifest.id)


# Where a path of the validated data was written: (file, line, column, a note to add to the sentence).
Where = Callable[..., tuple[str, int, int, str]]


def validate_document(
    file: str, document: Document, where: Where | None = None, instance: str | None = None
) -> LoadedManifest | list[Problem]:
    """The document validated by its kind's manifest model (`kind` absent means the default kind)."""
    data = document.data
    at = where or _in_document(file, document)
    suffix = f" (instance {instance})" if instance else ""
    kind = data.get("kind", DEFAULT_KIND) if isinstance(data, dict) else DEFAULT_KIND
    backend = BY_KIND.get(kind) if isinstance(kind, str) else None
    if backend is None:
        found, line, column, note = at(("kind",), want_key=False)
        default = " (the default when absent)" if len(BY_KIND) == 1 else f" ({DEFAULT_KIND} is the default when absent)"
        message = f"kind '{kind}' is not supported; this version manages kind {', '.join(BY_KIND)}{default}"
        return [Problem(found, line, column, message + suffix + note)]
    try:
        manifest: ManifestModel = backend.model.model_validate(data)  # type: ignore[assignment]
    except ValidationError as exc:
        return [_problem(at, document, error, backend, suffix) for error in exc.errors(include_url=False)]
    _, id_line, id_column, _ = at(("id",), want_key=False)
    return LoadedManifest(manifest, file, document.line, id_line, id_column, instance, data)


def _in_document(file: str, document: Document) -> Where:
    def at(path: tuple[str | int, ...], *, want_key: bool = False) -> tuple[str, int, int, str]:
        line, column = locate(document.root, path, want_key=want_key)
        return file, line, column, ""

    return at


def duplicate_id_problems(manifests: Iterable[LoadedManifest]) -> list[Problem]:
    """Ids are unique per kind and scope (experience type) across every file; each repeat is reported."""
    first: dict[tuple[str, str, str], LoadedManifest] = {}
    problems = []
    for loaded in sorted(manifests, key=lambda m: (m.file, m.line)):
        seen = first.setdefault(loaded.key, loaded)
        if seen is not loaded:
            problems.append(
                Problem(
                    loaded.file,
                    loaded.id_line,
                    loaded.id_column,
                    f"id '{loaded.manifest.id}'{_of(loaded)} is already used for {loaded.manifest.scope} at"
                    f" {seen.file}:{seen.id_line}{_of(seen)}; ids must be unique per"
                    f" {BY_KIND[loaded.manifest.kind].scope_name}"
                    + (
                        "; a template's id needs a ${parameter} to differ per instance"
                        if loaded.instance and (seen.file, seen.line) == (loaded.file, loaded.line)
                        else ""
                    ),
                )
            )
    return problems


def _of(loaded: LoadedManifest) -> str:
    return f" (instance {loaded.instance})" if loaded.instance else ""


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


def _problem(at: Where, document: Document, error: ErrorDetails, backend: Registration, suffix: str) -> Problem:
    path = backend.data_path(error["loc"])
    kind = error["type"]
    if kind.startswith("union_tag_"):
        path = (*path, "type")
    missing = kind in ("missing", "union_tag_not_found")
    # A missing field is reported at its parent's key: that is where it belongs.
    file, line, column, note = at(path[:-1] if missing else path, want_key=missing or kind == "extra_forbidden")
    sentence = backend.explain(document.data, path, _name(path), error) or _sentence(path, error)
    # The document the model read holds reference tokens; the person wrote `{ref: …}`.
    return Problem(file, line, column, as_written(sentence) + suffix + note)


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


def _sentence(path: tuple[str | int, ...], error: ErrorDetails) -> str:
    kind = error["type"]
    name = _name(path)
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return f"{name} is required"
    if kind == "extra_forbidden":
        return f"unknown field '{path[-1]}'"
    if kind == "literal_error":
        return f"{name} '{value}' is not allowed; use {ctx.get('expected', 'another value')}"
    if kind == "string_too_long":
        return f"{name} is {len(value)} characters; at most {ctx.get('max_length')} are allowed"
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


def desired_from(loaded: LoadedManifest) -> tuple[Desired, ...]:
    """The manifest's resources as the planner takes them (a dashboard and its share), with where it was written."""
    resources = loaded.manifest.resources(loaded.source)
    if loaded.references:
        resources = tuple(replace(d, references=targets_in(d.content)) for d in resources)
    if not loaded.moved_from:
        return resources
    # What belongs to the resource (a dashboard's share) moves with it.
    return tuple(replace(d, moved_from=loaded.moved_from) for d in resources)


MOVED_FROM: Final = "moved_from"


def moved_from(data: Any, where: Where) -> tuple[Any, tuple[str, ...], list[Problem]]:
    """The document without `moved_from:`, the ids it lists, and what is wrong with them."""
    if not isinstance(data, dict) or MOVED_FROM not in data:
        return data, (), []
    raw = data[MOVED_FROM]
    rest = {k: v for k, v in data.items() if k != MOVED_FROM}
    ids = raw if isinstance(raw, list) else None
    if not ids or not all(isinstance(i, str) for i in ids):
        file, line, column, note = where((MOVED_FROM,), want_key=False)
        return (
            rest,
            (),
            [Problem(file, line, column, "moved_from lists the ids this manifest had before, like [old-id]" + note)],
        )
    for index, old in enumerate(ids):
        problem = id_problem(old) or (f"'{old}' is this manifest's own id" if old == data.get("id") else None)
        if problem:
            file, line, column, note = where((MOVED_FROM, index), want_key=False)
            return rest, (), [Problem(file, line, column, f"moved_from: {problem}{note}")]
    return rest, tuple(dict.fromkeys(ids)), []


def moved_from_problems(manifests: Sequence[LoadedManifest]) -> list[Problem]:
    """An old id is claimed by one manifest only, and no manifest still uses it: either would make the rename
    ambiguous."""
    current = {m.key: m for m in manifests}
    claimed: dict[tuple[str, str, str], LoadedManifest] = {}
    problems = []
    for loaded in sorted(manifests, key=lambda m: (m.file, m.line)):
        for old in loaded.moved_from:
            key = (loaded.manifest.kind, loaded.manifest.scope, old)
            other = current.get(key) or claimed.get(key)
            if other is not None and other is not loaded:
                still = current.get(key) is other
                what = (
                    f"is still the id of the manifest at {other.source}"
                    if still
                    else (f"is already claimed by moved_from of the manifest at {other.source}")
                )
                sentence = f"moved_from: '{old}' {what}; an old id can move to one manifest only, once nothing uses it"
                problems.append(Problem(loaded.file, loaded.line, 1, sentence))
            claimed.setdefault(key, loaded)
    return problems
