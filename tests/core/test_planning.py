"""The planner on plain data: what makes a diff, what never does, and why each update happens."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from reconciler.core.backend import Listing
from reconciler.core.guards import mass_delete_refusal
from reconciler.core.planning import Action, Reason, plan_changes
from reconciler.core.resources import Desired, Remote, User
from tests.widgets import definition, desired_widget, remote_widget, tags_for, written_tags

OWNER = "team"
BOB = User("u-bob", "bob@example.com", "Bob")


def desired(
    manifest_id: str = "spend",
    title: str = "Spend",
    tags: tuple[str, ...] = ("team:finops",),
    ignore: tuple[str, ...] = (),
    **extra: Any,
) -> Desired:
    body = {"type": "bar_chart", "title": title, "requests": [{"q": "a"}, {"q": "b"}], **extra}
    return desired_widget("ccm_reports", manifest_id, body, tags, ignore, "w.yaml:1")


def remote(
    source: Desired,
    uuid: str = "u1",
    applied: Desired | None = None,
    owner: str = OWNER,
    created_at: str = "2026-01-01T00:00:00Z",
    **changes: Any,
) -> Remote:
    tags = tags_for(source, owner)
    if applied is not None:
        tags = [t for t in tags if not t.startswith("wac-applied:")] + [f"wac-applied:{applied.digest()}"]
    body = {**definition(source), **changes}
    return remote_widget(uuid, "ccm_reports", body, tuple(reversed(tags)), created_at, "2026-02-01T00:00:00Z", BOB, BOB)


def plan_of(want: list[Desired], have: list[Remote], **kwargs: Any) -> Any:
    return plan_changes(want, Listing(tuple(have)), OWNER, **kwargs)


def test_in_sync_is_no_change_whatever_the_tag_order() -> None:
    want = desired()
    plan = plan_of([want], [remote(want)])
    assert plan.changes == () and plan.unchanged == 1


def test_server_fields_never_make_a_diff() -> None:
    want = desired()
    have = remote(want)
    other = replace(have, created_at="2020-01-01T00:00:00Z", modified_at="2030-01-01T00:00:00Z", modified_by=None)
    assert plan_of([want], [other]).changes == ()


def test_list_order_inside_a_definition_is_a_change() -> None:
    want = desired()
    have = remote(want, requests=[{"q": "b"}, {"q": "a"}])
    (change,) = plan_of([want], [have]).changes
    assert change.action == Action.UPDATE
    assert [f.path for f in change.fields] == ["definition.requests[0].q", "definition.requests[1].q"]


def test_manifest_change_is_told_from_drift_by_the_applied_digest() -> None:
    old, new = desired(title="Old"), desired(title="New")
    (change,) = plan_of([new], [remote(old, applied=old)]).changes
    assert change.reason == Reason.MANIFEST_CHANGED

    drifted = remote(new, applied=new, title="Edited in the UI")
    (change,) = plan_of([new], [drifted]).changes
    assert change.reason == Reason.DRIFT
    assert change.editor is not None and change.editor.handle == "bob@example.com"
    assert change.editor.at == "2026-02-01T00:00:00Z"

    both = remote(old, applied=old, title="Edited in the UI")
    (change,) = plan_of([new], [both]).changes
    assert change.reason == Reason.BOTH_CHANGED


def test_ignored_paths_never_make_a_diff_and_keep_the_remote_value() -> None:
    want = desired(ignore=("time", "requests[1].q"), time={"type": "live", "value": 7})
    have = remote(want, time={"type": "live", "value": 30}, requests=[{"q": "a"}, {"q": "zzz"}])
    assert plan_of([want], [have]).changes == ()

    renamed = desired(title="Renamed", ignore=("time", "requests[1].q"), time=definition(want)["time"])
    (change,) = plan_of([renamed], [have]).changes
    assert [f.path for f in change.fields] == ["definition.title"]
    assert definition(change)["time"] == {"type": "live", "value": 30}
    assert definition(change)["requests"] == [{"q": "a"}, {"q": "zzz"}]


def test_create_delete_and_order() -> None:
    keep, new = desired("keep"), desired("new")
    gone = remote(desired("gone"), uuid="u-gone")
    plan = plan_of([keep, new], [remote(keep, uuid="u-keep"), gone])
    assert [(c.action, c.manifest_id, c.reason) for c in plan.changes] == [
        (Action.CREATE, "new", Reason.NEW),
        (Action.DELETE, "gone", Reason.REMOVED),
    ]
    assert "wac-owner:team" in written_tags(plan.changes[0]) and "wac-id:new" in written_tags(plan.changes[0])


def test_duplicates_keep_the_oldest_whatever_the_manifest_says() -> None:
    # Keeping "the one matching the manifest" would let two applies of different manifest
    # versions each keep their own copy and delete the other's, leaving none.
    want = desired()
    older_stale = remote(want, uuid="a-old", created_at="2026-01-01T00:00:00Z", title="stale")
    newer_match = remote(want, uuid="b-new", created_at="2026-01-02T00:00:00Z")
    changes = plan_of([want], [newer_match, older_stale]).changes
    assert [(c.action, c.remote_id, c.reason) for c in changes] == [
        (Action.UPDATE, "a-old", Reason.DRIFT),
        (Action.DELETE, "b-new", Reason.DUPLICATE),
    ]
    other_version = desired(title="Other version")
    assert plan_of([other_version], [older_stale, newer_match]).changes[-1].remote_id == "b-new"

    same_time = [
        remote(want, uuid="y", created_at="2026-01-01T00:00:00Z", title="s"),
        remote(want, uuid="x", created_at="2026-01-01T00:00:00Z", title="s"),
    ]
    changes = plan_of([want], same_time).changes
    assert [(c.action, c.remote_id) for c in changes] == [(Action.UPDATE, "x"), (Action.DELETE, "y")]


def test_other_owners_and_unkeyed_widgets_are_left_alone() -> None:
    want = desired()
    theirs = remote(desired("theirs"), uuid="t", owner="other")
    unkeyed = remote_widget("k", "ccm_reports", {"type": "toplist", "title": "K"}, ("wac-owner:team",))
    plan = plan_of([want], [remote(want), theirs, unkeyed])
    assert plan.changes == ()
    assert plan.warnings and "no manifest id" in plan.warnings[0]


def test_incomplete_listing_withholds_deletes() -> None:
    gone = remote(desired("gone"))
    plan = plan_changes(
        [desired("new")], Listing((gone,), {("datadog/widget", "ccm_reports"): "the listing returned 1 of 2"}), OWNER
    )
    assert [c.action for c in plan.changes] == [Action.CREATE]
    assert plan.withheld_deletes == (
        "ccm_reports: the listing returned 1 of 2; nothing is deleted until a complete listing is seen",
    )


def test_targets_narrow_every_kind_of_change() -> None:
    plan = plan_of([desired("a"), desired("b")], [remote(desired("c"))], targets=["b", "c"])
    assert sorted(c.manifest_id for c in plan.changes) == ["b", "c"]


def test_mass_delete_guard() -> None:
    widgets = [remote(desired(f"w{i}"), uuid=f"u{i}") for i in range(3)]
    everything = plan_of([], widgets)
    refusal = mass_delete_refusal(everything)
    assert refusal is not None and "deletes every resource owner 'team' manages (3)" in refusal
    assert "--allow-mass-delete" in refusal
    some = plan_of([desired("w0")], widgets)
    assert mass_delete_refusal(some) is None
    assert mass_delete_refusal(some, delete_limit=1) is not None
    few_duplicates = plan_of([desired("w0")], [remote(desired("w0"), uuid=f"d{i}") for i in range(1 + 3)])
    assert mass_delete_refusal(few_duplicates, delete_limit=0) is None, "a few duplicates are a lost answer's repair"


def test_creates_do_not_save_a_plan_that_deletes_everything() -> None:
    # The wrong folder: one unrelated manifest, every managed widget removed.
    widgets = [remote(desired(f"w{i}"), uuid=f"u{i}") for i in range(5)]
    wrong_folder = plan_of([desired("unrelated")], widgets)
    assert (wrong_folder.count(Action.CREATE), wrong_folder.count(Action.DELETE)) == (1, 5)
    refusal = mass_delete_refusal(wrong_folder, delete_limit=100)
    assert refusal is not None
    assert "deletes every resource owner 'team' manages (5) and creates 1 new one(s)" in refusal
    assert "wrong manifest folder or the wrong owner" in refusal


def test_many_duplicates_count_toward_the_delete_limit() -> None:
    clones = [remote(desired("w0"), uuid=f"d{i:02}", created_at=f"2026-01-{i + 1:02}T00:00:00Z") for i in range(16)]
    plan = plan_of([desired("w0")], clones)
    assert plan.count(Action.DELETE) == 15
    refusal = mass_delete_refusal(plan)
    assert refusal is not None and "it deletes 15 resources, more than the limit of 10" in refusal
    assert "15 of them copies" in refusal
    assert mass_delete_refusal(plan, delete_limit=15) is None
