"""Safety checks on a plan before it is applied. Pure."""

from __future__ import annotations

from typing import Final

from reconciler.planning import Action, Plan, Reason

DEFAULT_DELETE_LIMIT: Final = 10


def mass_delete_refusal(plan: Plan, delete_limit: int = DEFAULT_DELETE_LIMIT) -> str | None:
    """Why the plan deletes too much to apply unattended, or None.

    Duplicate repairs do not count: the widget they duplicate is kept.
    """
    removals = sum(1 for c in plan.changes if c.action == Action.DELETE and c.reason == Reason.REMOVED)
    if removals == 0:
        return None
    kept = plan.unchanged + plan.count(Action.UPDATE) + plan.count(Action.CREATE)
    if kept == 0 and not plan.targets:
        why = f"it deletes every widget owner '{plan.owner}' manages ({removals})"
    elif removals > delete_limit:
        why = f"it deletes {removals} widgets, more than the limit of {delete_limit}"
    else:
        return None
    return (
        f"Refusing to apply: {why}. This usually means the manifests were not found or the owner is wrong."
        " If the deletes are intended, run again with --allow-mass-delete (or raise --delete-limit)."
    )
