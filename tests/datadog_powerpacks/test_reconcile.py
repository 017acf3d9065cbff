"""Powerpacks end to end through `wac` over HTTP: every recorded create round-trips to an empty plan, ownership
lives in three tags, UI edits are drift, export and adoption take a powerpack over, and a no-op plan costs one
list call."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import yaml

from reconciler.backends.emulator_server import emulator_thread
from tests.commands.helpers import Workspace, make_workspace
from tests.conftest import ALICE
from tests.datadog_powerpacks.test_replay import ALL, _load

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "widgets" / "powerpacks" / "latency-pack.yaml"
API = "/api/v2/powerpacks"


def recorded_creates() -> list[dict[str, Any]]:
    """The attributes of every create Datadog accepted in the recordings."""
    bodies = []
    for cassette in ALL:
        for interaction in _load(cassette):
            request = interaction["request"]
            accepted = interaction["response"]["status"]["code"] == 200
            if request["method"] == "POST" and request["uri"].endswith(API) and accepted:
                bodies.append(json.loads(request["body"])["data"]["attributes"])
    return bodies


def powerpacks(url: str) -> list[dict[str, Any]]:
    return list(httpx.get(f"{url}{API}", headers=ALICE, params={"page[limit]": 1000}).json()["data"])


def workspace(tmp_path: Path, url: str) -> Workspace:
    repo = make_workspace(tmp_path, url, copy_examples=False)
    (repo.widgets / "powerpacks").mkdir(parents=True)
    (repo.widgets / "powerpacks" / "latency-pack.yaml").write_text(EXAMPLE.read_text())
    # A second one, so that removing the first leaves a repository with manifests in it.
    other = EXAMPLE.read_text().replace("id: latency-pack", "id: other-pack").replace("[team:sre]", "[]")
    (repo.widgets / "powerpacks" / "other-pack.yaml").write_text(other)
    return repo


def test_every_recorded_create_applies_then_plans_empty(tmp_path: Path) -> None:
    bodies = recorded_creates()
    assert len(bodies) >= 6
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        repo.widgets.mkdir()
        documents = [{"kind": "datadog/powerpack", "id": f"recorded-{n}", "powerpack": b} for n, b in enumerate(bodies)]
        (repo.widgets / "recorded.yaml").write_text(yaml.safe_dump_all(documents, sort_keys=False))
        assert repo.wac("validate").exit_code == 0, repo.wac("validate").output
        applied = repo.wac("apply", "--auto-approve")
        assert applied.exit_code == 0, applied.output
        again = repo.wac("plan", "--detailed-exitcode")
        assert again.exit_code == 0, again.output
        assert f"No changes. {len(bodies)} resource(s)" in again.output


def test_apply_marks_with_tags_and_a_noop_plan_is_one_list_call(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = workspace(tmp_path, server.url)
        assert repo.wac("validate").exit_code == 0, repo.wac("validate").output
        applied = repo.wac("apply", "--auto-approve")
        assert applied.exit_code == 0, applied.output
        (made,) = [p for p in powerpacks(server.url) if "team:sre" in p["attributes"]["tags"]]
        tags = made["attributes"]["tags"]
        assert tags[:2] == ["team:sre", "wac-owner:default"] and tags[2] == "wac-id:latency-pack"
        assert tags[3].startswith("wac-applied:") and len(tags) == 4
        before = dict(server.stats.by_method)
        plan = repo.wac("plan", "--kind", "datadog/powerpack", "--detailed-exitcode")
        assert plan.exit_code == 0, plan.output
        spent = {m: n - before.get(m, 0) for m, n in server.stats.by_method.items() if n != before.get(m, 0)}
        assert spent == {"GET": 1}, "a no-op plan reads one page of 1,000 powerpacks, nothing else"


def test_edits_in_the_ui_are_drift_with_the_author_and_apply_restores(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = workspace(tmp_path, server.url)
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        made = next(p for p in powerpacks(server.url) if "team:sre" in p["attributes"]["tags"])
        attributes = made["attributes"] | {"name": "Latency (edited)"}
        body = {"data": {"type": "powerpack", "attributes": attributes}}
        assert httpx.patch(f"{server.url}{API}/{made['id']}", headers=ALICE, json=body).status_code == 200
        drift = repo.wac("drift", "--kind", "datadog/powerpack")
        assert drift.exit_code == 2, drift.output
        assert '"Service latency" → "Latency (edited)"' in drift.output, drift.output
        assert "wac-owner" not in drift.output and "Datadog records only the powerpack's author" in drift.output
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        assert {p["attributes"]["name"] for p in powerpacks(server.url)} == {"Service latency"}
        assert repo.wac("plan", "--detailed-exitcode").exit_code == 0


def test_a_removed_manifest_deletes_only_its_own_powerpack(tmp_path: Path) -> None:
    with emulator_thread() as server:
        attributes = yaml.safe_load(EXAMPLE.read_text())["powerpack"]
        loose = {"data": {"type": "powerpack", "attributes": {**attributes, "name": "Made in the UI"}}}
        theirs_tags = ["wac-owner:platform", "wac-id:latency-pack", "wac-applied:00"]
        theirs = {"data": {"type": "powerpack", "attributes": {**attributes, "tags": theirs_tags}}}
        kept = [httpx.post(f"{server.url}{API}", headers=ALICE, json=b).json()["data"]["id"] for b in (loose, theirs)]
        repo = workspace(tmp_path, server.url)
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        (repo.widgets / "powerpacks" / "latency-pack.yaml").unlink()
        removed = repo.wac("apply", "--auto-approve", "--kind", "datadog/powerpack", "--allow-mass-delete")
        assert removed.exit_code == 0, removed.output
        left = [p for p in powerpacks(server.url) if "wac-id:other-pack" not in p["attributes"]["tags"]]
        assert sorted(p["id"] for p in left) == sorted(kept)


def test_export_and_adopt_a_powerpack(tmp_path: Path) -> None:
    with emulator_thread() as server:
        attributes = yaml.safe_load(EXAMPLE.read_text())["powerpack"]
        body = {"data": {"type": "powerpack", "attributes": {**attributes, "tags": ["tag:display"]}}}
        made = httpx.post(f"{server.url}{API}", headers=ALICE, json=body).json()["data"]
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        exported = repo.wac("export", "--kind", "datadog/powerpack", "--out", "adopted")
        assert exported.exit_code == 0, exported.output
        (file,) = (repo.root / "adopted").rglob("*.yaml")
        assert f"adopt: {made['id']}" in file.read_text()
        planned = json.loads(repo.wac("plan", "adopted", "--format", "json").stdout)
        assert [c["reason"] for c in planned["changes"]] == ["adopted: ownership marker added"]
        assert repo.wac("apply", "adopted", "--auto-approve").exit_code == 0
        assert repo.wac("plan", "adopted", "--detailed-exitcode").exit_code == 0
        (adopted,) = powerpacks(server.url)
        assert adopted["id"] == made["id"] and "wac-owner:default" in adopted["attributes"]["tags"]
        assert "tag:display" in adopted["attributes"]["tags"]


def test_forget_removes_the_marker_and_nothing_else(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = workspace(tmp_path, server.url)
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        (repo.widgets / "powerpacks" / "latency-pack.yaml").unlink()
        (repo.root / ".wac.yaml").write_text("forget: [datadog/powerpack/latency-pack]\n")
        forgot = repo.wac("apply", "--auto-approve", "--kind", "datadog/powerpack")
        assert forgot.exit_code == 0, forgot.output
        (left,) = [p for p in powerpacks(server.url) if "wac-id:other-pack" not in p["attributes"]["tags"]]
        assert left["attributes"]["tags"] == ["team:sre"] and left["attributes"]["name"] == "Service latency"
