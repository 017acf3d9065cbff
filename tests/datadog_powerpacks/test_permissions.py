"""Powerpack edit locks as code, end to end through `wac` over HTTP: a `permissions:` block becomes the
powerpack's restriction policy (recorded in a fourth marker tag), the emulator then refuses anyone else's edit, a
lock widened in Datadog is drift, a removed block deletes the policy, a lock that would leave wac out is refused
at plan time, and a no-op plan reads the policies of locked powerpacks only."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from reconciler.backends.datadog_powerpacks.marker import claims_from, policy_applied
from reconciler.backends.emulation.settings import EmulatorSettings
from reconciler.backends.emulator_server import RunningEmulator, emulator_thread
from tests.commands.helpers import Workspace, make_workspace
from tests.conftest import ALICE, BOB
from tests.datadog_powerpacks.test_reconcile import API, EXAMPLE, powerpacks

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
def server(tmp_path: Path) -> Iterator[RunningEmulator]:
    # A state file: the powerpacks' emulator reads the policies the dashboards' emulator keeps in it.
    settings = EmulatorSettings(options={"principals": PRINCIPALS})
    with emulator_thread(tmp_path / "emulator.sqlite3", settings=settings) as running:
        yield running


def pack(manifest_id: str = "latency-pack", block: str = LOCK, tags: str = "[team:sre]") -> str:
    text = EXAMPLE.read_text().replace("id: latency-pack", f"id: {manifest_id}").replace("[team:sre]", tags)
    return text + block


def write(repo: Workspace, *documents: str) -> None:
    (repo.widgets / "packs.yaml").write_text("---\n".join(documents))


def workspace(tmp_path: Path, url: str, *documents: str) -> Workspace:
    repo = make_workspace(tmp_path, url, copy_examples=False)
    repo.widgets.mkdir(parents=True)
    write(repo, *documents)
    repo.env["WAC_DATADOG_PRINCIPALS"] = f"{CI_USER}, {CI_ROLE}"
    return repo


def apply(repo: Workspace) -> str:
    result = repo.wac("apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    return result.output


def no_changes(repo: Workspace) -> None:
    result = repo.wac("plan", "--detailed-exitcode")
    assert result.exit_code == 0, result.output


def powerpack_of(url: str, manifest_id: str) -> dict[str, Any]:
    for item in powerpacks(url):
        if f"wac-id:{manifest_id}" in item["attributes"]["tags"]:
            return item
    raise AssertionError(f"no powerpack has id {manifest_id}")


def policy(url: str, powerpack_id: str) -> list[dict[str, Any]]:
    found = httpx.get(f"{url}{POLICIES}powerpack%3A{powerpack_id}", headers=ALICE).json()
    return list(found["data"]["attributes"]["bindings"])


def bindings(*pairs: tuple[str, list[str]]) -> dict[str, Any]:
    listed = [{"relation": relation, "principals": principals} for relation, principals in pairs]
    return {"data": {"type": "restriction_policy", "attributes": {"bindings": listed}}}


def test_a_lock_is_applied_after_its_powerpack_and_then_refuses_anyone_else(
    tmp_path: Path, server: RunningEmulator
) -> None:
    repo = workspace(tmp_path, server.url, pack())
    plan = repo.wac("plan").output
    assert '+ create powerpack/latency-pack "Service latency"' in plan
    assert '+ create powerpack-permissions/latency-pack "Service latency"' in plan
    assert f"only {CI_ROLE} may edit the powerpack" in plan
    apply(repo)
    made = powerpack_of(server.url, "latency-pack")
    tags = made["attributes"]["tags"]
    assert len(tags) == 5 and policy_applied(tags) is not None, "a fourth marker tag records the lock as wac's"
    assert claims_from(tags).owned_as("default", "latency-pack")
    assert policy(server.url, made["id"]) == [
        {"relation": "editor", "principals": [CI_ROLE]},
        {"relation": "viewer", "principals": [TEAM]},
    ]
    no_changes(repo)

    # A person's edit is refused by the lock; wac's own key still edits it.
    item = f"{server.url}{API}/{made['id']}"
    renamed = {"data": {"type": "powerpack", "attributes": {"name": "Mine"}}}
    assert httpx.patch(item, headers=BOB, json=renamed).status_code == 403
    assert httpx.delete(item, headers=BOB).status_code == 403
    assert httpx.post(f"{server.url}{POLICIES}powerpack:{made['id']}", headers=BOB, json=bindings()).status_code == 403
    write(repo, pack().replace("name: Service latency", "name: Service latency v2"))
    apply(repo)
    updated = powerpack_of(server.url, "latency-pack")["attributes"]
    assert updated["name"] == "Service latency v2" and policy_applied(updated["tags"]) == policy_applied(tags)
    no_changes(repo)


def test_a_lock_widened_in_datadog_is_drift_that_the_next_apply_narrows(
    tmp_path: Path, server: RunningEmulator
) -> None:
    repo = workspace(tmp_path, server.url, pack())
    apply(repo)
    powerpack_id = powerpack_of(server.url, "latency-pack")["id"]
    widened = bindings(("editor", [CI_ROLE, PERSON]), ("viewer", [TEAM]))
    assert httpx.post(f"{server.url}{POLICIES}powerpack:{powerpack_id}", headers=ALICE, json=widened).is_success
    drift = repo.wac("drift")
    assert drift.exit_code == 2, drift.output
    assert f"widens access: {PERSON} may edit the powerpack" in drift.output
    report = json.loads(repo.wac("drift", "--format", "json").output)
    (edit,) = report["edited"]
    assert edit["scope"] == "powerpack-permissions" and edit["cautions"][0]["widens_access"] is True
    plan = repo.wac("plan").output
    assert "changed outside git" in plan and "Datadog records neither who changed a restriction policy" in plan
    apply(repo)
    assert policy(server.url, powerpack_id)[0]["principals"] == [CI_ROLE]
    no_changes(repo)


def test_removing_the_block_deletes_the_policy_and_its_tag(tmp_path: Path, server: RunningEmulator) -> None:
    repo = workspace(tmp_path, server.url, pack(), pack("second"))
    apply(repo)
    first = powerpack_of(server.url, "latency-pack")["id"]
    second = powerpack_of(server.url, "second")["id"]
    write(repo, pack(block=""), pack("third", block=""))
    plan = repo.wac("plan").output
    assert "- delete powerpack-permissions/latency-pack" in plan
    assert "widens access: removes the edit lock; the powerpack returns to the organisation's default" in plan
    assert "- delete powerpack-permissions/second" in plan and "- delete powerpack/second" in plan
    apply(repo)
    assert policy(server.url, first) == [] and policy(server.url, second) == []
    assert policy_applied(powerpack_of(server.url, "latency-pack")["attributes"]["tags"]) is None
    no_changes(repo)


@pytest.mark.parametrize(
    ("principals", "message"),
    [
        (PERSON, "name none of the principals wac's own key acts as"),
        (None, "wac cannot tell whether its own key stays among the editors"),
    ],
)
def test_a_lock_that_would_leave_wac_out_is_refused_at_plan_time(
    tmp_path: Path, server: RunningEmulator, principals: str | None, message: str
) -> None:
    repo = workspace(tmp_path, server.url, pack())
    result = repo.wac("plan", env={"WAC_DATADOG_PRINCIPALS": principals})
    assert result.exit_code == 1, result.output
    assert message in result.output and "refused (edit lock)" in result.output
    assert "powerpack-permissions/latency-pack (" in result.output, "the refusal names the change"
    assert "Traceback" not in result.output
    applied = repo.wac("apply", "--auto-approve", env={"WAC_DATADOG_PRINCIPALS": principals})
    assert applied.exit_code == 1
    assert powerpacks(server.url) == [], "nothing written"


def test_a_noop_plan_reads_the_policy_of_each_locked_powerpack_only(tmp_path: Path, server: RunningEmulator) -> None:
    repo = workspace(tmp_path, server.url, pack(), pack("second"), pack("open-one", block=""))
    apply(repo)
    before = dict(server.stats.by_method)
    plan = repo.wac("plan", "--kind", "datadog/powerpack", "--detailed-exitcode")
    assert plan.exit_code == 0, plan.output
    spent = {m: n - before.get(m, 0) for m, n in server.stats.by_method.items() if n != before.get(m, 0)}
    assert spent == {"GET": 3}, "one page of powerpacks and one policy per locked powerpack, none for the other"


def test_adopt_takes_a_lock_over_and_export_writes_the_permissions_block(
    tmp_path: Path, server: RunningEmulator
) -> None:
    body = yaml.safe_load(EXAMPLE.read_text())["powerpack"]
    made = httpx.post(f"{server.url}{API}", headers=ALICE, json={"data": {"type": "powerpack", "attributes": body}})
    powerpack_id = made.json()["data"]["id"]
    lock = bindings(("editor", [CI_ROLE]), ("viewer", [TEAM]))
    assert httpx.post(f"{server.url}{POLICIES}powerpack%3A{powerpack_id}", headers=ALICE, json=lock).is_success
    adopted = pack().replace("id: latency-pack\n", f"id: latency-pack\nadopt: {powerpack_id}\n")
    repo = workspace(tmp_path, server.url, adopted)
    assert "+ create powerpack-permissions/latency-pack" in repo.wac("plan").output
    apply(repo)
    assert policy_applied(powerpack_of(server.url, "latency-pack")["attributes"]["tags"]) is not None
    no_changes(repo)

    exported = repo.wac("export", "--kind", "datadog/powerpack", "--out", "exported")
    assert exported.exit_code == 0, exported.output
    (written,) = (repo.root / "exported").rglob("*.yaml")
    document = yaml.safe_load(written.read_text())
    assert document["permissions"] == {"editors": [CI_ROLE], "viewers": [TEAM]}
    assert repo.wac("validate", "exported").exit_code == 0


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (pack(block="permissions:\n  editors: [role:admins]\n"), "'role:admins' is not a principal"),
        (pack(block=f"permissions:\n  editors: [{CI_ROLE}, {CI_ROLE}]\n"), "is listed twice"),
        (pack(block="permissions: {}\n"), "names no editors and no viewers"),
        (pack(block=f"permissions:\n  editors: [{CI_ROLE}]\n  viewers: [{CI_ROLE}]\n"), "both an editor and a viewer"),
        (pack(block=f"permissions:\n  owners: [{CI_ROLE}]\n"), "owners"),
        (pack(tags="[a, b, c, d, e]"), "a powerpack with `permissions:` takes 4 of your own"),
        (pack(block="", tags="[wac-permissions:00]"), "is reserved"),
    ],
)
def test_a_bad_permissions_block_is_one_located_sentence_offline(tmp_path: Path, document: str, message: str) -> None:
    repo = workspace(tmp_path, "http://127.0.0.1:9", document)
    result = repo.wac("validate")
    assert result.exit_code == 1
    assert message in result.output and "packs.yaml:" in result.output
    assert "Traceback" not in result.output


def test_the_lock_tag_is_part_of_the_marker() -> None:
    marker = ["wac-owner:a", "wac-id:x", "wac-applied:0a"]
    assert policy_applied([*marker, "wac-permissions:5e"]) == "5e"
    assert claims_from([*marker, "wac-permissions:5e"]).owned_as("a", "x")
    assert policy_applied(marker) is None
    doubled = claims_from([*marker, "wac-permissions:5e", "wac-permissions:6f"])
    assert doubled.conflicted, "two lock tags: an edited marker"
    assert claims_from(["WAC-Permissions:5e", *marker]).conflicted
    alone = claims_from(["wac-permissions:5e"])
    assert alone.owners == ("(edited marker)",) and alone.owner is not None, "a lock tag alone is an edited marker"
    assert policy_applied(["wac-permissions:5e"]) is None
