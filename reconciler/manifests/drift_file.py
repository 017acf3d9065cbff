"""A saved drift report (`wac drift --format json`) read back for `wac pull --from`: a claim about what the
remote holds, every field checked before a manifest is written from it."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Final

from reconciler.core.diffing import FieldChange, FieldKind
from reconciler.core.identity import id_problem
from reconciler.core.normalise import parse_path
from reconciler.core.planning import Action, Change, Reason

MAX_DRIFT_BYTES: Final = 64 * 2**20
# The drift report's orientation (before: git, after: the remote) turned into a plan's (before: the remote).
_FLIPPED: Final = {"added": FieldKind.REMOVED, "removed": FieldKind.ADDED, "changed": FieldKind.CHANGED}


class DriftFileError(ValueError):
    """What is wrong with the file, naming it and the entry."""


def pullable_edits(path: Path) -> list[Change]:
    """The edits made outside git that the report names (git unchanged since the apply), as plan changes."""
    origin = str(path)
    try:
        if path.stat().st_size > MAX_DRIFT_BYTES:
            raise DriftFileError(f"{origin}: too large for a drift report")
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise DriftFileError(
            f"{origin}: not a drift report written by `wac drift --format json` ({type(exc).__name__})"
        ) from None
    if not isinstance(raw, dict) or raw.get("format_version") != 4 or not isinstance(raw.get("edited"), list):
        raise DriftFileError(f"{origin}: not a drift report of format_version 4 (`wac drift --format json`)")
    return [
        _change(entry, f"{origin}: edited[{n}]")
        for n, entry in enumerate(raw["edited"])
        if isinstance(entry, dict) and entry.get("reason") == Reason.DRIFT.value
    ]


def _change(entry: dict[str, Any], where: str) -> Change:
    texts = {name: entry.get(name) for name in ("kind", "scope", "id", "title", "source")}
    if not all(isinstance(value, str) for value in texts.values()):
        raise DriftFileError(f"{where}: kind, scope, id, title and source must be text")
    if id_problem(str(texts["id"])):
        raise DriftFileError(f"{where}: id is not a manifest id")
    _check_source(str(texts["source"]), where)
    fields = entry.get("fields")
    if not isinstance(fields, list) or not fields:
        raise DriftFileError(f"{where}: fields must be a list of field changes")
    return Change(
        action=Action.UPDATE,
        reason=Reason.DRIFT,
        kind=str(texts["kind"]),
        scope=str(texts["scope"]),
        manifest_id=str(texts["id"]),
        title=str(texts["title"]),
        source=str(texts["source"]),
        fields=tuple(_field(f, f"{where}.fields[{n}]") for n, f in enumerate(fields)),
    )


def _check_source(source: str, where: str) -> None:
    """A manifest file inside the folder wac runs in: the report may not point a write anywhere else."""
    file = source.split(" [", 1)[0].rpartition(":")[0]
    resolved = Path(os.path.abspath(file))
    if not file or not file.endswith((".yaml", ".yml")) or not resolved.is_relative_to(Path.cwd()):
        raise DriftFileError(f"{where}: source must name a manifest file inside this repository")


def _field(value: Any, where: str) -> FieldChange:
    if not isinstance(value, dict) or not isinstance(value.get("path"), str) or value.get("kind") not in _FLIPPED:
        raise DriftFileError(f"{where}: a field change has a path and a kind (added, removed or changed)")
    if not parse_path(value["path"]):
        raise DriftFileError(f"{where}: path '{value['path'][:80]}' is not a field path")
    # The remote's value is the report's `after`; in a plan's field change it is `before`.
    return FieldChange(value["path"], _FLIPPED[value["kind"]], value.get("after"), value.get("before"))
