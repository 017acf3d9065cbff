"""The plan as versioned JSON: what `--out` saves, `--format json` prints and `apply --plan` reads."""

from __future__ import annotations

import json
from typing import Any

from reconciler import __version__
from reconciler.diffing import FieldChange, FieldKind
from reconciler.planning import PLAN_FORMAT_VERSION, Action, Change, Editor, Plan, Reason


class PlanFileError(ValueError):
    pass


def plan_to_dict(plan: Plan, site: str) -> dict[str, Any]:
    return {
        "format_version": PLAN_FORMAT_VERSION,
        "generator": f"widgets-as-code {__version__}",
        "owner": plan.owner,
        "site": site,
        "summary": {
            "create": plan.count(Action.CREATE),
            "update": plan.count(Action.UPDATE),
            "delete": plan.count(Action.DELETE),
            "unchanged": plan.unchanged,
            "managed": plan.managed,
        },
        "remote_fingerprint": plan.remote_fingerprint,
        "targets": list(plan.targets),
        "withheld_deletes": list(plan.withheld_deletes),
        "warnings": list(plan.warnings),
        "changes": [_change_to_dict(c) for c in plan.changes],
    }


def plan_to_json(plan: Plan, site: str) -> str:
    return json.dumps(plan_to_dict(plan, site), indent=2, ensure_ascii=False) + "\n"


def _change_to_dict(change: Change) -> dict[str, Any]:
    return {
        "action": change.action.value,
        "reason": change.reason.value,
        "experience_type": change.experience_type,
        "id": change.manifest_id,
        "title": change.title,
        "uuid": change.uuid,
        "source": change.source,
        "editor": None
        if change.editor is None
        else {"handle": change.editor.handle, "name": change.editor.name, "at": change.editor.at},
        "remote_modified_at": change.remote_modified_at,
        "fields": [{"path": f.path, "kind": f.kind.value, "before": f.before, "after": f.after} for f in change.fields],
        "body": None if change.definition is None else {"definition": change.definition, "tags": list(change.tags)},
    }


def plan_from_json(text: str, origin: str) -> tuple[Plan, str]:
    """A saved plan and the site it was made for; any defect is a PlanFileError naming `origin`."""
    try:
        raw = json.loads(text)
        version = raw.get("format_version")
        if version != PLAN_FORMAT_VERSION:
            raise PlanFileError(
                f"{origin}: plan format_version {version!r} is not supported; this version of wac"
                f" reads format_version {PLAN_FORMAT_VERSION}"
            )
        summary = raw["summary"]
        plan = Plan(
            owner=str(raw["owner"]),
            changes=tuple(_change_from_dict(c) for c in raw["changes"]),
            unchanged=int(summary["unchanged"]),
            managed=int(summary["managed"]),
            withheld_deletes=tuple(raw.get("withheld_deletes", ())),
            warnings=tuple(raw.get("warnings", ())),
            remote_fingerprint=str(raw["remote_fingerprint"]),
            targets=tuple(raw.get("targets", ())),
        )
        return plan, str(raw["site"])
    except PlanFileError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise PlanFileError(
            f"{origin}: not a plan file written by `wac plan --out` ({type(exc).__name__}: {exc})"
        ) from None


def _change_from_dict(raw: dict[str, Any]) -> Change:
    editor = raw.get("editor")
    body = raw.get("body")
    return Change(
        action=Action(raw["action"]),
        reason=Reason(raw["reason"]),
        experience_type=str(raw["experience_type"]),
        manifest_id=str(raw["id"]),
        title=str(raw["title"]),
        uuid=raw.get("uuid"),
        definition=None if body is None else dict(body["definition"]),
        tags=() if body is None else tuple(body["tags"]),
        fields=tuple(
            FieldChange(f["path"], FieldKind(f["kind"]), f.get("before"), f.get("after")) for f in raw.get("fields", [])
        ),
        editor=None if not editor else Editor(editor["handle"], editor["name"], editor["at"]),
        remote_modified_at=raw.get("remote_modified_at"),
        source=raw.get("source"),
    )
