"""Dashboards end to end through `wac` over HTTP: every recorded create round-trips to an empty plan,
ownership lives in the description's marker line, and other kinds plan beside them in one run."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import httpx
import yaml

from reconciler.backends.datadog_dashboards.emulator.policies import ORG as EMULATED_ORG
from reconciler.backends.emulator_server import emulator_thread
from tests.commands.helpers import Workspace, make_workspace
from tests.conftest import ALICE
from tests.datadog_dashboards.test_replay import ALL, _load

DASHBOARD = """\
kind: datadog/dashboard
id: checkout-overview
tags: [team:checkout]
dashboard:
  title: Checkout overview
  description: Orders, errors and latency of the checkout service.
  layout_type: ordered
  notify_list: [b@example.com, a@example.com]
  template_variables:
    - {name: env, prefix: env, available_values: [prod, staging], defaults: [prod]}
  widgets:
    - definition:
        type: timeseries
        title: Orders
        requests: [{q: "sum:checkout.orders{$env}"}]
    - definition:
        type: group
        title: Errors
        layout_type: ordered
        widgets:
          - definition: {type: query_value, title: Error rate, requests: [{q: "avg:checkout.errors{$env}"}]}
"""


def recorded_creates() -> list[dict[str, Any]]:
    """The body of every create Datadog accepted in the recordings."""
    bodies = []
    for cassette in ALL:
        for interaction in _load(cassette):
            request = interaction["request"]
            if (
                request["method"] == "POST"
                and request["uri"].endswith("/api/v1/dashboard")
                and interaction["response"]["status"]["code"] == 200
            ):
                bodies.append(json.loads(request["body"]))
    return bodies


def dashboards(url: str) -> list[dict[str, Any]]:
    listed = httpx.get(f"{url}/api/v1/dashboard", headers=ALICE).json()["dashboards"]
    return [httpx.get(f"{url}/api/v1/dashboard/{d['id']}", headers=ALICE).json() for d in listed]


def workspace(tmp_path: Path, url: str) -> Workspace:
    repo = make_workspace(tmp_path, url, spaceone=True)
    (repo.widgets / "dashboards").mkdir()
    (repo.widgets / "dashboards" / "checkout.yaml").write_text(DASHBOARD)
    return repo


def test_every_recorded_create_applies_then_plans_empty(tmp_path: Path) -> None:
    bodies = recorded_creates()
    assert len(bodies) >= 75
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        repo.widgets.mkdir()
        documents = []
        for n, body in enumerate(bodies):
            tags = body.pop("tags", [])
            documents.append({"kind": "datadog/dashboard", "id": f"recorded-{n:03}", "tags": tags, "dashboard": body})
        (repo.widgets / "recorded.yaml").write_text(yaml.safe_dump_all(documents, sort_keys=False))
        assert repo.wac("validate").exit_code == 0, repo.wac("validate").output
        applied = repo.wac("apply", "--auto-approve")
        assert applied.exit_code == 0, applied.output
        again = repo.wac("plan", "--detailed-exitcode")
        assert again.exit_code == 0, again.output
        assert f"No changes. {len(bodies)} resource(s)" in again.output


def test_a_mixed_repository_of_every_kind_in_one_run(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = workspace(tmp_path, server.url)
        planned = json.loads(repo.wac("plan", "--format", "json").stdout)
        kinds = sorted({c["kind"] for c in planned["changes"]})
        assert kinds == ["datadog/dashboard", "datadog/widget", "spaceone/custom-widget"]
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        assert repo.wac("plan", "--detailed-exitcode").exit_code == 0
        (made,) = dashboards(server.url)
        description = made["description"]
        assert description.startswith("Orders, errors and latency of the checkout service.\n\n")
        assert description.endswith(
            "Managed by widgets-as-code (owner default, id checkout-overview, applied "
            + description.rsplit("applied ", 1)[1]
        )
        assert made["tags"] == ["team:checkout"]
        assert made["widgets"][1]["definition"]["widgets"][0]["id"], "the server ids widgets inside groups"


def test_edits_in_the_ui_are_drift_and_the_marker_never_shows(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = workspace(tmp_path, server.url)
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        (made,) = dashboards(server.url)
        edited = {k: v for k, v in made.items() if k not in ("id", "url", "author_handle", "author_name")}
        edited |= {"title": "Checkout (edited)"}
        edited = {k: v for k, v in edited.items() if k not in ("created_at", "modified_at")}
        assert httpx.put(f"{server.url}/api/v1/dashboard/{made['id']}", headers=ALICE, json=edited).status_code == 200
        drift = repo.wac("drift", "--kind", "datadog/dashboard")
        assert drift.exit_code == 2, drift.output
        assert '~ dashboard.title: "Checkout overview" → "Checkout (edited)"' in drift.output
        assert "Managed by widgets-as-code" not in drift.output
        assert "Datadog records only the dashboard's author" in drift.output
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        assert dashboards(server.url)[0]["title"] == "Checkout overview"


def test_unmarked_and_other_owners_dashboards_are_never_touched(tmp_path: Path) -> None:
    with emulator_thread() as server:
        body = {"title": "Made in the UI", "layout_type": "ordered", "widgets": []}
        loose = httpx.post(f"{server.url}/api/v1/dashboard", headers=ALICE, json=body).json()
        theirs_body = {
            **body,
            "title": "Theirs",
            "description": (
                "Managed by widgets-as-code (owner platform, id checkout-overview, applied 00): edit it in git."
            ),
        }
        theirs = httpx.post(f"{server.url}/api/v1/dashboard", headers=ALICE, json=theirs_body).json()
        repo = workspace(tmp_path, server.url)
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        (repo.widgets / "dashboards" / "checkout.yaml").unlink()
        # The owner's last dashboard goes: the mass-delete guard asks for it to be said.
        removed = repo.wac("apply", "--auto-approve", "--kind", "datadog/dashboard", "--allow-mass-delete")
        assert removed.exit_code == 0, removed.output
        left = {d["id"]: d for d in dashboards(server.url)}
        assert set(left) == {loose["id"], theirs["id"]}
        assert left[theirs["id"]]["modified_at"] == theirs["modified_at"]


def test_export_and_adopt_a_dashboard(tmp_path: Path) -> None:
    with emulator_thread() as server:
        body = {
            "title": "On-call",
            "layout_type": "free",
            "widgets": [{"definition": {"type": "note", "content": "x"}}],
        }
        made = httpx.post(f"{server.url}/api/v1/dashboard", headers=ALICE, json={**body, "tags": ["team:sre"]}).json()
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        exported = repo.wac("export", "--kind", "datadog/dashboard", "--out", "adopted")
        assert exported.exit_code == 0, exported.output
        (file,) = (repo.root / "adopted").rglob("*.yaml")
        assert f"adopt: {made['id']}" in file.read_text()
        planned = json.loads(repo.wac("plan", "adopted", "--format", "json").stdout)
        assert [c["reason"] for c in planned["changes"]] == ["adopted: ownership marker added"]
        assert repo.wac("apply", "adopted", "--auto-approve").exit_code == 0
        assert repo.wac("plan", "adopted", "--detailed-exitcode").exit_code == 0
        (adopted,) = dashboards(server.url)
        assert adopted["id"] == made["id"] and "owner default" in adopted["description"]


def test_a_warm_cache_makes_a_plan_one_list_call_and_is_never_trusted_over_the_remote(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        repo.widgets.mkdir()
        documents = [
            DASHBOARD.replace("checkout-overview", f"board-{n}").replace("Checkout overview", f"Board {n}")
            for n in range(5)
        ]
        # Two of them locked to the organisation (the emulator's, which wac's key belongs to).
        documents[:2] = [document + f"permissions: {{editors: [{EMULATED_ORG}]}}\n" for document in documents[:2]]
        repo.env["WAC_DATADOG_PRINCIPALS"] = EMULATED_ORG
        (repo.widgets / "boards.yaml").write_text("---\n".join(documents))
        assert repo.wac("apply", "--auto-approve").exit_code == 0

        def gets_of_a_plan() -> int:
            before = server.stats.by_method["GET"]
            assert repo.wac("plan", "--kind", "datadog/dashboard", "--detailed-exitcode").exit_code == 0
            return server.stats.by_method["GET"] - before

        # Every plan also lists the shared dashboards, to catch shares no marker records; and reads the policy
        # of each dashboard whose marker records a lock as wac's (no endpoint lists policies or their changes).
        assert gets_of_a_plan() == 9, "cold: the list page, the shared list, one GET per dashboard and per lock"
        assert gets_of_a_plan() == 4, "warm: the two list pages and the two locks"
        assert not list(repo.root.rglob("dashboards-*.json")), "the cache is never in the repository"
        (cache,) = Path(os.environ["WAC_CACHE_DIR"]).glob("dashboards-*.json")
        cache.write_text("{not json")
        assert gets_of_a_plan() == 9, "a damaged cache is ignored: the lists and one GET each"
        assert gets_of_a_plan() == 4
        (made, *_) = dashboards(server.url)
        edited = {k: v for k, v in made.items() if k not in ("id", "url", "author_handle", "author_name")}
        edited = {k: v for k, v in edited.items() if k not in ("created_at", "modified_at")} | {"title": "Edited"}
        assert httpx.put(f"{server.url}/api/v1/dashboard/{made['id']}", headers=ALICE, json=edited).status_code == 200
        before = server.stats.by_method["GET"]
        drift = repo.wac("plan", "--kind", "datadog/dashboard")
        assert server.stats.by_method["GET"] - before == 5, "only the changed dashboard is read again (and the locks)"
        assert '"Edited" → ' in drift.output or "Edited" in drift.output


def test_a_cloned_or_edited_marker_is_a_named_conflict_nobody_writes(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = workspace(tmp_path, server.url)
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        (made,) = dashboards(server.url)
        clone = {k: v for k, v in made.items() if k not in ("id", "url", "author_handle", "author_name")}
        clone = {k: v for k, v in clone.items() if k not in ("created_at", "modified_at")} | {"title": "Copy"}
        copy = httpx.post(f"{server.url}/api/v1/dashboard", headers=ALICE, json=clone).json()
        plan = repo.wac("plan", "--kind", "datadog/dashboard")
        assert "! conflict:" in plan.output and "is also on another dashboard" in plan.output
        assert "held back" in plan.output and "No changes" not in plan.output
        assert "delete" not in plan.output.split("! conflict:")[0], "a copy is not deleted as a duplicate"
        httpx.delete(f"{server.url}/api/v1/dashboard/{copy['id']}", headers=ALICE)
        edited = clone | {"title": made["title"]}
        edited["description"] = made["description"].replace("applied ", "applied by hand ")
        assert httpx.put(f"{server.url}/api/v1/dashboard/{made['id']}", headers=ALICE, json=edited).status_code == 200
        plan = repo.wac("plan", "--kind", "datadog/dashboard")
        assert "was edited by hand" in plan.output and "+ create" not in plan.output, plan.output
