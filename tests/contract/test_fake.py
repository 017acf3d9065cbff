"""The fake's knobs do what `reconciler.testing` says: what a test sets is what a backend over it then sees.
(The protocol's promises themselves are checked on the fake with every real backend, in test_protocol.)"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

from reconciler.core.backend import BackendError, OutcomeUnknown
from reconciler.core.resources import Claims, Marker
from reconciler.testing import KIND, PERSON, REVISION, WAC, FakeApi, FakeBackend, claims_of

T = TypeVar("T")
MARKER = Marker("team", "spend", "0123456789abcdef")


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coroutine)


def test_a_resource_hidden_from_one_listing_is_found_by_confirm_missing_and_listed_again() -> None:
    backend = FakeBackend()
    remote_id = run(backend.create("default", {"title": "Spend"}, MARKER))
    backend.api.hide_from_next_listing(remote_id)
    assert run(backend.list_owned("team")).resources == ()
    (found,) = run(backend.confirm_missing("team", [("default", "spend")]))
    assert found.remote_id == remote_id
    assert [r.remote_id for r in run(backend.list_owned("team")).resources] == [remote_id]


def test_an_incomplete_scope_is_a_listing_s_verdict() -> None:
    backend = FakeBackend(FakeApi(scopes=("a", "b")))
    backend.api.mark_incomplete("b", "page 2 failed")
    assert run(backend.list_owned("team")).incomplete == {(KIND, "b"): "page 2 failed"}
    del backend.api.incomplete["b"]
    assert run(backend.list_owned("team")).incomplete == {}


def test_a_lost_create_is_committed_and_answered_with_outcome_unknown() -> None:
    backend = FakeBackend()
    backend.api.lose_next_create()
    with pytest.raises(OutcomeUnknown):
        run(backend.create("default", {"title": "Spend"}, MARKER))
    (found,) = run(backend.find("team", "default", "spend"))
    assert found.claims == claims_of(MARKER)
    assert run(backend.create("default", {"title": "Spend"}, MARKER)), "only the next create's answer is lost"


def test_a_scheduled_failure_is_raised_once_before_anything_is_done() -> None:
    backend = FakeBackend()
    backend.api.fail_next("create", BackendError("HTTP 400"))
    with pytest.raises(BackendError, match="HTTP 400"):
        run(backend.create("default", {"title": "Spend"}, MARKER))
    assert backend.api.resources() == []
    run(backend.create("default", {"title": "Spend"}, MARKER))
    assert len(backend.api.resources()) == 1


def test_edits_in_the_ui_change_content_and_marker_as_a_person_would() -> None:
    backend = FakeBackend()
    remote_id = run(backend.create("default", {"title": "Spend"}, MARKER))
    (written,) = backend.api.resources()
    assert written.modified_by == WAC and written.content == {"title": "Spend", REVISION: 1}
    backend.api.edit(remote_id, content={"title": "Edited"})
    edited = run(backend.fetch("default", remote_id))
    assert edited is not None and edited.modified_by == PERSON and edited.modified_at > written.modified_at
    assert backend.normalise(edited.content) == {"title": "Edited"} and edited.claims == claims_of(MARKER)
    backend.api.edit(remote_id, marker=Claims(("team", "other"), ("spend",)))
    assert run(backend.find("team", "default", "spend")) == [], "a marker naming two owners is nobody's"
    (conflict,) = run(backend.list_owned("other")).resources
    assert conflict.claims.conflicted


def test_a_copy_made_in_the_ui_carries_the_marker() -> None:
    backend = FakeBackend()
    remote_id = run(backend.create("default", {"title": "Spend"}, MARKER))
    copy = backend.api.copy(remote_id)
    found = run(backend.find("team", "default", "spend"))
    assert sorted(r.remote_id for r in found) == sorted([remote_id, copy])
    assert all(r.claims == claims_of(MARKER) for r in found)


def test_unowned_resources_are_only_in_list_all() -> None:
    backend = FakeBackend()
    remote_id = backend.api.add("default", {"title": "Made in the UI"})
    assert run(backend.list_owned("team")).resources == ()
    (found,) = run(backend.list_all())
    assert found.remote_id == remote_id and found.claims.unowned and found.created_by == PERSON


def test_a_child_needs_a_live_parent_belongs_to_it_and_ends_with_it() -> None:
    backend = FakeBackend(FakeApi(scopes=("board", "share"), parents={"share": "board"}))
    with pytest.raises(BackendError, match="parent's remote id"):
        run(backend.create("share", {"title": "x"}, MARKER))
    with pytest.raises(BackendError, match="does not exist"):
        run(backend.create("share", {"title": "x"}, MARKER, parent_id="fake-999999"))
    board = run(backend.create("board", {"title": "Board"}, MARKER))
    share = run(backend.create("share", {"title": "Board"}, MARKER, parent_id=board))
    found = run(backend.fetch("share", share))
    assert found is not None and found.parent == (KIND, "board", "spend")
    assert run(backend.fetch("board", share)) is None, "fetch reads only the scope it is asked for"
    assert run(backend.delete("board", board, "team", "spend"))
    assert backend.api.resources() == []


def test_unknown_scopes_are_refused() -> None:
    backend = FakeBackend()
    with pytest.raises(BackendError, match="not one of"):
        run(backend.create("elsewhere", {"title": "x"}, MARKER))
    assert backend.api.resources() == []
