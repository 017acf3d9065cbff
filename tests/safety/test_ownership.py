"""Never touch what is not yours: conflicting claims, adoption one-to-one, guards, the check before each write."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from reconciler.backends.datadog_keys import Credentials
from reconciler.backends.datadog_widgets.connection import open_client
from reconciler.backends.sites import resolve_site
from reconciler.core.planning import Action
from reconciler.engine.applying import apply_plan
from reconciler.engine.runs import plan_run
from tests.commands.helpers import Workspace, create_directly
from tests.conftest import ALICE
from tests.widgets import backends_of

MANIFEST = (
    "id: {id}\nexperience_type: ccm_reports\n{extra}"
    "definition: {{type: toplist, title: {title}, requests: [{{q: x}}]}}\n"
)


def _put_tags(repo: Workspace, widget: dict[str, Any], tags: list[str]) -> None:
    attributes = widget["attributes"]
    body = {"data": {"type": "widgets", "attributes": {"definition": attributes["definition"], "tags": tags}}}
    url = f"{repo.url}/api/v2/widgets/{widget['experience_type']}/{widget['id']}"
    assert httpx.put(url, headers=ALICE, json=body).status_code == 200


def _live(repo: Workspace, experience_type: str, uuid: str) -> dict[str, Any] | None:
    response = httpx.get(f"{repo.url}/api/v2/widgets/{experience_type}/{uuid}", headers=ALICE)
    return response.json()["data"] if response.status_code == 200 else None  # type: ignore[no-any-return]


def test_a_widget_claimed_by_two_owners_is_touched_by_neither(repo: Workspace) -> None:
    widget = repo.managed()["aws-spend-treemap"][0]
    _put_tags(repo, widget, [*widget["attributes"]["tags"], "wac-owner:platform"])
    claimed = _live(repo, "ccm_reports", widget["id"])

    for owner in ("default", "platform"):
        planned = repo.wac("plan", "--format", "json", "--owner", owner)
        plan = json.loads(planned.stdout)
        assert [c["remote_id"] for c in plan["conflicts"]] == [widget["id"]]
        assert plan["conflicts"][0]["owners"] == ["default", "platform"]
        assert widget["id"] not in {c["remote_id"] for c in plan["changes"]}, f"owner {owner} plans nothing for it"
        drift = repo.wac("drift", "--owner", owner)
        assert drift.exit_code == 2
        assert f"conflict: ccm_reports {widget['id']}" in drift.output
        assert "carries owners default, platform" in drift.output and "Resolve it in the UI" in drift.output

    # The manifest asks for a change; still nobody writes to it.
    path = repo.widgets / "finops" / "aws-costs.yaml"
    text = path.read_text()
    path.write_text(text.replace("Where the AWS money goes", "Changed in git"))
    assert path.read_text() != text
    applied = repo.wac("apply", "--auto-approve")
    assert applied.exit_code == 0 and "conflict:" in applied.output
    assert "Nothing to apply" in applied.output, "no update, and no second widget created beside it"
    assert _live(repo, "ccm_reports", widget["id"]) == claimed


def test_two_manifests_adopting_one_widget_is_a_validate_error(repo: Workspace) -> None:
    uuid = "0b5e5a52-9c6c-4c0e-9d3e-2f3c1a7b8e01"
    for name in ("one", "two"):
        (repo.widgets / f"{name}.yaml").write_text(MANIFEST.format(id=name, title=name, extra=f"adopt: {uuid}\n"))
    result = repo.wac("validate")
    assert result.exit_code == 1
    assert f"widgets/two.yaml:1:1: adopt {uuid} is already named by the manifest 'one' at widgets/one.yaml:1" in (
        result.output
    )


def test_adopting_another_owners_widget_is_refused(repo: Workspace) -> None:
    theirs = create_directly(repo.url, "ccm_reports", "Theirs", ["wac-owner:other", "wac-id:theirs"])
    (repo.widgets / "grab.yaml").write_text(MANIFEST.format(id="grab", title="Grab", extra=f"adopt: {theirs['id']}\n"))
    planned = repo.wac("plan")
    assert planned.exit_code == 1
    assert f"adopt {theirs['id']} is managed by owner 'other'; refusing to take it over" in planned.output
    assert repo.wac("apply", "--auto-approve").exit_code == 1
    assert _live(repo, "ccm_reports", theirs["id"]) == theirs


def test_re_adopting_a_widget_managed_under_another_id_is_a_clear_error(repo: Workspace) -> None:
    mine = repo.managed()["aws-spend-treemap"][0]
    (repo.widgets / "again.yaml").write_text(MANIFEST.format(id="again", title="A", extra=f"adopt: {mine['id']}\n"))
    planned = repo.wac("plan")
    assert planned.exit_code == 1
    assert (
        f"adopt {mine['id']} is already managed by owner 'default' as id 'aws-spend-treemap'; remove `adopt:`"
        in planned.output
    )


def test_a_first_plan_under_a_new_owner_warns_of_duplicates(repo: Workspace) -> None:
    planned = repo.wac("plan", "--owner", "typo-team")
    assert "owner 'typo-team' manages nothing yet" in planned.output
    assert "wac export" in planned.output and "adopt:" in planned.output
    assert "manages nothing yet" not in repo.wac("plan").output


def test_clones_made_in_the_ui_are_not_deleted_unattended(repo: Workspace) -> None:
    widget = repo.managed()["aws-spend-treemap"][0]
    for _ in range(15):
        create_directly(repo.url, "ccm_reports", "Clone", widget["attributes"]["tags"])
    refused = repo.wac("apply", "--auto-approve")
    assert refused.exit_code == 1
    assert "it deletes 15 resources, more than the limit of 10 (15 of them copies" in refused.output
    assert len(repo.managed()["aws-spend-treemap"]) == 16
    assert repo.wac("apply", "--auto-approve", "--delete-limit", "15").exit_code == 0
    assert [w["id"] for w in repo.managed()["aws-spend-treemap"]] == [widget["id"]], "the oldest is kept"


def test_a_delete_is_rechecked_against_the_widget_right_before_it(repo: Workspace) -> None:
    site = resolve_site(repo.url)
    credentials = Credentials(ALICE["DD-API-KEY"], ALICE["DD-APPLICATION-KEY"])
    victim = repo.managed()["aws-spend-treemap"][0]

    async def plan_then_race() -> Any:
        async with open_client(site, credentials) as client:
            plan = await plan_run(backends_of(client), "default", [])
            assert plan.count(Action.DELETE) == len(repo.managed())
            # Between plan and apply someone hands one widget to another owner in the UI.
            tags = [t for t in victim["attributes"]["tags"] if not t.startswith("wac-owner:")]
            _put_tags(repo, victim, [*tags, "wac-owner:platform"])
            return await apply_plan(backends_of(client), plan)

    report = asyncio.run(plan_then_race())
    (failed,) = report.failed
    assert failed.change.remote_id == victim["id"]
    assert "refused: it carries owner platform" in failed.detail
    assert _live(repo, "ccm_reports", victim["id"]) is not None
    assert list(repo.managed()) == []
