"""Remote widgets to manifests, so a team can adopt widgets made in the UI. Pure but for the YAML text.

Export is lossless and inert: each exported widget gets its own file by a collision-free mapping
from id to path, and every file is parsed back and validated before it may be written, so no
remote text can add a document, a key or a comment line.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass
from typing import Any, Final

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from reconciler.backends.registry import BY_KIND, SECRET_PATTERNS
from reconciler.core.identity import MANIFEST_ID_MAX_LENGTH, id_problem
from reconciler.core.inert import inert
from reconciler.core.redaction import redact
from reconciler.core.resources import Remote
from reconciler.manifests.documents import Document, parse_documents
from reconciler.manifests.references import REF, STRUCTURE, with_tokens
from reconciler.manifests.validation import LoadedManifest, validate_document

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
SLUG_MAX = 60
# Most file systems allow 255 bytes a name; the rest is head room for the suffix.
FILE_NAME_MAX: Final = 200


@dataclass(frozen=True)
class ExportedManifest:
    kind: str
    scope: str
    manifest_id: str
    remote_id: str
    relative_path: str
    text: str
    dropped_tags: tuple[str, ...] = ()
    # Why the text may not be written (it would not read back as this widget's manifest), or None.
    problem: str | None = None
    # Whether text shaped like a secret (a share token in a public link) was masked in it.
    masked: bool = False


@dataclass(frozen=True)
class Export:
    manifests: tuple[ExportedManifest, ...]
    # Widgets left out, one sentence each: another owner's, claimed twice, or a duplicate.
    skipped: tuple[str, ...] = ()


def slugify(title: str) -> str:
    slug = _NOT_SLUG.sub("-", title.lower()).strip("-")[:SLUG_MAX].strip("-")
    return slug or "widget"


def manifest_path(scope: str, manifest_id: str) -> str:
    """Where a manifest is exported: `<scope>/<id>.yaml`, each '/' in the id written as '%2F'.

    '%' and '~' never occur in ids, so the mapping is one-to-one: `a/b` and `a_b` stay apart. A name
    too long for a file system is cut and ends in '~' and a digest of the whole id.
    """
    name = manifest_id.replace("/", "%2F")
    if len(name) > FILE_NAME_MAX:
        digest = hashlib.sha256(manifest_id.encode()).hexdigest()[:16]
        name = f"{name[: FILE_NAME_MAX - 17]}~{digest}"
    return f"{scope}/{name}.yaml"


def export_manifests(
    widgets: Iterable[Remote], owner: str, site: str, known: Mapping[str, str] | None = None
) -> Export:
    """One manifest per resource this owner manages or nobody does, ids readable and unique, in stable order.

    What belongs to another resource (a dashboard's share) is written into that resource's manifest. `known`
    names resources that have a manifest already (remote id → KIND/ID): an exported one naming them by id
    names them by reference, as it does those exported with it.
    """
    every = list(widgets)
    ordered = sorted((w for w in every if w.parent is None), key=lambda w: (w.scope, w.created_at, w.remote_id))
    # What belongs to a resource but cannot be read (a share made in the UI) is named, never guessed.
    skipped = [
        f"{w.scope} {w.remote_id} ({json.dumps(w.title)}) is left out: {w.claims.resolve}"
        for w in every
        if w.parent is not None and not w.content
    ]
    chosen = _chosen(ordered, _children(every), owner, skipped)
    exported = _referring([_manifest(c, site) for c in chosen], chosen, site, known or {})
    paths = [e.relative_path for e in exported]
    assert len(set(paths)) == len(paths), "manifest_path is one-to-one for unique ids"
    return Export(tuple(exported), tuple(skipped))


def _chosen(
    ordered: Sequence[Remote], children: Mapping[tuple[str, str, str], list[Remote]], owner: str, skipped: list[str]
) -> list[_Chosen]:
    """What is exported, each with its manifest id; why each other resource is not goes into `skipped`."""
    mine, taken = _claimed_ids(ordered, owner, skipped)
    chosen: list[_Chosen] = []
    for resource in ordered:
        reason = _left_out(resource, owner, mine)
        if reason is not None:
            skipped.extend([reason] if reason else [])
            continue
        managed = resource.remote_id in mine
        manifest_id = resource.claims.manifest_id if managed else _unique(resource, taken)
        assert manifest_id is not None
        # Only a managed resource's marker leads to what belongs to it.
        kids = children.get((resource.kind, resource.scope, manifest_id), []) if managed else []
        chosen.append(_Chosen(resource, manifest_id, not managed, tuple(kids)))
    return chosen


def _children(every: Sequence[Remote]) -> dict[tuple[str, str, str], list[Remote]]:
    children: dict[tuple[str, str, str], list[Remote]] = {}
    for child in every:
        if child.parent is not None:
            children.setdefault(child.parent, []).append(child)
    return children


def _claimed_ids(
    ordered: Sequence[Remote], owner: str, skipped: list[str]
) -> tuple[dict[str, Remote], set[tuple[str, str]]]:
    """Resources this owner already manages keep their ids, claimed first. Of duplicates the oldest is the
    one a plan keeps, so it is the one exported; the others are named in `skipped`."""
    taken: set[tuple[str, str]] = set()
    mine: dict[str, Remote] = {}
    for resource in ordered:
        if not _managed_here(resource, owner):
            continue
        key = (resource.scope, resource.claims.manifest_id or "")
        if key in taken:
            skipped.append(f"{_named(resource)} repeats id '{resource.claims.manifest_id}'; the next apply deletes it")
            continue
        taken.add(key)
        mine[resource.remote_id] = resource
    return mine, taken


def _left_out(resource: Remote, owner: str, mine: Mapping[str, Remote]) -> str | None:
    """Why a resource is not exported (an empty reason: left out without a note), or None to export it."""
    claims = resource.claims
    if claims.conflicted:
        return f"{_named(resource)} is claimed by {claims.describe()}; resolve that first"
    if not claims.owners or resource.remote_id in mine:
        return None
    if claims.owner != owner:
        return f"{_named(resource)} is managed by owner '{claims.owner}'"
    if claims.manifest_id is None or id_problem(claims.manifest_id):
        carried = "no id" if claims.manifest_id is None else f"the id {json.dumps(claims.manifest_id[:80])}"
        return (
            f"{_named(resource)} has the owner marker but {carried}, which no manifest can have; as it is, a plan"
            " deletes it: give its marker an id like `service-errors` in the UI (or remove the marker) to keep it"
        )
    return ""


def _managed_here(widget: Remote, owner: str) -> bool:
    return (
        not widget.claims.conflicted
        and widget.claims.owner == owner
        and widget.claims.manifest_id is not None
        and id_problem(widget.claims.manifest_id) is None
    )


def _named(resource: Remote) -> str:
    return f"{resource.scope} {resource.remote_id} ({json.dumps(resource.title)})"


@dataclass(frozen=True)
class _Chosen:
    """A resource to export, with the manifest id it gets, whether it is adopted, and what belongs to it."""

    resource: Remote
    manifest_id: str
    adopt: bool
    children: tuple[Remote, ...]


def _referring(
    exported: list[ExportedManifest], chosen: Sequence[_Chosen], site: str, known: Mapping[str, str]
) -> list[ExportedManifest]:
    """Each manifest that names another exported in the same run by its remote id (a list's dashboards, a
    dashboard's powerpacks) written with `{ref: KIND/ID}` there instead, so a rename or replacement of the
    target keeps the referrer right; kept as it was when the references would not read back."""
    targets = {**known, **{e.remote_id: f"{e.kind}/{e.manifest_id}" for e in exported if e.problem is None}}
    if not targets:
        return exported
    result = []
    for plain, one in zip(exported, chosen, strict=True):
        others = {remote_id: named for remote_id, named in targets.items() if remote_id != plain.remote_id}
        referring = _manifest(one, site, others) if plain.problem is None else plain
        result.append(referring if referring.problem is None else plain)
    return result


def _manifest(chosen: _Chosen, site: str, targets: Mapping[str, str] | None = None) -> ExportedManifest:
    widget, manifest_id = chosen.resource, chosen.manifest_id
    raw, dropped = BY_KIND[widget.kind].export_document(widget, manifest_id, chosen.adopt, chosen.children)
    raw = with_references(raw, targets, BY_KIND[widget.kind].id_fields) if targets else raw
    # JSON-quoted: a site or uuid can never end the comment line.
    noun = BY_KIND[widget.kind].noun(widget.scope)
    header = f"# Exported by wac export from {json.dumps(site)}, {noun} {json.dumps(widget.remote_id)}.\n"
    problem: str | None
    document = raw
    try:
        # Export's files are meant for git: a share token there would publish the dashboard to every reader.
        document = masked_document(raw)
        text, problem = _inert_yaml(header, document)
    except (RecursionError, ValueError, TypeError) as exc:
        text, problem = "", f"cannot be written as YAML ({type(exc).__name__})"
    return ExportedManifest(
        kind=widget.kind,
        scope=widget.scope,
        manifest_id=manifest_id,
        remote_id=widget.remote_id,
        relative_path=manifest_path(widget.scope, manifest_id),
        text=text,
        dropped_tags=dropped,
        problem=problem,
        masked=document != raw,
    )


def _inert_yaml(header: str, document: dict[str, Any]) -> tuple[str, str | None]:
    """The manifest's text, with no line a CI runner would run (what every file wac writes holds), and why it
    may not be written. Text that would hold one is written again with such strings double-quoted on one line,
    where the escapes `inert` uses read back as the same text."""
    text = header + to_yaml(document)
    if inert(text) != text:
        text = inert(header + to_yaml(_quoted(document), width=_UNFOLDED))
    return text, read_back_problem(text, document)


def masked_document(value: Any) -> Any:
    """The value with every secret-shaped match in its keys and strings masked."""
    if isinstance(value, str):
        return redact(value, (), SECRET_PATTERNS)
    if isinstance(value, dict):
        return {masked_document(k): masked_document(v) for k, v in value.items()}
    if isinstance(value, list):
        return [masked_document(v) for v in value]
    return value


def _quoted(value: Any) -> Any:
    """The value with each string that could start or hold a workflow command double-quoted."""
    if isinstance(value, str):
        return DoubleQuotedScalarString(value) if inert(value) != value or "::" in value else value
    if isinstance(value, dict):
        return {_quoted(k): _quoted(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_quoted(v) for v in value]
    return value


def read_back_problem(text: str, document: dict[str, Any]) -> str | None:
    """Why `text` does not read back as exactly one valid manifest equal to `document`, or None."""
    documents, located = parse_documents(text)
    if located:
        return f"would not parse back: line {located[0].line}: {located[0].message}"
    if len(documents) != 1:
        return f"would read back as {len(documents)} documents, not 1"
    data, _, refused = with_tokens(documents[0].data, _nowhere)
    if refused:
        return f"would not validate: {refused[0].message}"
    result = validate_document("exported", Document(data, documents[0].root, documents[0].line))
    if not isinstance(result, LoadedManifest):
        return f"would not validate: {result[0].message}"
    if documents[0].data != document:
        return "would read back as different data than the widget holds"
    return None


def _nowhere(path: Sequence[str | int], want_key: bool = False) -> tuple[str, int, int, str]:
    return ("exported", 1, 1, "")


def with_references(document: dict[str, Any], targets: Mapping[str, str], id_fields: Set[str]) -> dict[str, Any]:
    """The document with each remote id that is a key of `targets`, where its kind keeps ids (`id_fields`: a
    value under such a key, or an item of the list there), written as `{ref: <its value>}`. Titles, notes and
    the document's structure (id, kind, adopt…) are never touched, whatever text they hold."""
    body = {key: value for key, value in document.items() if key not in STRUCTURE}
    return {**document, **_with_refs(body, targets, id_fields)}


def _with_refs(value: Any, targets: Mapping[str, str], id_fields: Set[str]) -> Any:
    if isinstance(value, dict):
        return {key: _ids_as_refs(item, targets) if key in id_fields else _with_refs(item, targets, id_fields)
                for key, item in value.items()}  # fmt: skip
    if isinstance(value, list):
        return [_with_refs(item, targets, id_fields) for item in value]
    return value


def _ids_as_refs(value: Any, targets: Mapping[str, str]) -> Any:
    if isinstance(value, list):
        return [_ids_as_refs(item, targets) if isinstance(item, str) else item for item in value]
    named = targets.get(value) if isinstance(value, str) else None
    return {REF: named} if named is not None else value


def _unique(widget: Remote, taken: set[tuple[str, str]]) -> str:
    # From the masked title: a file name or id must not carry a share token either.
    base = slugify(redact(widget.title, (), SECRET_PATTERNS))[: MANIFEST_ID_MAX_LENGTH - 6]
    candidate, n = base, 1
    while (widget.scope, candidate) in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add((widget.scope, candidate))
    return candidate


_UNFOLDED: Final = 2**30


def to_yaml(document: dict[str, Any], width: int = 120) -> str:
    writer = YAML()
    writer.default_flow_style = False
    writer.indent(mapping=2, sequence=4, offset=2)
    writer.width = width
    out = io.StringIO()
    writer.dump(document, out)
    return out.getvalue()
