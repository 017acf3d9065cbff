"""The main job end to end, against the emulator over HTTP, checked by reading remote state back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from reconciler.backends.datadog_widgets.emulator.settings import UserProfile
from reconciler.backends.emulation.settings import EmulatorSettings
from reconciler.backends.emulator_server import RunningEmulator, emulator_thread
from tests.commands.helpers import Workspace, create_directly, make_workspace
from tests.conftest import ALICE, BOB

SETTINGS = EmulatorSettings(
    options={
        "users": {
            ALICE["DD-APPLICATION-KEY"]: UserProfile("ci-bot@example.com", "CI Bot"),
            BOB["DD-APPLICATION-KEY"]: UserProfile("bob@example.com", "Bob Builder"),
        }
    }
)
MANIFESTS = 16


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[RunningEmulator]:
    with emulator_thread(db=tmp_path / "emulator.sqlite3", settings=SETTINGS) as running:
        yield running


@pytest.fixture()
def repo(tmp_path: Path, server: RunningEmulator) -> Workspace:
    return make_workspace(tmp_path, server.url)


def edit_as_bob(repo: Workspace, widget: dict, title: str) -> None:
    attributes = widget["attributes"]
    definition = {**attributes["definition"], "title": title}
    body = {"data": {"type": "widgets", "attributes": {"definition": definition, "tags": attributes["tags"]}}}
    url = f"{repo.url}/api/v2/widgets/{widget['experience_type']}/{widget['id']}"
    assert httpx.put(url, headers=BOB, json=body).status_code == 200


def test_the_whole_lifecycle(repo: Workspace) -> None:
    # Widgets the reconciler must never touch: one unmanaged, one of another owner.
    stranger = create_directly(repo.url, "ccm_reports", "Made in the UI", ["team:finops"])
    neighbour = create_directly(repo.url, "ccm_reports", "Other repo", ["wac-owner:other", "wac-id:aws-spend-summary"])

    # Empty remote: the plan lists every manifest as a create and exits 2.
    planned = repo.wac("plan", "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    assert planned.output.count("+ create") == MANIFESTS
    assert repo.managed() == {}

    # Apply creates them all, tagged for ownership.
    applied = repo.wac("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert f"{MANIFESTS} created, 0 updated, 0 deleted, 0 failed" in applied.output
    managed = repo.managed()
    assert len(managed) == MANIFESTS and all(len(v) == 1 for v in managed.values())
    summary = managed["aws-spend-summary"][0]
    assert summary["experience_type"] == "ccm_reports"
    assert {"team:finops", "cloud:aws", "wac-owner:default", "wac-id:aws-spend-summary"} <= set(
        summary["attributes"]["tags"]
    )

    # A second plan is empty.
    again = repo.wac("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert f"No changes. {MANIFESTS} resource(s)" in again.output

    # A manifest edit is one update of the same widget.
    path = repo.widgets / "finops" / "aws-costs.yaml"
    path.write_text(path.read_text().replace("title: Savings plan coverage", "title: Savings plan coverage (%)"))
    edited = repo.wac("plan", "--detailed-exitcode")
    assert edited.exit_code == 2
    assert "~ update ccm_reports/savings-plan-coverage" in edited.output and "manifest changed" in edited.output
    assert 'definition.title: "Savings plan coverage" → "Savings plan coverage (%)"' in edited.output
    before_uuid = repo.managed()["savings-plan-coverage"][0]["id"]
    assert "1 updated" in repo.wac("apply", "--auto-approve").output
    after = repo.managed()["savings-plan-coverage"]
    assert [w["id"] for w in after] == [before_uuid]
    assert after[0]["attributes"]["definition"]["title"] == "Savings plan coverage (%)"

    # Bob edits a widget in the UI: drift names him, and when.
    edit_as_bob(repo, repo.managed()["checkout-error-rate"][0], "Error rate (Bob's version)")
    drifted = repo.wac("drift")
    assert drifted.exit_code == 2
    assert "changed outside git by Bob Builder <bob@example.com> at 20" in drifted.output
    # Drift shows what Bob did: from the value in git to his.
    assert 'definition.title: "Checkout error rate (5 min)" → "Error rate (Bob\'s version)"' in drifted.output
    report = json.loads(repo.wac("drift", "--format", "json").stdout)
    assert [e["changed_by"]["handle"] for e in report["edited"]] == ["bob@example.com"]
    assert "changed outside git: last changed by Bob Builder" in repo.wac("plan").output

    # Apply restores it; drift is gone.
    assert "1 updated" in repo.wac("apply", "--auto-approve").output
    restored = repo.managed()["checkout-error-rate"][0]
    assert restored["attributes"]["definition"]["title"] == "Checkout error rate (5 min)"
    assert repo.wac("drift").exit_code == 0
    strays = repo.wac("drift", "--unmanaged")
    assert strays.exit_code == 2
    assert '"Made in the UI"' in strays.output and "is not managed; created by ci-bot@example.com" in strays.output
    assert "Other repo" not in strays.output, "another owner's widget is managed, just not by us"

    # A duplicate (as a lost create answer leaves) is repaired: one kept, the extra deleted.
    keeper = repo.managed()["weekly-retention"][0]
    duplicate = create_directly(
        repo.url, "product_analytics", "Weekly retention of new accounts", keeper["attributes"]["tags"]
    )
    repaired = repo.wac("plan")
    assert "- delete product_analytics/weekly-retention" in repaired.output
    assert "duplicate of the kept one" in repaired.output
    assert "1 deleted" in repo.wac("apply", "--auto-approve").output
    assert [w["id"] for w in repo.managed()["weekly-retention"]] == [keeper["id"]]
    assert httpx.get(f"{repo.url}/api/v2/widgets/product_analytics/{duplicate['id']}", headers=ALICE).status_code == 404

    # A removed manifest soft-deletes its widget.
    journeys = repo.widgets / "product" / "journeys.yaml"
    documents = journeys.read_text().split("---\n")
    journeys.write_text("---\n".join(d for d in documents if "id: signup-cohorts" not in d))
    removed_uuid = repo.managed()["signup-cohorts"][0]["id"]
    result = repo.wac("apply", "--auto-approve")
    assert "0 created, 0 updated, 1 deleted" in result.output
    assert "signup-cohorts" not in repo.managed()
    assert httpx.get(f"{repo.url}/api/v2/widgets/product_analytics/{removed_uuid}", headers=ALICE).status_code == 404

    # Nothing it does not own was touched.
    for untouched in (stranger, neighbour):
        now = httpx.get(f"{repo.url}/api/v2/widgets/ccm_reports/{untouched['id']}", headers=ALICE).json()["data"]
        assert now == untouched
    assert repo.wac("plan", "--detailed-exitcode").exit_code == 0


def test_deleting_everything_is_refused(repo: Workspace) -> None:
    assert repo.wac("apply", "--auto-approve").exit_code == 0
    for path in repo.widgets.rglob("*.yaml"):
        path.unlink()
    (repo.widgets / "new.yaml").write_text(
        "id: lonely\nexperience_type: ccm_reports\ndefinition: {type: toplist, title: Lonely, requests: [{q: x}]}\n"
    )
    refused = repo.wac("apply", "--auto-approve")
    assert refused.exit_code == 1
    # The one create does not count as kept: this is the wrong-folder mistake.
    assert f"it deletes every resource owner 'default' manages ({MANIFESTS}) and creates 1 new" in refused.output
    assert "--allow-mass-delete" in refused.output
    assert "wrong" in repo.wac("apply", "--auto-approve", "--delete-limit", "100").output
    assert len(repo.managed()) == MANIFESTS, "nothing was written"
    allowed = repo.wac("apply", "--auto-approve", "--allow-mass-delete")
    assert allowed.exit_code == 0
    assert list(repo.managed()) == ["lonely"]


def test_a_stale_saved_plan_is_refused(repo: Workspace) -> None:
    assert repo.wac("apply", "--auto-approve").exit_code == 0
    path = repo.widgets / "finops" / "aws-costs.yaml"
    path.write_text(path.read_text().replace("Savings plan coverage", "Coverage"))
    saved = repo.wac("plan", "--out", "plan.json")
    assert saved.exit_code == 0
    plan_file = repo.root / "plan.json"
    assert json.loads(plan_file.read_text())["summary"]["update"] == 1

    edit_as_bob(repo, repo.managed()["aws-spend-treemap"][0], "Bob was here")
    refused = repo.wac("apply", "--plan", "plan.json", "--auto-approve")
    assert refused.exit_code == 1
    assert "The saved plan is stale" in refused.output
    assert repo.managed()["savings-plan-coverage"][0]["attributes"]["definition"]["title"] == (
        "Savings plan coverage"
    ), "nothing applied"

    fresh = repo.wac("plan", "--out", "plan.json")
    assert fresh.exit_code == 0
    applied = repo.wac("apply", "--plan", "plan.json", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "0 created, 2 updated" in applied.output
    assert repo.managed()["savings-plan-coverage"][0]["attributes"]["definition"]["title"] == "Coverage"


def test_dry_run_and_confirmation_write_nothing(repo: Workspace) -> None:
    dry = repo.wac("apply", "--dry-run", "--detailed-exitcode")
    assert dry.exit_code == 2 and "Dry run: nothing was written." in dry.output
    unconfirmed = repo.wac("apply")
    assert unconfirmed.exit_code == 1
    assert "pass --auto-approve" in unconfirmed.output
    assert repo.managed() == {}


def test_target_narrows_plan_and_apply(repo: Workspace) -> None:
    result = repo.wac("apply", "--auto-approve", "--target", "signup-funnel", "--target", "weekly-retention")
    assert "2 created" in result.output
    assert sorted(repo.managed()) == ["signup-funnel", "weekly-retention"]
    narrowed = repo.wac("plan", "--target", "signup-funnel", "--detailed-exitcode")
    assert narrowed.exit_code == 0


def test_other_owners_are_separate(repo: Workspace) -> None:
    assert repo.wac("apply", "--auto-approve", "--owner", "team-a").exit_code == 0
    assert repo.wac("apply", "--auto-approve", env={"WAC_OWNER": "team-b"}).exit_code == 0
    assert len(repo.managed("team-a")) == MANIFESTS and len(repo.managed("team-b")) == MANIFESTS
    (repo.root / ".wac.yaml").write_text("owner: team-a\n")
    assert repo.wac("plan", "--detailed-exitcode").exit_code == 0
