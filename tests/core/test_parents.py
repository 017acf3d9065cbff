"""Resources that belong to another (a dashboard's share): held back with it, ordered around it, and
known by their content when the API keeps no modification time. Plain data, no I/O."""

from __future__ import annotations

from dataclasses import replace

from reconciler.core.backend import Listing
from reconciler.core.planning import Action, fingerprint, plan_changes
from reconciler.core.resources import Claims, Desired, Remote

PARENT = ("api/board", "board", "checkout")


def board(manifest_id: str = "checkout") -> Desired:
    return Desired("api/board", "board", manifest_id, "Checkout", {"title": "Checkout"}, (), "b.yaml:1")


def share(content: dict[str, object] | None = None) -> Desired:
    return Desired(
        "api/board", "share", "checkout", "Checkout", content or {"type": "invite"}, (), "b.yaml:1", parent=PARENT
    )


def remote(scope: str, claims: Claims, content: dict[str, object], modified_at: str = "") -> Remote:
    parent = PARENT if scope == "share" else None
    return Remote("api/board", scope, "abc", "Checkout", content, claims, modified_at=modified_at, parent=parent)


def test_what_belongs_to_a_resource_in_conflict_waits_with_it() -> None:
    conflicted = Claims(owners=("team", "other"), manifest_ids=("checkout",))
    plan = plan_changes([board(), share()], Listing((remote("board", conflicted, {"title": "x"}),)), "team")
    assert plan.changes == () and len(plan.conflicts) == 1


def test_a_share_is_created_with_its_parent_named_and_a_removed_one_deleted_with_it() -> None:
    plan = plan_changes([board(), share()], Listing(()), "team")
    created = {c.scope: c for c in plan.changes}
    assert created["share"].parent == PARENT and created["board"].parent is None

    mine = Claims(owners=("team",), manifest_ids=("checkout",), applied=share().digest())
    listing = Listing((remote("board", mine, {"title": "Checkout"}), remote("share", mine, {"type": "open"})))
    (revoke,) = plan_changes([board()], listing, "team").changes
    assert revoke.action == Action.DELETE and revoke.parent == PARENT
    assert revoke.remote_content == {"type": "open"}, "a delete carries what it removes, for cautions"


def test_a_resource_without_modification_time_is_fingerprinted_by_its_content() -> None:
    mine = Claims(owners=("team",), manifest_ids=("checkout",))
    before = fingerprint([remote("share", mine, {"type": "invite"})])
    assert fingerprint([remote("share", mine, {"type": "open"})]) != before
    assert fingerprint([remote("share", mine, {"type": "invite"})]) == before
    timed = fingerprint([remote("board", mine, {"title": "a"}, modified_at="t1")])
    assert fingerprint([remote("board", mine, {"title": "b"}, modified_at="t1")]) == timed


def test_renaming_a_resource_and_removing_what_belongs_to_it_deletes_that_under_the_new_id() -> None:
    """The rename rewrites the parent's marker first; the child's delete then re-checks it under the new id."""
    mine = Claims(owners=("team",), manifest_ids=("checkout",), applied=board().digest())
    listing = Listing((remote("board", mine, {"title": "Checkout"}), remote("share", mine, {"type": "open"})))
    renamed = replace(board("checkout-v2"), moved_from=("checkout",))
    plan = plan_changes([renamed], listing, "team")
    by_scope = {c.scope: c for c in plan.changes}
    assert by_scope["board"].renamed_from == "checkout"
    assert by_scope["share"].action == Action.DELETE and by_scope["share"].manifest_id == "checkout-v2"
    claims = by_scope["share"].remote_claims
    assert claims is not None and claims.manifest_ids == ("checkout-v2",), "checked as the rename leaves it"
