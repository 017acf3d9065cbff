"""The Backend protocol's promises (`reconciler/core/backend.py`), each a test run against every real backend
over its emulator and against the in-memory fake: what the engine relies on, checked the same way for all."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from reconciler.core.backend import BackendError, Gone, OutcomeUnknown
from reconciler.core.planning import Action, plan_changes
from reconciler.core.resources import Remote
from reconciler.engine.runs import apply_run, plan_run, read_remote
from tests.contract.subjects import SUBJECTS, Subject

OWNER = "team-a"
OTHER = "team-b"


@pytest.fixture(params=SUBJECTS, ids=lambda s: s.name)
def subject(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Subject]:
    made: Subject = request.param(tmp_path)
    yield made
    made.close()


def run(scenario: Callable[[], Coroutine[Any, Any, None]]) -> None:
    asyncio.run(scenario())


def only(remotes: list[Remote], remote_id: str, scope: str) -> Remote:
    found = [r for r in remotes if r.remote_id == remote_id and r.scope == scope]
    assert len(found) == 1, f"expected {scope} {remote_id} once in {[(r.scope, r.remote_id) for r in remotes]}"
    return found[0]


def in_scope(remotes: list[Remote] | tuple[Remote, ...], scope: str) -> list[Remote]:
    return [r for r in remotes if r.scope == scope]


def test_create_then_list_owned_shows_it_with_its_marker_and_a_complete_verdict(subject: Subject) -> None:
    async def scenario() -> None:
        async with subject.open() as backend:
            remote_id = await subject.create(backend, OWNER, "spend")
            listing = await backend.list_owned(OWNER)
        listed = only(list(listing.resources), remote_id, subject.scope)
        assert listed.kind == subject.kind
        assert listed.claims.owned_as(OWNER, "spend") and not listed.claims.conflicted
        assert listed.claims.applied == subject.desired("spend").digest()
        assert (subject.kind, subject.scope) not in listing.incomplete

    run(scenario)


def test_fetch_returns_it_and_none_once_it_is_gone(subject: Subject) -> None:
    async def scenario() -> None:
        async with subject.open() as backend:
            remote_id = await subject.create(backend, OWNER, "spend")
            found = await backend.fetch(subject.scope, remote_id)
            assert found is not None and found.remote_id == remote_id and found.scope == subject.scope
            assert found.claims.owned_as(OWNER, "spend")
            assert await backend.delete(subject.scope, remote_id, OWNER, "spend")
            assert await backend.fetch(subject.scope, remote_id) is None

    run(scenario)


def test_update_changes_content_and_marker(subject: Subject) -> None:
    async def scenario() -> None:
        after = subject.desired("spend", version=1)
        async with subject.open() as backend:
            remote_id = await subject.create(backend, OWNER, "spend")
            await backend.update(subject.scope, remote_id, after.content, after.marker(OWNER))
            found = await backend.fetch(subject.scope, remote_id)
        assert found is not None
        assert found.claims.owned_as(OWNER, "spend") and found.claims.applied == after.digest()
        written = replace(found, content=backend.normalise(found.content))
        assert written.digest(after.ignore) == after.digest(), "the content is what the update wrote"
        assert after.digest() != subject.desired("spend").digest()

    run(scenario)


def test_update_refuses_a_resource_let_go_since_the_plan_unless_it_adopts_it(subject: Subject) -> None:
    """A marker removed after the plan (a person letting the resource go) stops the write; only an adoption's
    marker may find none."""
    if subject.update_unchecked or subject.desired("spend").parent is not None:
        pytest.skip(subject.update_unchecked or "marked through its parent: the parent's write is checked")

    async def scenario() -> None:
        after = subject.desired("spend", version=1)
        async with subject.open() as backend:
            remote_id = await subject.create(backend, OWNER, "spend")
            assert await backend.release(subject.scope, remote_id, OWNER, "spend")
            with pytest.raises(BackendError, match="refused"):
                await backend.update(subject.scope, remote_id, after.content, after.marker(OWNER))
            found = await backend.fetch(subject.scope, remote_id)
            assert found is not None and found.claims.unowned, "nothing was written"
            adopting = replace(after.marker(OWNER), adopting=True)
            await backend.update(subject.scope, remote_id, after.content, adopting)
            taken = await backend.fetch(subject.scope, remote_id)
        assert taken is not None and taken.claims.owned_as(OWNER, "spend")

    run(scenario)


def test_update_of_a_deleted_resource_raises_gone(subject: Subject) -> None:
    async def scenario() -> None:
        want = subject.desired("spend", version=1)
        async with subject.open() as backend:
            remote_id = await subject.create(backend, OWNER, "spend")
            assert await backend.delete(subject.scope, remote_id, OWNER, "spend")
            with pytest.raises(Gone):
                await backend.update(subject.scope, remote_id, want.content, want.marker(OWNER))

    run(scenario)


def test_delete_says_true_then_false_when_already_gone(subject: Subject) -> None:
    async def scenario() -> None:
        async with subject.open() as backend:
            remote_id = await subject.create(backend, OWNER, "spend")
            assert await backend.delete(subject.scope, remote_id, OWNER, "spend") is True
            assert await backend.delete(subject.scope, remote_id, OWNER, "spend") is False
            assert not in_scope((await backend.list_owned(OWNER)).resources, subject.scope)

    run(scenario)


def test_release_removes_only_the_marker_and_never_what_is_not_ours(subject: Subject) -> None:
    async def scenario() -> None:
        async with subject.open() as backend:
            remote_id = await subject.create(backend, OWNER, "spend")
            theirs = await subject.create(backend, OTHER, "spend")
            before = await backend.fetch(subject.scope, remote_id)
            with pytest.raises(BackendError):
                await backend.release(subject.scope, theirs, OWNER, "spend")
            assert await backend.release(subject.scope, remote_id, OWNER, "spend") is True
            after = await backend.fetch(subject.scope, remote_id)
            owned = (await backend.list_owned(OWNER)).resources
            everything = await backend.list_all([subject.scope])
            assert await backend.delete(subject.scope, remote_id, OWNER, "spend") is True
            assert await backend.release(subject.scope, remote_id, OWNER, "spend") is False, "gone"
        assert before is not None and after is not None
        assert after.content == before.content, "everything else as it was"
        if subject.desired("spend").parent is not None:
            return  # marked through its parent (a share through its dashboard): released with it, nothing written
        assert after.claims.unowned, "let go: no owner's marker left"
        assert not [r for r in in_scope(owned, subject.scope) if r.remote_id == remote_id]
        assert only(everything, remote_id, subject.scope).claims.unowned

    run(scenario)


def test_find_gives_exactly_the_owner_s_resources_with_that_id(subject: Subject) -> None:
    async def scenario() -> None:
        async with subject.open() as backend:
            mine = await subject.create(backend, OWNER, "spend")
            await subject.create(backend, OWNER, "other-id")
            await subject.create(backend, OTHER, "spend")
            # A marker naming this owner and id beside another owner is nobody's: a lookup must not take it.
            await subject.ui_conflict(OWNER, OTHER, "spend")
            found = await backend.find(OWNER, subject.scope, "spend")
            assert [(r.scope, r.remote_id) for r in found] == [(subject.scope, mine)]
            assert found[0].claims.owned_as(OWNER, "spend")
            assert await backend.find(OWNER, subject.scope, "absent") == []

    run(scenario)


def test_confirm_missing_reads_again_and_finds_nothing_for_what_is_missing(subject: Subject) -> None:
    async def scenario() -> None:
        async with subject.open() as backend:
            mine = await subject.create(backend, OWNER, "spend")
            await subject.create(backend, OTHER, "spend")
            found = await backend.confirm_missing(OWNER, [(subject.scope, "spend"), (subject.scope, "absent")])
            assert [(r.scope, r.remote_id) for r in found] == [(subject.scope, mine)]
            assert await backend.confirm_missing(OWNER, [(subject.scope, "absent")]) == []

    run(scenario)


def test_list_owned_never_returns_another_owner_s_resource_and_names_conflicts(subject: Subject) -> None:
    async def scenario() -> None:
        async with subject.open() as backend:
            mine = await subject.create(backend, OWNER, "spend")
            theirs = await subject.create(backend, OTHER, "spend")
            unowned = await subject.ui_unowned()
            conflict = await subject.ui_conflict(OWNER, OTHER, "copied")
            listed = in_scope((await backend.list_owned(OWNER)).resources, subject.scope)
            other_listed = in_scope((await backend.list_owned(OTHER)).resources, subject.scope)
        ids = {r.remote_id for r in listed}
        assert mine in ids and theirs not in ids and unowned not in ids
        assert all(OWNER in r.claims.owners for r in listed)
        assert theirs in {r.remote_id for r in other_listed} and mine not in {r.remote_id for r in other_listed}
        if conflict is not None:
            named = only(listed, conflict, subject.scope)
            assert named.claims.conflicted and {OWNER, OTHER} <= set(named.claims.owners)
            assert conflict in {r.remote_id for r in other_listed}, "a conflict is named to each owner it names"

    run(scenario)


def test_list_all_includes_unowned_resources(subject: Subject) -> None:
    async def scenario() -> None:
        async with subject.open() as backend:
            mine = await subject.create(backend, OWNER, "spend")
            unowned = await subject.ui_unowned()
            everything = await backend.list_all([subject.scope])
        assert only(everything, unowned, subject.scope).claims.unowned
        assert only(everything, mine, subject.scope).claims.owned_as(OWNER, "spend")
        assert {r.scope for r in everything} == {subject.scope}, "only the scopes asked for"

    run(scenario)


def test_normalise_is_idempotent_and_a_created_resource_lists_back_without_a_diff(subject: Subject) -> None:
    async def scenario() -> None:
        wanted = subject.resources("spend")
        async with subject.open() as backend:
            remote_id = await subject.create(backend, OWNER, "spend")
            raw = only(list((await backend.list_owned(OWNER)).resources), remote_id, subject.scope)
            listing = await read_remote({subject.kind: backend}, OWNER)
        contents = [raw.content, subject.desired("spend").content, subject.desired("spend", 1).content]
        for content in contents:
            once = backend.normalise(content)
            assert backend.normalise(once) == once
        want = subject.desired("spend")
        listed = replace(raw, content=backend.normalise(raw.content))
        assert listed.digest(want.ignore) == want.digest(), (listed.content, want.content)
        plan = plan_changes(wanted, listing, OWNER, kinds=[subject.kind])
        assert [c for c in plan.changes if c.scope == subject.scope] == [], "listed back as created: no diff"

    run(scenario)


def test_a_create_whose_answer_is_lost_is_found_exactly_once(subject: Subject) -> None:
    if subject.lost_create_skip:
        pytest.skip(subject.lost_create_skip)

    async def scenario() -> None:
        want = subject.desired("spend")
        async with subject.open() as backend:
            parent_id = await subject.create_parents(backend, OWNER, "spend")
        async with subject.lossy() as lossy:
            with pytest.raises(OutcomeUnknown):
                await lossy.create(want.scope, want.content, want.marker(OWNER), parent_id)
        async with subject.open() as backend:
            found = await backend.find(OWNER, subject.scope, "spend")
            assert len(found) == 1 and found[0].claims.owned_as(OWNER, "spend")
            assert found[0].claims.applied == want.digest()

    run(scenario)


def test_a_resource_written_through_one_instance_is_read_by_another(subject: Subject) -> None:
    async def scenario() -> None:
        async with subject.open() as writer:
            remote_id = await subject.create(writer, OWNER, "spend")
        async with subject.open() as reader:
            listed = only(in_scope((await reader.list_owned(OWNER)).resources, subject.scope), remote_id, subject.scope)
            fetched = await reader.fetch(subject.scope, remote_id)
            found = await reader.find(OWNER, subject.scope, "spend")
        want = subject.desired("spend")
        assert fetched is not None and fetched.claims.owned_as(OWNER, "spend")
        assert listed.claims.applied == fetched.claims.applied == want.digest()
        assert [r.remote_id for r in found] == [remote_id]

    run(scenario)


def test_plans_made_over_one_instance_are_applied_through_fresh_ones(subject: Subject) -> None:
    """A create, an update and a delete, each planned by one instance and applied by another: nothing a write
    needs may be left behind in the instance that listed it (a share's token, a parent's id)."""

    async def scenario() -> None:
        steps = [
            (subject.resources("spend", 0), Action.CREATE),
            (subject.resources("spend", 1), Action.UPDATE),
            (subject.resources("spend", 1)[:-1], Action.DELETE),
        ]
        for number, (manifests, action) in enumerate(steps):
            async with subject.open() as planner:
                if number:
                    settled = await plan_run({subject.kind: planner}, OWNER, steps[number - 1][0])
                    assert settled.changes == (), [(c.action, c.scope, c.fields) for c in settled.changes]
                plan = await plan_run({subject.kind: planner}, OWNER, manifests)
            assert [c.action for c in plan.changes if c.scope == subject.scope] == [action]
            async with subject.open() as applier:
                report = await apply_run({subject.kind: applier}, plan, lambda _: None)
            assert not report.failed, [o.detail for o in report.failed]
        async with subject.open() as checker:
            assert not in_scope((await checker.list_owned(OWNER)).resources, subject.scope)

    run(scenario)
