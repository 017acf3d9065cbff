"""The plan as versioned JSON: what `--out` saves, `--format json` prints and `apply --plan` reads.

A saved plan is a claim, never an instruction: reading one checks every field, and `apply --plan`
applies a fresh plan only when it equals the claim (`engine/saved_plans.py`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, NoReturn

from reconciler import __version__
from reconciler.core.diffing import FieldChange, FieldKind
from reconciler.core.guards import apply_refusals
from reconciler.core.identity import REMOTE_ID, id_problem, owner_problem
from reconciler.core.inert import escape_controls
from reconciler.core.planning import Action, Change, Conflict, Editor, Plan, Reason
from reconciler.core.resources import Marker

# 3: each change and conflict names its `kind` and `scope`, and carries content and marker, not a body.
PLAN_FORMAT_VERSION: Final = 3
_SHA256: Final = re.compile(r"^[0-9a-f]{64}$")
_HEX: Final = re.compile(r"^[0-9a-f]{1,64}$")


class PlanFileError(ValueError):
    pass


@dataclass(frozen=True)
class PlanInputs:
    """What a plan was made from: the paths given, and every manifest file read with its sha256."""

    paths: tuple[str, ...]
    files: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SavedPlan:
    plan: Plan
    site: str
    inputs: PlanInputs


def plan_to_dict(plan: Plan, site: str, inputs: PlanInputs | None = None) -> dict[str, Any]:
    return {
        "format_version": PLAN_FORMAT_VERSION,
        "generator": f"widgets-as-code {__version__}",
        "owner": plan.owner,
        "site": site,
        "inputs": None
        if inputs is None
        else {"paths": list(inputs.paths), "files": [{"path": p, "sha256": d} for p, d in inputs.files]},
        "summary": {
            "create": plan.count(Action.CREATE),
            "update": plan.count(Action.UPDATE),
            "replace": plan.count(Action.REPLACE),
            # Updates that rename a resource (counted in `update` too).
            "rename": sum(1 for c in plan.changes if c.renamed_from),
            "delete": plan.count(Action.DELETE),
            "forget": plan.count(Action.FORGET),
            "widens_access": sum(1 for c in plan.changes if c.widens_access),
            "held_back": len(plan.held_back),
            # Each guard `wac apply` (at its defaults) would stop this plan at: review before merging.
            "refused_by": [refusal.guard for refusal in apply_refusals(plan)],
            "unchanged": plan.unchanged,
            "unchanged_kinds": list(plan.unchanged_kinds),
            "managed": plan.managed,
        },
        "remote_fingerprint": plan.remote_fingerprint,
        "targets": list(plan.targets),
        "kinds": list(plan.kinds),
        "forgotten": list(plan.forgotten),
        "withheld_deletes": list(plan.withheld_deletes),
        "warnings": list(plan.warnings),
        "conflicts": [conflict_to_dict(c) for c in plan.conflicts],
        "held_back": [{"kind": kind, "scope": scope, "id": manifest_id} for kind, scope, manifest_id in plan.held_back],
        "refusals": [{"guard": r.guard, "text": r.text, "allow_with": r.allow_with} for r in apply_refusals(plan)],
        "errors": list(plan.errors),
        "changes": [_change_to_dict(c) for c in plan.changes],
    }


def conflict_to_dict(conflict: Conflict) -> dict[str, Any]:
    return {
        "kind": conflict.kind,
        "scope": conflict.scope,
        "remote_id": conflict.remote_id,
        "title": conflict.title,
        "owners": list(conflict.owners),
        "ids": list(conflict.manifest_ids),
        "how_to_resolve": conflict.describe(),
    }


def editor_to_dict(editor: Editor) -> dict[str, Any]:
    """Who changed a resource and when, for machines: `known` is false (and `note` says why) when the API cannot
    tell who; `at` is a timestamp, or null when the API gives none."""
    return {
        "handle": editor.handle or None,
        "name": editor.name or None,
        "known": editor.known,
        "note": editor.note or None,
        "at": editor.at or None,
    }


def plan_to_json(plan: Plan, site: str, inputs: PlanInputs | None = None) -> str:
    return json.dumps(plan_to_dict(plan, site, inputs), indent=2, ensure_ascii=False) + "\n"


def _change_to_dict(change: Change) -> dict[str, Any]:
    return {
        "action": change.action.value,
        "reason": change.reason.value,
        "kind": change.kind,
        "scope": change.scope,
        "id": change.manifest_id,
        # The id the resource carries now, for a rename (`moved_from`); null otherwise.
        "renamed_from": change.renamed_from,
        "title": change.title,
        "remote_id": change.remote_id,
        "source": change.source,
        "editor": None if change.editor is None else editor_to_dict(change.editor),
        "remote_modified_at": change.remote_modified_at,
        "replace_reason": change.replace_reason,
        # For people and review bots; apply recomputes them and never reads these.
        "cautions": [{"text": c.text, "widens_access": c.widens} for c in change.cautions],
        "fields": [{"path": f.path, "kind": f.kind.value, "before": f.before, "after": f.after} for f in change.fields],
        "content": change.content,
        "marker": None
        if change.marker is None
        else {"owner": change.marker.owner, "id": change.marker.manifest_id, "applied": change.marker.applied},
    }


def plan_from_json(text: str, origin: str, scopes: Mapping[str, Sequence[str]]) -> SavedPlan:
    """A saved plan, every field checked; any defect is a PlanFileError naming `origin` and the field.

    `scopes` holds each known kind's scopes: a change may name no other.
    """
    try:
        raw = json.loads(text)
    except RecursionError:
        raise PlanFileError(f"{origin}: nested too deeply to be a plan file written by `wac plan --out`") from None
    except ValueError as exc:
        reason = "a number too long" if "digits" in str(exc) else f"not JSON: {str(exc)[:120]}"
        raise PlanFileError(f"{origin}: not a plan file written by `wac plan --out` ({reason})") from None
    reader = _Reader(origin, scopes)
    root = reader.mapping(raw, "the file")
    version = root.get("format_version")
    if version != PLAN_FORMAT_VERSION:
        raise PlanFileError(
            f"{origin}: plan format_version {escape_controls(repr(version)[:40])} is not supported; this version"
            f" of wac reads format_version {PLAN_FORMAT_VERSION}. Make the plan again with `wac plan --out {origin}`"
        )
    owner = reader.text(root.get("owner"), "owner")
    if owner_problem(owner):
        reader.fail("owner", f"'{owner[:80]}' is not a valid owner")
    site = reader.text(root.get("site"), "site")
    if not 0 < len(site) <= 300:
        reader.fail("site", "must be a site name or URL of at most 300 characters")
    summary = reader.mapping(root.get("summary"), "summary")
    plan = Plan(
        owner=owner,
        changes=tuple(
            reader.change(c, f"changes[{n}]") for n, c in enumerate(reader.items(root.get("changes"), "changes"))
        ),
        unchanged=reader.count(summary.get("unchanged"), "summary.unchanged"),
        unchanged_kinds=tuple(
            reader.kind(k, "summary.unchanged_kinds")
            for k in reader.items(summary.get("unchanged_kinds", []), "summary.unchanged_kinds")
        ),
        managed=reader.count(summary.get("managed"), "summary.managed"),
        withheld_deletes=tuple(reader.texts(root.get("withheld_deletes", []), "withheld_deletes")),
        warnings=tuple(reader.texts(root.get("warnings", []), "warnings")),
        remote_fingerprint=reader.pattern(root.get("remote_fingerprint"), "remote_fingerprint", _HEX, "a hex digest"),
        targets=tuple(reader.manifest_id(t, "targets") for t in reader.items(root.get("targets", []), "targets")),
        kinds=tuple(reader.kind(k, "kinds") for k in reader.items(root.get("kinds", []), "kinds")),
        forgotten=tuple(reader.texts(root.get("forgotten", []), "forgotten")),
        errors=tuple(reader.texts(root.get("errors", []), "errors")),
        held_back=tuple(
            reader.key(k, f"held_back[{n}]") for n, k in enumerate(reader.items(root.get("held_back", []), "held_back"))
        ),
    )
    return SavedPlan(plan, site, reader.inputs(root.get("inputs")))


class _Reader:
    """Type checks for each field of a plan file, failing with the field's name and what is allowed."""

    def __init__(self, origin: str, scopes: Mapping[str, Sequence[str]]) -> None:
        self.origin = origin
        self.scopes = scopes

    def fail(self, where: str, what: str) -> NoReturn:
        # What the file holds is quoted in `what`: its control characters are shown escaped, never as they are.
        shown = escape_controls(what)
        raise PlanFileError(f"{self.origin}: {where} {shown}; the file was not written by `wac plan --out` as it is")

    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(where, "must be a JSON object")
        return value

    def items(self, value: Any, where: str) -> list[Any]:
        if not isinstance(value, list):
            self.fail(where, "must be a list")
        return value

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            self.fail(where, "must be text")
        return value

    def texts(self, value: Any, where: str) -> list[str]:
        return [self.text(v, where) for v in self.items(value, where)]

    def count(self, value: Any, where: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            self.fail(where, "must be a whole number of at least 0")
        return value

    def pattern(self, value: Any, where: str, pattern: re.Pattern[str], what: str) -> str:
        text = self.text(value, where)
        if not pattern.fullmatch(text):
            self.fail(where, f"must be {what}")
        return text

    def manifest_id(self, value: Any, where: str) -> str:
        text = self.text(value, where)
        if id_problem(text):
            self.fail(where, f"holds '{text[:80]}', which is not a manifest id")
        return text

    def key(self, value: Any, where: str) -> tuple[str, str, str]:
        raw = self.mapping(value, where)
        kind = self.kind(raw.get("kind"), f"{where}.kind")
        scope = self.text(raw.get("scope"), f"{where}.scope")
        if scope not in self.scopes[kind]:
            self.fail(f"{where}.scope", f"must be one of {', '.join(self.scopes[kind])}")
        return kind, scope, self.manifest_id(raw.get("id"), f"{where}.id")

    def kind(self, value: Any, where: str) -> str:
        kind = self.text(value, where)
        if kind not in self.scopes:
            self.fail(where, f"must be one of {', '.join(self.scopes)}")
        return kind

    def inputs(self, value: Any) -> PlanInputs:
        if value is None:
            self.fail("inputs", "is missing (the plan does not say which manifests it was made from)")
        raw = self.mapping(value, "inputs")
        paths = tuple(self.texts(raw.get("paths"), "inputs.paths"))
        files = []
        for n, item in enumerate(self.items(raw.get("files"), "inputs.files")):
            entry = self.mapping(item, f"inputs.files[{n}]")
            digest = self.pattern(entry.get("sha256"), f"inputs.files[{n}].sha256", _SHA256, "a sha256 hex digest")
            files.append((self.text(entry.get("path"), f"inputs.files[{n}].path"), digest))
        return PlanInputs(paths, tuple(files))

    def change(self, value: Any, where: str) -> Change:
        raw = self.mapping(value, where)
        action = self.choice(raw.get("action"), f"{where}.action", Action)
        reason = self.choice(raw.get("reason"), f"{where}.reason", Reason)
        kind = self.kind(raw.get("kind"), f"{where}.kind")
        scope = self.text(raw.get("scope"), f"{where}.scope")
        if scope not in self.scopes[kind]:
            self.fail(f"{where}.scope", f"must be one of {', '.join(self.scopes[kind])}")
        remote_id = raw.get("remote_id")
        if action == Action.CREATE:
            if remote_id is not None:
                self.fail(f"{where}.remote_id", "must be null for a create")
        else:
            remote_id = self.pattern(remote_id, f"{where}.remote_id", REMOTE_ID, "a remote id")
        content: dict[str, Any] | None = None
        marker: Marker | None = None
        renamed = raw.get("renamed_from")
        renamed_from = None if renamed is None else self.manifest_id(renamed, f"{where}.renamed_from")
        if action in (Action.DELETE, Action.FORGET):
            for name in ("content", "marker"):
                if raw.get(name) is not None:
                    self.fail(f"{where}.{name}", "must be null for a delete")
        else:
            content = self.mapping(raw.get("content"), f"{where}.content")
            written = self.mapping(raw.get("marker"), f"{where}.marker")
            marker = Marker(
                self.text(written.get("owner"), f"{where}.marker.owner"),
                self.manifest_id(written.get("id"), f"{where}.marker.id"),
                self.pattern(written.get("applied"), f"{where}.marker.applied", _HEX, "a hex digest"),
                renamed_from,
            )
        editor = raw.get("editor")
        if editor is not None:
            editor = self.mapping(editor, f"{where}.editor")
        return Change(
            action=action,
            reason=reason,
            kind=kind,
            scope=scope,
            manifest_id=self.manifest_id(raw.get("id"), f"{where}.id"),
            title=self.text(raw.get("title"), f"{where}.title"),
            remote_id=remote_id,
            content=content,
            marker=marker,
            fields=tuple(
                self.field(f, f"{where}.fields") for f in self.items(raw.get("fields", []), f"{where}.fields")
            ),
            editor=None if editor is None else self.editor(editor, f"{where}.editor"),
            remote_modified_at=None
            if raw.get("remote_modified_at") is None
            else self.text(raw.get("remote_modified_at"), f"{where}.remote_modified_at"),
            source=None if raw.get("source") is None else self.text(raw.get("source"), f"{where}.source"),
            replace_reason=None
            if raw.get("replace_reason") is None
            else self.text(raw.get("replace_reason"), f"{where}.replace_reason"),
            renamed_from=renamed_from,
        )

    def editor(self, raw: dict[str, Any], where: str) -> Editor:
        handle, name = (self.text(raw.get(k) or "", f"{where}.{k}") for k in ("handle", "name"))
        at, note = (self.text(raw.get(k) or "", f"{where}.{k}") for k in ("at", "note"))
        return Editor(handle, name, at, note)

    def field(self, value: Any, where: str) -> FieldChange:
        raw = self.mapping(value, where)
        kind = self.choice(raw.get("kind"), f"{where}.kind", FieldKind)
        return FieldChange(self.text(raw.get("path"), f"{where}.path"), kind, raw.get("before"), raw.get("after"))

    def choice(self, value: Any, where: str, allowed: Any) -> Any:
        names = [member.value for member in allowed]
        if value not in names:
            self.fail(where, f"must be one of {', '.join(repr(n) for n in names)}")
        return allowed(value)
