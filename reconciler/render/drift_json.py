"""The drift report as versioned JSON (`wac drift --format json`): the format and its version in one place."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Final

from reconciler.core.diffing import FieldChange
from reconciler.core.drift import DriftReport, Edit
from reconciler.core.plan_file import conflict_to_dict, editor_to_dict

# 4: a `summary` (counts by class and by kind); `changed_by` as data (`known: false` and a `note` when the API
#    cannot tell who); `changed_at` a timestamp or null. 3: entries named `kind`, `scope` and `remote_id`.
DRIFT_FORMAT_VERSION: Final = 4
CLASSES: Final = ("edited", "missing", "unmanaged", "conflicts", "pending_in_git")


def _fields(fields: Iterable[FieldChange]) -> list[dict[str, Any]]:
    return [{"path": f.path, "kind": f.kind.value, "before": f.before, "after": f.after} for f in fields]


def drift_to_dict(report: DriftReport) -> dict[str, Any]:
    def edited(edit: Edit) -> dict[str, Any]:
        change, editor = edit.change, edit.change.editor
        return {
            "kind": change.kind,
            "scope": change.scope,
            "id": change.manifest_id,
            "remote_id": change.remote_id,
            "title": change.title,
            "source": change.source,
            "reason": change.reason.value,
            "changed_by": None if editor is None else _who(editor_to_dict(editor)),
            "changed_at": (editor.at or None) if editor is not None else None,
            "fields": _fields(edit.fields),
            "pending_in_git": _fields(edit.pending),
            "told_apart": edit.told_apart,
            "cautions": [{"text": c.text, "widens_access": c.widens} for c in change.outside_cautions],
        }

    return {
        "format_version": DRIFT_FORMAT_VERSION,
        "owner": report.owner,
        "drifted": report.drifted,
        "summary": summary(report),
        "edited": [edited(e) for e in report.edits],
        "pending_in_git": [
            {"kind": e.change.kind, "scope": e.change.scope, "id": e.change.manifest_id, "fields": _fields(e.pending)}
            for e in report.pending
        ],
        "missing": [
            {"kind": c.kind, "scope": c.scope, "id": c.manifest_id, "title": c.title, "source": c.source}
            for c in report.missing
        ],
        "unmanaged": [
            {
                "kind": w.kind,
                "scope": w.scope,
                "remote_id": w.remote_id,
                "title": w.title,
                "created_by": w.created_by.handle if w.created_by else None,
            }
            for w in report.unmanaged
        ],
        "conflicts": [conflict_to_dict(c) for c in report.conflicts],
        "notes": list(report.notes),
    }


def summary(report: DriftReport) -> dict[str, Any]:
    """How many of each class, in all and by kind, so a scheduled job can decide without reading entries."""
    kinds = {
        "edited": [e.change.kind for e in report.edits],
        "missing": [c.kind for c in report.missing],
        "unmanaged": [r.kind for r in report.unmanaged],
        "conflicts": [c.kind for c in report.conflicts],
        "pending_in_git": [e.change.kind for e in report.pending],
    }
    by_kind: dict[str, dict[str, int]] = {}
    for name, found in kinds.items():
        for kind in found:
            by_kind.setdefault(kind, dict.fromkeys(CLASSES, 0))[name] += 1
    return {**{name: len(found) for name, found in kinds.items()}, "by_kind": by_kind}


def _who(editor: dict[str, Any]) -> dict[str, Any]:
    return {key: editor[key] for key in ("handle", "name", "known", "note")}


def render_drift_json(report: DriftReport) -> str:
    return json.dumps(drift_to_dict(report), indent=2, ensure_ascii=False)
