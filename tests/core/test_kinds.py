"""The core is kind-agnostic: keys carry the kind, and `--kind` narrows a plan like `--target`."""

from __future__ import annotations

from reconciler.core.backend import Listing
from reconciler.core.planning import Action, plan_changes
from reconciler.core.resources import Claims, Desired, Remote
from tests.widgets import desired_widget

OWNER = "team"


def other_kind(manifest_id: str, title: str) -> Desired:
    """A resource of a kind the core has never heard of: it plans the same way."""
    return Desired("example/thing", "domain-1", manifest_id, title, {"title": title}, (), f"{manifest_id}.yaml:1")


def other_remote(manifest_id: str, title: str) -> Remote:
    claims = Claims((OWNER,), (manifest_id,), None)
    return Remote("example/thing", "domain-1", f"thing-{manifest_id}", title, {"title": title}, claims)


def test_the_same_id_in_two_kinds_is_two_resources() -> None:
    widget = desired_widget("ccm_reports", "spend", {"type": "toplist", "title": "Spend"})
    thing = other_kind("spend", "Spend")
    plan = plan_changes([widget, thing], Listing(()), OWNER)
    assert sorted((c.kind, c.manifest_id) for c in plan.changes) == [
        ("datadog/widget", "spend"),
        ("example/thing", "spend"),
    ]


def test_kind_narrows_creates_updates_and_deletes() -> None:
    widget = desired_widget("ccm_reports", "spend", {"type": "toplist", "title": "Spend"})
    listing = Listing((other_remote("old", "Old"), other_remote("kept", "Before")))
    everything = plan_changes([widget, other_kind("kept", "After")], listing, OWNER)
    assert sorted(c.action for c in everything.changes) == sorted([Action.CREATE, Action.UPDATE, Action.DELETE])

    only_things = plan_changes([widget, other_kind("kept", "After")], listing, OWNER, kinds=["example/thing"])
    assert {c.kind for c in only_things.changes} == {"example/thing"} and only_things.kinds == ("example/thing",)
    assert [c.action for c in only_things.changes] == [Action.UPDATE, Action.DELETE]

    only_widgets = plan_changes([widget, other_kind("kept", "After")], listing, OWNER, kinds=["datadog/widget"])
    assert [(c.action, c.kind) for c in only_widgets.changes] == [(Action.CREATE, "datadog/widget")]
    assert only_widgets.managed == 0, "resources of other kinds are not counted"
