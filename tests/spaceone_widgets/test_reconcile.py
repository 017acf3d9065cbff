"""SpaceONE custom widgets end to end through `wac`, over HTTP against the emulator, beside Datadog widgets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.backends.emulator_server import RunningEmulator, emulator_thread
from reconciler.backends.spaceone_widgets.connection import EMULATOR_DOMAIN, EMULATOR_TOKEN
from tests.commands.helpers import Workspace, make_workspace

COST = """\
kind: spaceone/custom-widget
id: monthly-cost-trend
widget_name: costTrend
title: Monthly cost trend
options: {granularity: MONTHLY, chart: line}
settings: {currency: USD, stacked: true}
labels: [finops]
tags: {team: finops}
"""
BUDGET = """\
kind: spaceone/custom-widget
id: budget-usage
widget_name: budgetUsage
title: Budget usage
options: {granularity: DAILY}
"""


class SpaceOneApi:
    """Plain calls to the emulated gateway, as another SpaceONE user or the UI would make them."""

    def __init__(self, url: str, token: str = EMULATOR_TOKEN) -> None:
        self.url, self.headers = url, {"Authorization": f"Bearer {token}"}

    def call(self, verb: str, **body: Any) -> Any:
        response = httpx.post(
            f"{self.url}/dashboard/v1/custom-widget/{verb}",
            headers=self.headers,
            json={"domain_id": EMULATOR_DOMAIN, **body},
        )
        assert response.status_code == 200, response.text
        return response.json()

    def widgets(self) -> list[dict[str, Any]]:
        return list(self.call("list", query={})["results"])

    def managed(self, owner: str = "default") -> dict[str, list[dict[str, Any]]]:
        groups: dict[str, list[dict[str, Any]]] = {}
        for widget in self.widgets():
            if widget["tags"].get("wac-owner") == owner:
                groups.setdefault(widget["tags"]["wac-id"], []).append(widget)
        return groups


@pytest.fixture()
def server() -> Iterator[RunningEmulator]:
    with emulator_thread() as running:
        yield running


@pytest.fixture()
def repo(tmp_path: Path, server: RunningEmulator) -> Workspace:
    workspace = make_workspace(tmp_path, server.url, spaceone=True)
    (workspace.widgets / "spaceone").mkdir(exist_ok=True)
    (workspace.widgets / "spaceone" / "cost.yaml").write_text(COST)
    (workspace.widgets / "spaceone" / "budget.yaml").write_text(BUDGET)
    return workspace


def applied(repo: Workspace) -> None:
    result = repo.wac("apply", "--auto-approve")
    assert result.exit_code == 0, result.output


def test_a_mixed_repository_is_planned_and_applied_in_one_run(repo: Workspace, server: RunningEmulator) -> None:
    planned = json.loads(repo.wac("plan", "--format", "json").stdout)
    kinds = [c["kind"] for c in planned["changes"]]
    assert kinds.count("spaceone/custom-widget") == 5 and kinds.count("datadog/widget") == 16
    text = repo.wac("plan").output
    assert '+ create custom-widget/monthly-cost-trend "Monthly cost trend"' in text
    assert "kind spaceone/custom-widget" in text and "21 to create" in text
    applied(repo)
    api = SpaceOneApi(server.url)
    (cost,) = api.managed()["monthly-cost-trend"]
    assert cost["widget_name"] == "costTrend" and cost["settings"] == {"currency": "USD", "stacked": True}
    assert cost["tags"]["team"] == "finops" and cost["tags"]["wac-applied"]
    assert len(repo.managed()) == 16
    again = repo.wac("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "No changes. 21 resource(s)" in again.output


def test_a_changed_widget_name_is_replaced_with_the_reason(repo: Workspace, server: RunningEmulator) -> None:
    applied(repo)
    api = SpaceOneApi(server.url)
    (old,) = api.managed()["monthly-cost-trend"]
    path = repo.widgets / "spaceone" / "cost.yaml"
    path.write_text(path.read_text().replace("widget_name: costTrend", "widget_name: costTrendV2"))
    plan = repo.wac("plan")
    assert '-/+ replace custom-widget/monthly-cost-trend "Monthly cost trend"' in plan.output
    assert "replaced because widget_name cannot be changed in place" in plan.output
    assert "1 to replace" in plan.output
    result = repo.wac("apply", "--auto-approve")
    assert "1 replaced" in result.output, result.output
    (new,) = api.managed()["monthly-cost-trend"]
    assert new["widget_name"] == "costTrendV2" and new["custom_widget_id"] != old["custom_widget_id"]
    assert old["custom_widget_id"] not in {w["custom_widget_id"] for w in api.widgets()}
    assert repo.wac("plan", "--detailed-exitcode").exit_code == 0


def test_a_key_removed_from_settings_is_really_removed(repo: Workspace, server: RunningEmulator) -> None:
    applied(repo)
    api = SpaceOneApi(server.url)
    path = repo.widgets / "spaceone" / "cost.yaml"
    path.write_text(path.read_text().replace("settings: {currency: USD, stacked: true}", "settings: {currency: EUR}"))
    plan = repo.wac("plan")
    assert "replaced because settings loses stacked, and an update only merges into settings" in plan.output
    applied(repo)
    (cost,) = api.managed()["monthly-cost-trend"]
    assert cost["settings"] == {"currency": "EUR"}
    path.write_text(path.read_text().replace("settings: {currency: EUR}", "settings: {currency: JPY, extra: 1}"))
    updated = repo.wac("plan")
    assert "~ update custom-widget/monthly-cost-trend" in updated.output, "adding and changing keys merges in"
    applied(repo)
    assert api.managed()["monthly-cost-trend"][0]["settings"] == {"currency": "JPY", "extra": 1}


def test_drift_names_the_edit_and_what_is_known_of_who(repo: Workspace, server: RunningEmulator) -> None:
    applied(repo)
    bob = SpaceOneApi(server.url, token="bob-token")
    (cost,) = SpaceOneApi(server.url).managed()["monthly-cost-trend"]
    bob.call("update", custom_widget_id=cost["custom_widget_id"], title="Edited in the console")
    drift = repo.wac("drift")
    assert drift.exit_code == 2, drift.output
    assert '~ custom-widget/monthly-cost-trend "Monthly cost trend"' in drift.output
    assert "SpaceONE records only the creator" in drift.output
    assert '~ title: "Monthly cost trend" → "Edited in the console"' in drift.output
    applied(repo)
    assert repo.wac("drift").exit_code == 0


def test_other_owners_and_unmanaged_widgets_are_never_touched(repo: Workspace, server: RunningEmulator) -> None:
    api = SpaceOneApi(server.url)
    theirs = api.call(
        "create", widget_name="x", title="Theirs", options={}, tags={"wac-owner": "platform", "wac-id": "budget-usage"}
    )
    loose = api.call("create", widget_name="y", title="Made in the console", options={})
    applied(repo)
    (repo.widgets / "spaceone" / "budget.yaml").unlink()
    applied(repo)
    ids = {w["custom_widget_id"]: w for w in api.widgets()}
    assert ids[theirs["custom_widget_id"]] == theirs and ids[loose["custom_widget_id"]] == loose
    assert "budget-usage" not in api.managed()


def test_export_and_adopt_take_over_console_widgets(repo: Workspace, server: RunningEmulator) -> None:
    api = SpaceOneApi(server.url)
    made = api.call(
        "create", widget_name="errors", title="Error budget", options={"w": 1}, labels=["sre"], tags={"team": "sre"}
    )
    exported = repo.wac("export", "--kind", "spaceone/custom-widget", "--out", "adopted", "--unmanaged-only")
    assert exported.exit_code == 0, exported.output
    (file,) = (repo.root / "adopted").rglob("*.yaml")
    text = file.read_text()
    assert "kind: spaceone/custom-widget" in text and f"adopt: {made['custom_widget_id']}" in text
    assert repo.wac("validate", "adopted").exit_code == 0
    planned = json.loads(repo.wac("plan", "adopted", "--format", "json").stdout)
    assert [(c["action"], c["reason"]) for c in planned["changes"]] == [("update", "adopted: ownership marker added")]
    assert repo.wac("apply", "adopted", "--auto-approve").exit_code == 0
    (adopted,) = [w for w in api.widgets() if w["custom_widget_id"] == made["custom_widget_id"]]
    assert adopted["tags"]["wac-owner"] == "default" and adopted["tags"]["team"] == "sre"
    assert repo.wac("plan", "adopted", "--detailed-exitcode").exit_code == 0


def test_missing_settings_are_named_and_nothing_is_sent(repo: Workspace, server: RunningEmulator) -> None:
    env: dict[str, str | None] = {
        "DD_SITE": "datadoghq.com",
        "SPACEONE_ENDPOINT": None,
        "SPACEONE_TOKEN": None,
        "SPACEONE_DOMAIN_ID": None,
    }
    result = repo.wac("plan", "widgets/spaceone", env=env)
    assert result.exit_code == 1
    assert "SPACEONE_ENDPOINT and SPACEONE_TOKEN and SPACEONE_DOMAIN_ID not set" in result.output
    assert sum(server.stats.by_method.values()) == 0


def test_the_token_never_appears_in_output(repo: Workspace, server: RunningEmulator) -> None:
    secret = "s3cr3t-spaceone-token-0123456789"
    env = {"SPACEONE_ENDPOINT": server.url, "SPACEONE_TOKEN": secret, "SPACEONE_DOMAIN_ID": EMULATOR_DOMAIN}
    for args in (("plan", "--debug"), ("apply", "--auto-approve", "--debug"), ("drift", "--format", "json")):
        result = repo.wac(*args, env=env)
        assert secret not in result.output and "s3cr3t" not in result.output, args
    bad = repo.wac("plan", env={**env, "SPACEONE_ENDPOINT": "http://10.0.0.1:1"})
    assert bad.exit_code == 1 and "plain http to a non-loopback host" in bad.output and secret not in bad.output


def test_the_endpoint_flag_wins_over_the_variable(repo: Workspace, server: RunningEmulator) -> None:
    env = {
        "SPACEONE_ENDPOINT": "https://spaceone.invalid",
        "SPACEONE_TOKEN": "t",
        "SPACEONE_DOMAIN_ID": EMULATOR_DOMAIN,
    }
    result = repo.wac("plan", "widgets/spaceone", "--spaceone-endpoint", server.url, env=env)
    assert result.exit_code == 0, result.output
    assert "5 to create" in result.output


def test_a_saved_plan_with_both_kinds_applies_exactly(repo: Workspace, server: RunningEmulator) -> None:
    saved = repo.wac("plan", "--out", "plan.json")
    assert saved.exit_code == 0, saved.output
    changes = json.loads((repo.root / "plan.json").read_text())["changes"]
    assert {c["scope"] for c in changes if c["kind"] == "spaceone/custom-widget"} == {"custom-widget"}
    applied_plan = repo.wac("apply", "--plan", "plan.json", "--auto-approve")
    assert applied_plan.exit_code == 0, applied_plan.output
    assert "21 created" in applied_plan.output
    assert repo.wac("plan", "--detailed-exitcode").exit_code == 0


def test_the_config_file_names_the_endpoint_and_domain(repo: Workspace, server: RunningEmulator) -> None:
    (repo.root / ".wac.yaml").write_text(f"spaceone:\n  endpoint: {server.url}\n  domain_id: domain-team\n")
    result = repo.wac("apply", "widgets/spaceone", "--auto-approve", env={"SPACEONE_TOKEN": "team-token"})
    assert result.exit_code == 0, result.output
    in_team_domain = httpx.post(
        f"{server.url}/dashboard/v1/custom-widget/list",
        headers={"Authorization": "Bearer team-token"},
        json={"domain_id": "domain-team"},
    ).json()
    assert in_team_domain["total_count"] == 5
    assert SpaceOneApi(server.url).widgets() == [], "nothing in the emulator's default domain"
