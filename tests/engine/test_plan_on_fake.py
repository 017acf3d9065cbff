"""The engine's plan over the in-memory fake: what a listing missed is asked for again before it is created,
an incomplete listing deletes nothing, and a plan made from one backend instance applies through another."""

from __future__ import annotations

from reconciler.core.planning import Action
from reconciler.testing import Call, FakeApi, FakeBackend
from tests.engine.fake import apply, converge, desired, plan


def test_a_create_is_planned_only_after_confirm_missing_found_nothing() -> None:
    backend = FakeBackend()
    planned = plan(backend, [desired("spend")])
    assert [c.action for c in planned.changes] == [Action.CREATE]
    assert backend.api.calls == [Call("list_owned"), Call("confirm_missing", keys=(("default", "spend"),))]


def test_a_resource_the_listing_missed_is_found_and_not_created_twice() -> None:
    backend = FakeBackend()
    converge(backend, [desired("spend")])
    (made,) = backend.api.resources()
    backend.api.hide_from_next_listing(made.remote_id)
    backend.api.calls.clear()

    planned = plan(backend, [desired("spend")])
    assert backend.api.operations() == ["list_owned", "confirm_missing"]
    assert planned.changes == () and planned.unchanged == 1
    apply(backend, planned)
    assert [r.remote_id for r in backend.api.resources()] == [made.remote_id]


def test_what_a_listing_missed_is_updated_not_created() -> None:
    backend = FakeBackend()
    converge(backend, [desired("spend", "Before")])
    (made,) = backend.api.resources()
    backend.api.hide_from_next_listing(made.remote_id)
    (change,) = plan(backend, [desired("spend", "After")]).changes
    assert change.action == Action.UPDATE and change.remote_id == made.remote_id


def test_no_confirm_missing_without_a_create() -> None:
    backend = FakeBackend()
    converge(backend, [desired("spend", "Before")])
    backend.api.calls.clear()
    plan(backend, [desired("spend", "After")])
    assert backend.api.operations() == ["list_owned"]


def test_an_incomplete_listing_deletes_nothing_in_that_scope() -> None:
    backend = FakeBackend(FakeApi(scopes=("a", "b")))
    converge(backend, [desired("one", scope="a"), desired("two", scope="b"), desired("kept", scope="b")])
    backend.api.mark_incomplete("a", "a page could not be read")
    planned = plan(backend, [desired("kept", scope="b")])
    assert [(c.action, c.scope) for c in planned.changes] == [(Action.DELETE, "b")]
    assert any("a page could not be read" in why for why in planned.withheld_deletes), planned.withheld_deletes


def test_a_plan_from_one_instance_applies_through_another() -> None:
    api = FakeApi()
    converge(FakeBackend(api), [desired("spend", "Before"), desired("old")])
    planned = plan(FakeBackend(api), [desired("spend", "After"), desired("new")])
    report = apply(FakeBackend(api), planned)
    assert not report.failed and len(report.outcomes) == 3
    assert sorted(r.title for r in api.resources()) == ["After", "Spend"]
    assert not plan(FakeBackend(api), [desired("spend", "After"), desired("new")]).changes
