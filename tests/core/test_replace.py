"""Replace, the fourth action: what an update cannot change is planned as create-then-delete, and says why."""

from __future__ import annotations

from dataclasses import replace

from reconciler.core.backend import Listing
from reconciler.core.guards import mass_delete_refusal
from reconciler.core.planning import Action, Plan, Reason, plan_changes
from reconciler.core.resources import Desired, Remote
from tests.widgets import definition, desired_widget, remote_widget, tags_for

OWNER = "team"


def want(**definition_fields: object) -> Desired:
    body = {"type": "toplist", "title": "Spend", "requests": [{"q": "a"}], **definition_fields}
    return desired_widget("ccm_reports", "spend", body, ("team:finops",))


def have(applied: Desired, **definition_fields: object) -> Remote:
    return remote_widget("u1", "ccm_reports", {**definition(applied), **definition_fields}, tags_for(applied, OWNER))


def plan(desired: Desired, remote: Remote) -> Plan:
    return plan_changes([desired], Listing((remote,)), OWNER)


def test_a_change_to_an_immutable_path_is_a_replace_with_its_reason() -> None:
    old = want()
    new = replace(want(type="treemap"), immutable=("definition.type",))
    (change,) = plan(new, have(old)).changes
    assert change.action == Action.REPLACE and change.reason == Reason.MANIFEST_CHANGED
    assert change.replace_reason == "definition.type cannot be changed in place"
    assert change.remote_id == "u1" and change.marker is not None and change.content == new.content
    assert [f.path for f in change.fields] == ["definition.type"]


def test_a_mutable_change_beside_immutable_paths_stays_an_update() -> None:
    old = want()
    new = replace(want(title="Renamed"), immutable=("definition.type",))
    (change,) = plan(new, have(old)).changes
    assert change.action == Action.UPDATE and change.replace_reason is None


def test_a_key_removed_from_a_merged_mapping_needs_a_replace() -> None:
    old = want(style={"palette": "dog", "order": "asc"})
    new = replace(want(style={"palette": "dog"}), merged=("definition.style",))
    (change,) = plan(new, have(old)).changes
    assert change.action == Action.REPLACE
    assert change.replace_reason == ("definition.style loses order, and an update only merges into definition.style")
    added = replace(want(style={"palette": "dog", "order": "asc", "extra": 1}), merged=("definition.style",))
    assert plan(added, have(old)).changes[0].action == Action.UPDATE, "an added key merges in"


def test_a_replace_counts_as_kept_for_the_mass_delete_guard() -> None:
    old = want()
    new = replace(want(type="treemap"), immutable=("definition.type",))
    gone = [
        remote_widget(
            f"g{n}", "ccm_reports", {"type": "toplist", "title": f"G{n}"}, [f"wac-owner:{OWNER}", f"wac-id:g{n}"]
        )
        for n in range(3)
    ]
    result = plan_changes([new], Listing((have(old), *gone)), OWNER)
    assert [c.action for c in result.changes] == [Action.REPLACE, Action.DELETE, Action.DELETE, Action.DELETE]
    assert mass_delete_refusal(result) is None


def test_an_adoption_that_would_need_a_replace_is_refused() -> None:
    unowned = remote_widget("0b5e5a52-9c6c-4c0e-9d3e-2f3c1a7b8e01", "ccm_reports", {"type": "toplist", "title": "T"})
    desired = replace(
        desired_widget(
            "ccm_reports", "t", {"type": "treemap", "title": "T"}, adopt=unowned.remote_id, source="t.yaml:1"
        ),
        immutable=("definition.type",),
    )
    result = plan_changes([desired], Listing((), adoptable=(unowned,)), OWNER)
    assert result.changes == ()
    (error,) = result.errors
    assert "definition.type cannot be changed in place, so it cannot be adopted" in error


def test_every_format_says_replace_and_why() -> None:
    import json

    from reconciler.core.plan_file import plan_from_json, plan_to_json
    from reconciler.render.markdown import render_markdown
    from reconciler.render.text import render_text

    result = plan(replace(want(type="treemap"), immutable=("definition.type",)), have(want()))
    text = render_text(result, colour=False)
    assert '-/+ replace ccm_reports/spend "Spend"' in text
    assert "replaced because definition.type cannot be changed in place" in text
    assert "1 to replace," in text and "kind datadog/widget" in text
    markdown = render_markdown(result, "local")
    assert "| create | update | replace | delete | unchanged |" in markdown and "replaces 1 resource(s)" in markdown
    saved = json.loads(plan_to_json(result, "local"))
    assert saved["summary"]["replace"] == 1 and saved["changes"][0]["action"] == "replace"
    assert saved["changes"][0]["replace_reason"] == "definition.type cannot be changed in place"
    saved["inputs"] = {"paths": ["w"], "files": []}
    again = plan_from_json(json.dumps(saved), "p.json", {"datadog/widget": ("ccm_reports",)})
    assert again.plan.changes[0].action == Action.REPLACE
