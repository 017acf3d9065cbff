"""Properties of the planner over random desired sets and remote states (hypothesis)."""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.backends.datadog_widgets.tags import OWNER_PREFIX
from reconciler.core.backend import Listing
from reconciler.core.planning import Action, Plan, plan_changes
from reconciler.core.resources import Desired, Remote, User
from tests.budget import examples
from tests.widgets import definition, desired_widget, remote_widget, tags_for, written_tags

OWNER = "me"
IDS = [f"w{i}" for i in range(10)]
TYPES = ["ccm_reports", "logs_reports"]

desired_widgets = st.builds(
    lambda manifest_id, kind, title, tags, requests: desired_widget(
        kind,
        manifest_id,
        {"type": "toplist", "title": title, "requests": requests},
        tuple(sorted(set(tags))),
        (),
        "f.yaml:1",
    ),
    st.sampled_from(IDS),
    st.sampled_from(TYPES),
    st.text(min_size=1, max_size=8),
    st.lists(st.sampled_from(["a:1", "b:2", "c"]), max_size=3),
    st.lists(st.dictionaries(st.sampled_from(["q", "r"]), st.integers(0, 3), min_size=1), min_size=1, max_size=3),
)
desired_sets = st.lists(desired_widgets, max_size=8, unique_by=lambda d: d.key)


@st.composite
def remote_states(draw: st.DrawFn, desired: list[Desired]) -> list[Remote]:
    widgets: list[Remote] = []
    counter = 0

    def new(kind: str, body: dict, tags: list[str]) -> Remote:
        nonlocal counter
        counter += 1
        user = User(f"u{draw(st.integers(0, 2))}", "someone@example.com", "Someone")
        shuffled = draw(st.permutations(tags))
        return remote_widget(
            f"uuid-{counter:03d}", kind, body, tuple(shuffled), f"2026-01-{counter:02d}", "m", user, user
        )

    for widget in desired:
        variant = draw(st.sampled_from(["exact", "drifted", "missing", "duplicated", "other-owner"]))
        if variant == "missing":
            continue
        tags = tags_for(widget, OWNER if variant != "other-owner" else "them")
        body = definition(widget)
        if variant == "drifted":
            body["title"] = body["title"] + " (edited)"
        widgets.append(new(widget.scope, body, tags))
        if variant == "duplicated":
            widgets.append(new(widget.scope, body, tags))
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(TYPES))
        owner_tags = draw(
            st.sampled_from(
                [
                    [],
                    [f"{OWNER_PREFIX}{OWNER}", f"wac-id:{draw(st.sampled_from(IDS))}x"],
                    [f"{OWNER_PREFIX}them", "wac-id:w1"],
                ]
            )
        )
        widgets.append(new(kind, {"type": "toplist", "title": "stray", "requests": [{}]}, ["team:x", *owner_tags]))
    return widgets


def simulate(plan: Plan, remote: list[Remote]) -> list[Remote]:
    """What the API holds after the plan's writes, modelled plainly."""
    by_uuid = {w.remote_id: w for w in remote}
    for n, change in enumerate(plan.changes):
        if change.action == Action.DELETE:
            by_uuid.pop(change.remote_id or "")
        else:
            uuid = change.remote_id or f"new-{n}"
            created = by_uuid[uuid].created_at if uuid in by_uuid else "2027"
            by_uuid[uuid] = remote_widget(uuid, change.scope, definition(change), written_tags(change), created, "m2")
    return list(by_uuid.values())


@settings(max_examples=examples(ci=60, nightly=300), deadline=None)
@given(data=st.data(), desired=desired_sets)
def test_applying_a_plan_converges_in_one_step(data: st.DataObject, desired: list[Desired]) -> None:
    remote = data.draw(remote_states(desired))
    plan = plan_changes(desired, Listing(tuple(remote)), OWNER)
    after = simulate(plan, remote)
    assert plan_changes(desired, Listing(tuple(after)), OWNER).changes == ()
    managed = [w for w in after if w.claims.owner == OWNER and w.claims.manifest_id in IDS]
    assert sorted((w.kind, w.scope, w.claims.manifest_id) for w in managed) == sorted(d.key for d in desired)


@settings(max_examples=examples(ci=60, nightly=300), deadline=None)
@given(data=st.data(), desired=desired_sets)
def test_no_change_ever_targets_a_widget_without_the_owner_tag(data: st.DataObject, desired: list[Desired]) -> None:
    remote = data.draw(remote_states(desired))
    plan = plan_changes(desired, Listing(tuple(remote)), OWNER)
    owned = {w.remote_id for w in remote if OWNER in w.claims.owners}
    for change in plan.changes:
        assert change.action == Action.CREATE or change.remote_id in owned
        if change.action != Action.DELETE:
            assert f"{OWNER_PREFIX}{OWNER}" in written_tags(change)


@settings(max_examples=examples(ci=60, nightly=300), deadline=None)
@given(data=st.data(), desired=desired_sets, seed=st.integers())
def test_plan_is_deterministic_whatever_the_order(data: st.DataObject, desired: list[Desired], seed: int) -> None:
    remote = data.draw(remote_states(desired))
    first = plan_changes(desired, Listing(tuple(remote)), OWNER)
    shuffler = random.Random(seed)
    shuffled_desired, shuffled_remote = desired[:], remote[:]
    shuffler.shuffle(shuffled_desired)
    shuffler.shuffle(shuffled_remote)
    assert plan_changes(shuffled_desired, Listing(tuple(shuffled_remote)), OWNER) == first


@settings(max_examples=examples(ci=50, nightly=200), deadline=None)
@given(desired=desired_sets, data=st.data())
def test_plan_of_a_converged_state_is_empty(desired: list[Desired], data: st.DataObject) -> None:
    remote = [
        remote_widget(f"u{n}", d.scope, definition(d), tuple(data.draw(st.permutations(tags_for(d, OWNER)))), "c", "m")
        for n, d in enumerate(desired)
    ]
    plan = plan_changes(desired, Listing(tuple(remote)), OWNER)
    assert plan.changes == () and plan.unchanged == len(desired)


@settings(max_examples=examples(ci=30, nightly=100), deadline=None)
@given(desired=desired_sets, data=st.data())
def test_an_incomplete_listing_never_deletes(desired: list[Desired], data: st.DataObject) -> None:
    remote = data.draw(remote_states(desired))
    listing = Listing(tuple(remote), {("datadog/widget", t): "a page was missing" for t in TYPES})
    assert all(c.action != Action.DELETE for c in plan_changes(desired, listing, OWNER).changes)
    assert replace(listing, incomplete={}).resources == listing.resources
