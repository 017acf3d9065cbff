"""Edit locks as code, end to end through `wac` over HTTP: a `permissions:` block becomes the dashboard's
restriction policy (recorded in its marker), the emulator then refuses anyone else's edit, a lock widened
in Datadog is drift, a removed block deletes the policy, and a lock that would leave wac out is refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml
from datadog_api_client import ApiClient
from datadog_api_client.v2.api.restriction_policies_api import RestrictionPoliciesApi
from datadog_api_client.v2.model.restriction_policy import RestrictionPolicy
from datadog_api_client.v2.model.restriction_policy_attributes import RestrictionPolicyAttributes
from datadog_api_client.v2.model.restriction_policy_binding import RestrictionPolicyBinding
from datadog_api_client.v2.model.restriction_policy_type import RestrictionPolicyType
from datadog_api_client.v2.model.restriction_policy_update_request import RestrictionPolicyUpdateRequest

from reconciler.backends.datadog_dashboards.emulator.app import create_dashboards_app
from reconciler.backends.datadog_dashboards.emulator.settings import load_principals
from reconciler.backends.datadog_dashboards.emulator.store import DashboardStore
from reconciler.backends.emulation.settings import EmulatorSettings
from reconciler.backends.emulator_server import RunningEmulator, emulator_thread
from tests.asgi import SyncASGITransport
from tests.commands.helpers import Workspace, make_workspace
from tests.conftest import ALICE, BOB
from tests.datadog_dashboards.test_hostile_answers import MARKED, SUMMARY, _json
from tests.datadog_dashboards.test_reconcile import DASHBOARD
from tests.datadog_dashboards.test_replay import KEYS, _load, _same_shape
from tests.datadog_dashboards.test_sharing import apply, board, dashboard_of, no_changes, workspace, write
from tests.datadog_widgets.test_official_client import configuration
from tests.hostile_servers import Answer, answering

CASSETTES = Path(__file__).parent / "cassettes" / "restriction-policies"
POLICIES = "/api/v2/restriction_policy/"
CI_USER = "user:0a1b2c3d-0000-4000-8000-00000000a11c"
CI_ROLE = "role:0a1b2c3d-0000-4000-8000-0000000c1c1c"
PERSON = "user:0a1b2c3d-0000-4000-8000-000000000b0b"
TEAM = "team:0a1b2c3d-0000-4000-8000-0000000000ae"
ORG = "org:0a1b2c3d-0000-4000-8000-00000000000a"
# Who each key acts as in the emulator: ALICE is the CI identity (its user and its role), BOB a person.
PRINCIPALS = {ALICE["DD-APPLICATION-KEY"]: [CI_USER, CI_ROLE, ORG], BOB["DD-APPLICATION-KEY"]: [PERSON, TEAM, ORG]}
LOCK = f"""\
permissions:
  editors: [{CI_ROLE}]
  viewers: [{TEAM}]
"""


@pytest.fixture
def server() -> Iterator[RunningEmulator]:
    with emulator_thread(settings=EmulatorSettings(options={"principals": PRINCIPALS})) as running:
        yield running


def locked(tmp_path: Path, url: str, *documents: str) -> Workspace:
    repo = workspace(tmp_path, url, *documents)
    repo.env["WAC_DATADOG_PRINCIPALS"] = f"{CI_USER}, {CI_ROLE}"
    return repo


def policy(url: str, dashboard_id: str, headers: dict[str, str] = ALICE) -> dict[str, Any]:
    found: dict[str, Any] = httpx.get(f"{url}{POLICIES}dashboard%3A{dashboard_id}", headers=headers).json()
    return found


def bindings(*pairs: tuple[str, list[str]]) -> dict[str, Any]:
    return {"data": {"type": "restriction_policy", "attributes": {"bindings": [
        {"relation": relation, "principals": principals} for relation, principals in pairs
    ]}}}  # fmt: skip


# --- the emulator --------------------------------------------------------------------------------------------


def _replayed(interactions: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """The policy exchanges, in order; the others set up a role and a user no backend here manages."""
    mine = [i for i in interactions if urlsplit(i["request"]["uri"]).path.startswith(POLICIES)]
    return mine, len(interactions) - len(mine)


def test_every_restriction_policy_recording_replays() -> None:
    cassettes = sorted(CASSETTES.glob("*.yaml"))
    assert len(cassettes) == 4, "every recording is here"
    for cassette in cassettes:
        interactions, skipped = _replayed(_load(cassette))
        assert interactions, cassette.name
        # Skipped: POST/DELETE /api/v2/roles and /api/v2/users, the scenario's own setup (no id they make is used).
        assert skipped in (0, 5), cassette.name
        store = DashboardStore()
        with httpx.Client(transport=SyncASGITransport(create_dashboards_app(store)), base_url="http://e") as client:
            for interaction in interactions:
                request, recorded = interaction["request"], interaction["response"]
                body = request.get("body")
                headers = {**KEYS, **({"content-type": "application/json"} if body else {})}
                path = urlsplit(request["uri"]).path
                answer = client.request(
                    request["method"], path, content=body.encode() if body else None, headers=headers
                )
                where = f"{cassette.stem} {request['method']} {path}"
                assert answer.status_code == recorded["status"]["code"], f"{where}: {answer.text}"
                text = recorded["body"]["string"].strip()
                if not text:
                    assert not answer.content.strip(), where
                    continue
                _same_shape(json.loads(text), answer.json(), where)
        store.close()


def test_the_official_client_gets_updates_and_deletes_a_policy(server: RunningEmulator) -> None:
    with ApiClient(configuration(server.url)) as client:
        api = RestrictionPoliciesApi(client)
        assert api.get_restriction_policy(resource_id="dashboard:abc-def-ghi").data.attributes.bindings == []
        body = RestrictionPolicyUpdateRequest(
            data=RestrictionPolicy(
                id="dashboard:abc-def-ghi",
                type=RestrictionPolicyType.RESTRICTION_POLICY,
                attributes=RestrictionPolicyAttributes(
                    bindings=[RestrictionPolicyBinding(relation="editor", principals=[ORG])]
                ),
            )
        )
        answer = api.update_restriction_policy(resource_id="dashboard:abc-def-ghi", body=body)
        assert answer.data.id == "dashboard:abc-def-ghi"
        assert answer.data.attributes.bindings[0].principals == [ORG]
        assert api.get_restriction_policy(resource_id="dashboard:abc-def-ghi").data.attributes.bindings[0].relation == (
            "editor"
        )
        api.delete_restriction_policy(resource_id="dashboard:abc-def-ghi")
        assert api.get_restriction_policy(resource_id="dashboard:abc-def-ghi").data.attributes.bindings == []


def test_a_policy_naming_editors_locks_the_dashboard_to_them(server: RunningEmulator) -> None:
    made = httpx.post(
        f"{server.url}/api/v1/dashboard", headers=ALICE, json={"title": "T", "layout_type": "ordered", "widgets": []}
    ).json()
    item = f"{server.url}/api/v1/dashboard/{made['id']}"
    body = {"title": "Edited", "layout_type": "ordered", "widgets": []}
    address = f"{server.url}{POLICIES}dashboard:{made['id']}"
    assert httpx.post(address, headers=ALICE, json=bindings(("editor", [CI_ROLE]))).status_code == 200
    assert httpx.put(item, headers=BOB, json=body).status_code == 403
    assert httpx.delete(item, headers=BOB).status_code == 403
    assert httpx.post(address, headers=BOB, json=bindings(("editor", [PERSON]))).status_code == 403
    assert httpx.put(item, headers=ALICE, json=body).status_code == 200
    assert httpx.get(item, headers=BOB).status_code == 200, "viewing is not what an editor binding restricts"
    assert httpx.delete(address, headers=ALICE).status_code == 204
    assert httpx.put(item, headers=BOB, json=body).status_code == 200, "unlocked: the organisation's default"


# --- plan, apply, drift ---------------------------------------------------------------------------------------


def test_a_lock_is_applied_after_its_dashboard_and_then_refuses_anyone_else(
    tmp_path: Path, server: RunningEmulator
) -> None:
    repo = locked(tmp_path, server.url, board(sharing=LOCK))
    plan = repo.wac("plan")
    assert '+ create dashboard-permissions/checkout-overview "Board checkout-overview"' in plan.output
    assert f"only {CI_ROLE} may edit the dashboard" in plan.output
    output = apply(repo)
    assert "created" in output
    made = dashboard_of(server.url, "checkout-overview")
    assert ", permissions applied " in made["description"], "the marker records the lock as wac's"
    assert policy(server.url, made["id"])["data"]["attributes"]["bindings"] == [
        {"relation": "editor", "principals": [CI_ROLE]},
        {"relation": "viewer", "principals": [TEAM]},
    ]
    no_changes(repo)

    # A person's edit in the UI is refused by Datadog: the lock is real.
    edited = {k: v for k, v in made.items() if k not in ("id", "url", "author_handle", "created_at", "modified_at")}
    answer = httpx.put(f"{server.url}/api/v1/dashboard/{made['id']}", headers=BOB, json={**edited, "title": "Mine"})
    assert answer.status_code == 403
    assert repo.wac("drift").exit_code == 0


def test_a_lock_widened_in_datadog_is_drift_that_the_next_apply_narrows(
    tmp_path: Path, server: RunningEmulator
) -> None:
    repo = locked(tmp_path, server.url, board(sharing=LOCK))
    apply(repo)
    dashboard_id = dashboard_of(server.url, "checkout-overview")["id"]
    widened = bindings(("editor", [CI_ROLE, PERSON]), ("viewer", [TEAM]))
    assert httpx.post(f"{server.url}{POLICIES}dashboard:{dashboard_id}", headers=ALICE, json=widened).is_success
    drift = repo.wac("drift")
    assert drift.exit_code == 2, drift.output
    assert f"widens access: {PERSON} may edit the dashboard" in drift.output
    report = json.loads(repo.wac("drift", "--format", "json").output)
    (edit,) = report["edited"]
    assert edit["scope"] == "dashboard-permissions" and edit["cautions"][0]["widens_access"] is True
    plan = repo.wac("plan").output
    assert "changed outside git" in plan and "Datadog records neither who changed a restriction policy" in plan
    apply(repo)
    assert policy(server.url, dashboard_id)["data"]["attributes"]["bindings"][0]["principals"] == [CI_ROLE]
    no_changes(repo)


def test_removing_the_block_deletes_the_policy_before_a_removed_dashboard(
    tmp_path: Path, server: RunningEmulator
) -> None:
    repo = locked(tmp_path, server.url, board(sharing=LOCK), board("second", sharing=LOCK))
    apply(repo)
    first = dashboard_of(server.url, "checkout-overview")["id"]
    second = dashboard_of(server.url, "second")["id"]
    write(repo, board(sharing=""), board("third", sharing=""))
    plan = repo.wac("plan").output
    assert "- delete dashboard-permissions/checkout-overview" in plan
    assert "widens access: removes the edit lock" in plan
    assert "- delete dashboard-permissions/second" in plan and "- delete dashboard/second" in plan
    apply(repo)
    assert policy(server.url, first)["data"]["attributes"]["bindings"] == []
    # Deleted before its dashboard (a deleted dashboard can be restored, and would come back locked).
    assert policy(server.url, second)["data"]["attributes"]["bindings"] == []
    assert ", permissions applied" not in dashboard_of(server.url, "checkout-overview")["description"]
    no_changes(repo)


def test_a_lock_waits_while_its_dashboard_is_in_conflict_and_a_saved_plan_applies(
    tmp_path: Path, server: RunningEmulator
) -> None:
    repo = locked(tmp_path, server.url, board(sharing=LOCK))
    saved = repo.wac("plan", "--out", "locks.plan")
    assert saved.exit_code == 0, saved.output
    applied = repo.wac("apply", "--auto-approve", "--plan", "locks.plan")
    assert applied.exit_code == 0, applied.output
    made = dashboard_of(server.url, "checkout-overview")
    assert policy(server.url, made["id"])["data"]["attributes"]["bindings"]
    # A second marker line (a copy, or a person's edit by an editor) makes the dashboard a conflict.
    line = made["description"].rsplit("\n", 1)[1]
    edited = {k: v for k, v in made.items() if k not in ("id", "url", "author_handle", "created_at", "modified_at")}
    doubled = {**edited, "description": made["description"] + "\n" + line.replace("owner default", "owner other")}
    assert httpx.put(f"{server.url}/api/v1/dashboard/{made['id']}", headers=ALICE, json=doubled).is_success
    write(repo, board(sharing=LOCK.replace(TEAM, PERSON)))
    plan = repo.wac("plan")
    assert "held back: dashboard-permissions/checkout-overview" in plan.output
    assert "dashboard-permissions/checkout-overview" not in plan.output.replace("held back: dashboard-permissions", "")
    assert policy(server.url, made["id"])["data"]["attributes"]["bindings"][1]["principals"] == [TEAM]


@pytest.mark.parametrize(
    ("principals", "message"),
    [
        (f"{PERSON}", "name none of the principals wac's own key acts as"),
        (None, "wac cannot tell whether its own key stays among the editors"),
    ],
)
def test_a_lock_that_would_leave_wac_out_is_refused_at_plan_time(
    tmp_path: Path, server: RunningEmulator, principals: str | None, message: str
) -> None:
    repo = locked(tmp_path, server.url, board(sharing=LOCK))
    result = repo.wac("plan", env={"WAC_DATADOG_PRINCIPALS": principals})
    assert result.exit_code == 1
    assert message in result.output and "refused (edit lock)" in result.output
    assert "dashboard-permissions/checkout-overview (" in result.output, "the refusal names the change"
    assert "Traceback" not in result.output
    applied = repo.wac("apply", "--auto-approve", env={"WAC_DATADOG_PRINCIPALS": principals})
    assert applied.exit_code == 1
    assert httpx.get(f"{server.url}/api/v1/dashboard", headers=ALICE).json()["dashboards"] == [], "nothing written"


def test_adopt_takes_a_lock_over_and_export_writes_the_permissions_block(
    tmp_path: Path, server: RunningEmulator
) -> None:
    made = httpx.post(
        f"{server.url}/api/v1/dashboard", headers=ALICE, json={"title": "UI", "layout_type": "ordered", "widgets": []}
    ).json()
    lock = bindings(("editor", [CI_ROLE]), ("viewer", [TEAM]))
    assert httpx.post(f"{server.url}{POLICIES}dashboard%3A{made['id']}", headers=ALICE, json=lock).is_success
    manifest = (
        f"kind: datadog/dashboard\nid: from-the-ui\nadopt: {made['id']}\n"
        "dashboard: {title: UI, layout_type: ordered, widgets: []}\n" + LOCK
    )
    repo = locked(tmp_path, server.url, manifest)
    apply(repo)
    described = httpx.get(f"{server.url}/api/v1/dashboard/{made['id']}", headers=ALICE).json()["description"]
    assert ", permissions applied " in described, "adopted: the lock is now recorded as wac's"
    no_changes(repo)

    exported = repo.wac("export", "--kind", "datadog/dashboard", "--out", "exported")
    assert exported.exit_code == 0, exported.output
    (written,) = (repo.root / "exported").rglob("*.yaml")
    document = yaml.safe_load(written.read_text())
    assert document["permissions"] == {"editors": [CI_ROLE], "viewers": [TEAM]}
    assert repo.wac("validate", "exported").exit_code == 0


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("permissions:\n  editors: [role:admins]\n", "'role:admins' is not a principal"),
        (f"permissions:\n  editors: [{CI_ROLE}, {CI_ROLE}]\n", "is listed twice"),
        ("permissions: {}\n", "names no editors and no viewers"),
        (f"permissions:\n  editors: [{CI_ROLE}]\n  viewers: [{CI_ROLE}]\n", "both an editor and a viewer"),
        (f"permissions:\n  owners: [{CI_ROLE}]\n", "owners"),
    ],
)
def test_a_bad_permissions_block_is_one_located_sentence_offline(tmp_path: Path, block: str, message: str) -> None:
    repo = locked(tmp_path, "http://127.0.0.1:9", board(sharing=block))
    result = repo.wac("validate")
    assert result.exit_code == 1
    assert message in result.output and "boards.yaml:" in result.output
    assert "Traceback" not in result.output


# --- hostile answers and settings -----------------------------------------------------------------------------

LOCKED_MARKER = MARKED.replace("applied 00)", "applied 00, permissions applied 22)")
LOCKED_BODY = {**SUMMARY, "description": LOCKED_MARKER, "layout_type": "ordered", "widgets": []}
MALFORMED_POLICIES: dict[str, tuple[Any, str]] = {
    "another-resource": (
        {"data": {"type": "restriction_policy", "id": "dashboard:zzz-zzz-zzz", "attributes": {"bindings": []}}},
        "policy of dashboard:abc-def-ghi: the answer is not the restriction policy of dashboard:abc-def-ghi",
    ),
    "unknown-relation": (
        {"data": {**bindings(("owner", [CI_ROLE]))["data"], "id": "dashboard:abc-def-ghi"}},
        "bindings[0] is not an editor or viewer binding",
    ),
    "principal-as-text": (
        {
            "data": {
                "type": "restriction_policy",
                "id": "dashboard:abc-def-ghi",
                "attributes": {"bindings": [{"relation": "editor", "principals": ["role:\u001b[31mx"]}]},
            }
        },
        "is not a principal",
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED_POLICIES))
def test_a_malformed_policy_answer_is_one_sentence(tmp_path: Path, case: str) -> None:
    policy_answer, expected = MALFORMED_POLICIES[case]

    def answer(_method: str, path: str) -> Answer:
        if path.startswith("/api/v2/widgets"):
            return _json({"data": [], "meta": {"filtered_total": 0}})
        if path.startswith(POLICIES):
            return _json(policy_answer)
        listed = {"dashboards": [{**SUMMARY, "description": LOCKED_MARKER}]}
        return _json(listed if path.startswith("/api/v1/dashboard?") else LOCKED_BODY)

    with answering(answer) as url:
        repo = make_workspace(tmp_path, url, copy_examples=False)
        repo.widgets.mkdir()
        (repo.widgets / "board.yaml").write_text(DASHBOARD + LOCK)
        result = repo.wac("plan", env={"WAC_DATADOG_PRINCIPALS": CI_ROLE})
    assert result.exit_code == 1, result.output
    assert expected in result.output, result.output
    assert "Traceback" not in result.output and "\x1b" not in result.output


def test_the_principals_file_and_setting_are_checked(tmp_path: Path) -> None:
    good = tmp_path / "principals.json"
    good.write_text(json.dumps(PRINCIPALS))
    assert load_principals(good) == {key: tuple(values) for key, values in PRINCIPALS.items()}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"key": ["admins"]}))
    with pytest.raises(ValueError, match="mapping application keys to lists"):
        load_principals(bad)
    repo = locked(tmp_path, "http://127.0.0.1:9", board(sharing=LOCK))
    result = repo.wac("plan", env={"WAC_DATADOG_PRINCIPALS": "admins"})
    assert result.exit_code == 1
    assert "WAC_DATADOG_PRINCIPALS: 'admins' is not a principal" in result.output
