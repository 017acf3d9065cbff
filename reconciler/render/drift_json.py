"""The drift report as versioned JSON (`wac drift --format json`): the format and its version in one place."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Final

from reconciler.core.diffing import FieldChange
from reconciler.core.drift import DriftReport, Edit
from reconciler.core.plan_file import conflict_to_dict

# 3: entries name their `kind` and `scope` (was `experience_type`) and `remote_id` (was `uuid`).
DRIFT_FORMAT_VERSION: Final = 3


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
            "reason": change.reason.value,
            "changed_by": None if editor is None else {"handle": editor.handle, "name": editor.name},
            "changed_at": None if editor is None else editor.at,
            "fields": _fields(edit.fields),
            "pending_in_git": _fields(edit.pending),
            "told_apart": edit.told_apart,
            "cautions": [{"text": c.text, "widens_access": c.widens} for c in change.outside_cautions],
        }

    return {
        "format_version": DRIFT_FORMAT_VERSION,
        "owner": report.owner,
        "drifted": report.drifted,
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


def render_drift_json(report: DriftReport) -> str:
    return json.dumps(drift_to_dict(report), indent=2, ensure_ascii=False)
