"""The engine's apply over the in-memory fake: the order of writes, children and parents, lost answers,
resources gone or claimed since the plan. What each test checks is the calls the engine made."""

from __future__ import annotations

from reconciler.core.backend import BackendError, OutcomeUnknown
from reconciler.core.planning import Action
from reconciler.core.resources import Marker
from reconciler.engine.applying import CREATE_ATTEMPTS
from reconciler.testing import FakeBackend
from tests.engine.fake import apply, board, boards_api, converge, desired, plan, share


def test_creates_and_updates_go_before_any_delete() -> None:
    backend = FakeBackend()
    converge(backend, [desired("kept", "Before"), desired("removed")])
    planned = plan(backend, [desired("kept", "After"), desired("new")])
    assert {c.action for c in planned.changes} == {Action.CREATE, Action.UPDATE, Action.DELETE}

    backend.api.calls.clear()
    report = apply(backend, planned)
    assert not report.failed
    operations = backend.api.operations()
    writes = [i for i, op in enumerate(operations) if op in ("create", "update")]
    # A delete is preceded by the fetch that re-reads its marker.
    deletes = [i for i, op in enumerate(operations) if op in ("fetch", "delete")]
    assert len(writes) == 2 and deletes and max(writes) < min(deletes), operations
    assert sorted(r.title for r in backend.api.resources()) == ["After", "Spend"]


def test_a_child_is_created_after_its_parent_with_the_remote_id_it_was_just_given() -> None:
    backend = FakeBackend(boards_api())
    report = converge(backend, [share(), board()])
    made = {o.change.scope: o.remote_id for o in report.outcomes}
    creates = [c for c in backend.api.calls if c.operation == "create"]
    assert [c.scope for c in creates] == ["board", "share"]
    assert creates[1].parent_id == made["board"], "the parent created in this apply is named by its new remote id"
    (child,) = backend.api.resources("share")
    assert child.parent == ("fake/widget", "board", "checkout")
    assert not plan(backend, [board(), share()]).changes


def test_a_child_of_an_existing_parent_is_given_the_parent_s_remote_id() -> None:
    backend = FakeBackend(boards_api())
    converge(backend, [board()])
    (parent,) = backend.api.resources("board")
    backend.api.calls.clear()
    converge(backend, [board(), share()])
    (create,) = [c for c in backend.api.calls if c.operation == "create"]
    assert create.scope == "share" and create.parent_id == parent.remote_id


def test_children_are_deleted_before_their_parents() -> None:
    backend = FakeBackend(boards_api())
    converge(backend, [board(), share()])
    backend.api.calls.clear()
    converge(backend, [desired("other", scope="board")])  # keeps one board, so the guard allows the deletes
    deleted = [c.scope for c in backend.api.calls if c.operation == "delete"]
    assert deleted == ["share", "board"]
    assert [r.claims.manifest_id for r in backend.api.resources()] == ["other"]


def test_a_lost_create_is_looked_up_and_not_sent_again() -> None:
    backend = FakeBackend()
    backend.api.lose_next_create()
    (outcome,) = converge(backend, [desired("spend")]).outcomes
    assert outcome.ok and "confirmed by lookup" in outcome.detail
    assert backend.api.operations()[-2:] == ["create", "find"], "one create, then the lookup; never a second create"
    (made,) = backend.api.resources()
    assert outcome.remote_id == made.remote_id
    assert not plan(backend, [desired("spend")]).changes


def test_a_create_is_sent_again_only_after_the_lookup_finds_nothing() -> None:
    backend = FakeBackend()
    # Lost before it arrived: nothing was made, so the lookup finds nothing and only then is it sent again.
    backend.api.fail_next("create", OutcomeUnknown("the connection dropped"))
    converge(backend, [desired("spend")])
    assert backend.api.operations()[-3:] == ["create", "find", "create"]
    assert len(backend.api.resources()) == 1


def test_a_create_whose_outcome_stays_unknown_fails_after_the_attempts_allowed() -> None:
    backend = FakeBackend()
    for _ in range(CREATE_ATTEMPTS):
        backend.api.fail_next("create", OutcomeUnknown("the connection dropped"))
    (outcome,) = apply(backend, plan(backend, [desired("spend")])).outcomes
    assert not outcome.ok and "stayed unknown" in outcome.detail
    assert backend.api.operations().count("create") == CREATE_ATTEMPTS
    assert backend.api.operations().count("find") == CREATE_ATTEMPTS


def test_an_update_of_a_resource_deleted_since_the_plan_is_a_failed_outcome() -> None:
    backend = FakeBackend()
    converge(backend, [desired("spend", "Before"), desired("other")])
    planned = plan(backend, [desired("spend", "After"), desired("other", "Changed")])
    (gone,) = [c for c in planned.changes if c.manifest_id == "spend"]
    backend.api.remove(gone.remote_id or "")
    report = apply(backend, planned)
    (failed,) = report.failed
    assert failed.change.manifest_id == "spend" and "deleted since the plan" in failed.detail
    assert report.count(Action.UPDATE) == 1, "the other update still happened"


def test_a_delete_rereads_the_marker_and_leaves_a_resource_claimed_since_the_plan() -> None:
    backend = FakeBackend()
    converge(backend, [desired("kept"), desired("removed")])
    planned = plan(backend, [desired("kept")])
    (delete,) = planned.changes
    assert delete.action == Action.DELETE
    backend.api.edit(delete.remote_id or "", marker=Marker("other-team", "removed", "0" * 16))
    (outcome,) = apply(backend, planned).outcomes
    assert not outcome.ok and "changed after the plan" in outcome.detail
    assert "delete" not in backend.api.operations()
    assert backend.api.get(delete.remote_id or "") is not None


def test_a_delete_of_a_resource_already_gone_succeeds() -> None:
    backend = FakeBackend()
    converge(backend, [desired("kept"), desired("removed")])
    planned = plan(backend, [desired("kept")])
    backend.api.remove(planned.changes[0].remote_id or "")
    (outcome,) = apply(backend, planned).outcomes
    assert outcome.ok and outcome.detail == "already gone"


def test_one_failed_write_does_not_stop_the_others() -> None:
    backend = FakeBackend()
    backend.api.fail_next("create", BackendError("create failed: HTTP 400: bad request"))
    report = apply(backend, plan(backend, [desired("one"), desired("two")]))
    assert len(report.failed) == 1 and "HTTP 400" in report.failed[0].detail
    assert report.count(Action.CREATE) == 1 and len(backend.api.resources()) == 1
