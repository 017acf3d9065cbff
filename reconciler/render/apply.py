"""What `wac apply` says: the confirmation, each failure, the summary; and the same as versioned JSON."""

from __future__ import annotations

import json
from typing import Any, Final

from reconciler import __version__
from reconciler.core.outcomes import ApplyReport, Outcome
from reconciler.core.planning import Action, Plan
from reconciler.render.common import printable

# 1: the first version; `outcomes` name each change's kind, scope, id and remote id.
APPLY_FORMAT_VERSION: Final = 1
COUNTED = (Action.CREATE, Action.UPDATE, Action.REPLACE, Action.DELETE, Action.FORGET)
DONE = {
    Action.CREATE: "created",
    Action.UPDATE: "updated",
    Action.REPLACE: "replaced",
    Action.DELETE: "deleted",
    Action.FORGET: "forgotten",
}


def confirmation(plan: Plan, site: str) -> str:
    optional = (Action.REPLACE, Action.FORGET)
    counts = ", ".join(f"{plan.count(a)} {a.value}" for a in Action if plan.count(a) or a not in optional)
    deletes = plan.count(Action.DELETE)
    warning = f" {deletes} resource(s) will be deleted." if deletes else ""
    return f"Apply {len(plan.changes)} change(s) ({counts}) to site '{printable(site)}'?{warning}"


def nothing_to_apply(plan: Plan) -> str:
    held = f" ({len(plan.held_back)} held back by conflicts, named above)" if plan.held_back else ""
    return f"Nothing to apply{held}."


def failure_line(outcome: Outcome) -> str:
    change = outcome.change
    return printable(f"failed: {change.action.value} {change.scope}/{change.manifest_id}: {outcome.detail}")


def summary_line(report: ApplyReport) -> str:
    created, updated, replaced, deleted, forgotten = (report.count(a) for a in COUNTED)
    also = f" {replaced} replaced," if replaced else ""
    let_go = f" {forgotten} forgotten," if forgotten else ""
    return (
        f"Apply complete: {created} created, {updated} updated,{also} {deleted} deleted,{let_go}"
        f" {len(report.failed)} failed."
    )


def interrupted_line(done: ApplyReport, total: int) -> str:
    created, updated, deleted = (done.count(a) for a in (Action.CREATE, Action.UPDATE, Action.DELETE))
    return (
        f"Interrupted: {created} created, {updated} updated, {deleted} deleted before stopping;"
        f" {total - len(done.outcomes)} change(s) not made. Run wac apply again to finish."
    )


def apply_to_dict(plan: Plan, report: ApplyReport, site: str, dry_run: bool = False) -> dict[str, Any]:
    return {
        "format_version": APPLY_FORMAT_VERSION,
        "generator": f"widgets-as-code {__version__}",
        "owner": plan.owner,
        "site": site,
        "dry_run": dry_run,
        "summary": {
            **{DONE[a]: report.count(a) for a in COUNTED},
            "failed": len(report.failed),
            "not_applied": len(plan.changes) - len(report.outcomes),
            "held_back": len(plan.held_back),
        },
        "outcomes": [
            {
                "action": o.change.action.value,
                "kind": o.change.kind,
                "scope": o.change.scope,
                "id": o.change.manifest_id,
                "remote_id": o.remote_id or o.change.remote_id,
                "ok": o.ok,
                "detail": o.detail,
            }
            for o in report.outcomes
        ],
        "warnings": list(plan.warnings),
    }


def apply_to_json(plan: Plan, report: ApplyReport, site: str, dry_run: bool = False) -> str:
    return json.dumps(apply_to_dict(plan, report, site, dry_run), indent=2, ensure_ascii=False) + "\n"
