"""Safety checks on a plan before it is applied, and on each write before it is sent. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from reconciler.core.planning import Action, Change, Plan, Reason
from reconciler.core.resources import Claims

DEFAULT_DELETE_LIMIT: Final = 10
# A lost create answer leaves one duplicate now and then; more than this many at once looks like
# clones made in the UI, and their deletes count toward the limit.
DUPLICATE_ALLOWANCE: Final = 3


@dataclass(frozen=True)
class Refusal:
    """A guard apply would stop this plan at, and the flag that lets it through."""

    guard: str
    text: str
    allow_with: str


def apply_refusals(plan: Plan, delete_limit: int = DEFAULT_DELETE_LIMIT) -> tuple[Refusal, ...]:
    """Every guard `wac apply` (with these settings) would stop this plan at: what a plan says first."""
    refusal = mass_delete_refusal(plan, delete_limit)
    if refusal is None:
        return ()
    return (Refusal("mass_delete", refusal, "--allow-mass-delete (or a higher --delete-limit)"),)


def mass_delete_refusal(plan: Plan, delete_limit: int = DEFAULT_DELETE_LIMIT) -> str | None:
    """Why the plan deletes too much to apply unattended, or None.

    Only existing resources that stay count as kept: creates are new, and an adoption takes over a
    resource the owner did not manage, so neither saves a plan that removes everything else.
    """
    why = _everything_deleted(plan) or _a_kind_deleted(plan) or _over_the_limit(plan, delete_limit)
    if why is None:
        return None
    return (
        f"Refusing to apply: {why}. This usually means the wrong manifest folder or the wrong owner"
        " (check the paths, --owner, WAC_OWNER and .wac.yaml). Run `wac plan` to review the deletes; if they are"
        " intended, run again with --allow-mass-delete (or raise --delete-limit)."
    )


def _deletes(plan: Plan, reason: Reason) -> int:
    return sum(1 for c in plan.changes if c.action == Action.DELETE and c.reason == reason)


def _everything_deleted(plan: Plan) -> str | None:
    removals = _deletes(plan, Reason.REMOVED)
    kept = plan.unchanged + sum(
        1 for c in plan.changes if c.action in (Action.UPDATE, Action.REPLACE) and c.reason != Reason.ADOPT
    )
    if not removals or kept or plan.targets:
        return None
    creates = plan.count(Action.CREATE)
    also = f" and creates {creates} new one(s) in their place" if creates else ""
    return f"it deletes every resource owner '{plan.owner}' manages ({removals}){also}"


def _a_kind_deleted(plan: Plan) -> str | None:
    """Every resource of one kind deleted while others stay: manifests of one kind planned from another's folder.
    What belongs to another resource (a share) goes with it and is not counted."""
    if plan.targets:
        return None
    removed: dict[str, int] = {}
    kept = set(plan.unchanged_kinds)
    for change in plan.changes:
        if change.parent is not None:
            continue
        if change.action == Action.DELETE and change.reason == Reason.REMOVED:
            removed[change.kind] = removed.get(change.kind, 0) + 1
        elif change.action in (Action.UPDATE, Action.REPLACE) and change.reason != Reason.ADOPT:
            kept.add(change.kind)
    gone = sorted(kind for kind in removed if kind not in kept)
    if not gone:
        return None
    named = ", ".join(f"{kind} ({removed[kind]})" for kind in gone)
    return f"it deletes every resource of kind {named} that owner '{plan.owner}' manages"


def _over_the_limit(plan: Plan, delete_limit: int) -> str | None:
    duplicates = _deletes(plan, Reason.DUPLICATE)
    many_copies = duplicates > DUPLICATE_ALLOWANCE
    counted = _deletes(plan, Reason.REMOVED) + (duplicates if many_copies else 0)
    if counted <= delete_limit:
        return None
    copies = f" ({duplicates} of them copies under one marker, as clones made in the UI leave)" if many_copies else ""
    return f"it deletes {counted} resources, more than the limit of {delete_limit}{copies}"


def write_refusal(change: Change, owner: str, claims: Claims | None) -> str | None:
    """Why `change` may not be written to a resource whose marker says `claims`, or None.

    An update or delete needs exactly this owner and the change's id; an adoption needs a
    resource nobody owns.
    """
    if change.action == Action.CREATE:
        return None
    if claims is None:
        return "refused: its ownership marker is unknown, so its ownership cannot be checked"
    if change.reason == Reason.ADOPT:
        if not claims.unowned:
            return f"refused: it is no longer unowned (it carries {claims.describe()})"
        return None
    if not claims.owned_as(owner, change.current_id):
        return f"refused: it carries {claims.describe()}, not exactly owner '{owner}' and id '{change.current_id}'"
    return None
