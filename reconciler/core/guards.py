"""Safety checks on a plan before it is applied, and on each write before it is sent. Pure."""

from __future__ import annotations

from typing import Final

from reconciler.core.planning import Action, Change, Plan, Reason
from reconciler.core.resources import Claims

DEFAULT_DELETE_LIMIT: Final = 10
# A lost create answer leaves one duplicate now and then; more than this many at once looks like
# clones made in the UI, and their deletes count toward the limit.
DUPLICATE_ALLOWANCE: Final = 3


def mass_delete_refusal(plan: Plan, delete_limit: int = DEFAULT_DELETE_LIMIT) -> str | None:
    """Why the plan deletes too much to apply unattended, or None.

    Only existing widgets that stay count as kept: creates are new widgets, and an adoption takes
    over a widget the owner did not manage, so neither saves a plan that removes everything else.
    """
    removals = sum(1 for c in plan.changes if c.action == Action.DELETE and c.reason == Reason.REMOVED)
    duplicates = sum(1 for c in plan.changes if c.action == Action.DELETE and c.reason == Reason.DUPLICATE)
    survivors = plan.unchanged + sum(
        1 for c in plan.changes if c.action in (Action.UPDATE, Action.REPLACE) and c.reason != Reason.ADOPT
    )
    counted = removals + (duplicates if duplicates > DUPLICATE_ALLOWANCE else 0)
    if removals and survivors == 0 and not plan.targets:
        why = f"it deletes every widget owner '{plan.owner}' manages ({removals})"
        creates = plan.count(Action.CREATE)
        if creates:
            why += f" and creates {creates} new one(s) in their place"
    elif counted > delete_limit:
        why = f"it deletes {counted} widgets, more than the limit of {delete_limit}"
        if duplicates > DUPLICATE_ALLOWANCE:
            why += f" ({duplicates} of them duplicates sharing a wac-id, as copies made in the UI leave)"
    else:
        return None
    return (
        f"Refusing to apply: {why}. This usually means the wrong manifest folder or the wrong owner"
        " (check the paths, --owner, WAC_OWNER and .wac.yaml). Run `wac plan` to review the deletes; if they are"
        " intended, run again with --allow-mass-delete (or raise --delete-limit)."
    )


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
    if not claims.owned_as(owner, change.manifest_id):
        return (
            f"refused: it carries {claims.describe()}, not exactly owner '{owner}' and id '{change.manifest_id}'"
        )
    return None
