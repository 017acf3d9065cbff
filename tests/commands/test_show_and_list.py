"""`wac show` (a saved plan, offline, every field checked) and `wac list` (what an owner manages, from the
listings a plan reads), driven as a user runs them against a loopback emulator."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reconciler.backends.emulator_server import emulator_thread
from tests.commands.helpers import Workspace, create_directly, make_workspace

CONFLICTED = ["wac-owner:default", "wac-owner:team-b", "wac-id:aws-spend-summary"]


def _saved(repo: Workspace, *args: str) -> Path:
    result = repo.wac("plan", "--out", "plan.json", *args)
    assert result.exit_code == 0, result.output
    return repo.root / "plan.json"


def test_show_prints_the_saved_plan_as_plan_printed_it_in_every_format_without_a_request(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url, dashboards=True)
        create_directly(server.url, "ccm_reports", "Claimed twice", CONFLICTED)
        saved = _saved(repo)
        printed = {fmt: repo.wac("plan", "--format", fmt).stdout for fmt in ("text", "markdown")}
        before = sum(server.stats.by_method.values())
        shown = {fmt: repo.wac("show", "plan.json", "--format", fmt) for fmt in ("text", "markdown", "json")}
        assert sum(server.stats.by_method.values()) == before, "show sends nothing"
    assert all(result.exit_code == 0 for result in shown.values()), shown["text"].output
    assert shown["text"].stdout == printed["text"] and shown["markdown"].stdout == printed["markdown"]
    # The conflict and the share's access warning are in the file, and shown from it.
    assert "! conflict: ccm_reports" in shown["text"].stdout and "Claimed twice" in shown["text"].stdout
    assert "Access changes (review these first):" in shown["text"].stdout
    assert "This plan widens access" in shown["markdown"].stdout
    assert json.loads(shown["json"].stdout) == json.loads(saved.read_text())
    assert "apply exactly it with: wac apply --plan plan.json" in shown["text"].stderr


def test_show_works_with_no_site_keys_or_network(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url)
        _saved(repo)
    offline = {"DD_SITE": "http://127.0.0.1:9", "DD_API_KEY": None, "DD_APP_KEY": None}
    shown = repo.wac("show", "plan.json", env=offline)
    assert shown.exit_code == 0, shown.output
    assert "to create" in shown.stdout


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda p: "not json", "not a plan file written by `wac plan --out` (not JSON"),
        (lambda p: {**p, "format_version": 2}, "plan format_version 2 is not supported"),
        (lambda p: {**p, "owner": "Team A"}, "owner 'Team A' is not a valid owner"),
        (
            lambda p: {**p, "changes": [{**p["changes"][0], "kind": "datadog/monitor"}]},
            "changes[0].kind must be one of",
        ),
        (
            lambda p: {**p, "changes": [{**p["changes"][0], "cautions": [{"text": "x", "widens_access": "yes"}]}]},
            "changes[0].cautions.widens_access must be true or false",
        ),
        (
            lambda p: {**p, "conflicts": [{**p["conflicts"][0], "how_to_resolve": "ignore it"}]},
            "conflicts[0].how_to_resolve does not describe this conflict",
        ),
        (
            lambda p: {**p, "conflicts": [{**p["conflicts"][0], "remote_id": "../../etc"}]},
            "conflicts[0].remote_id must be a remote id",
        ),
    ],
)
def test_a_bad_plan_file_is_one_sentence_and_exit_1(tmp_path: Path, tamper: object, message: str) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url)
        create_directly(server.url, "ccm_reports", "Claimed twice", CONFLICTED)
        saved = _saved(repo)
    changed = tamper(json.loads(saved.read_text()))  # type: ignore[operator]
    saved.write_text(changed if isinstance(changed, str) else json.dumps(changed))
    result = repo.wac("show", "plan.json")
    assert result.exit_code == 1, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: plan.json: ") and message in line, line
    assert result.stdout == ""


def test_show_of_a_missing_file_is_one_sentence(tmp_path: Path) -> None:
    repo = make_workspace(tmp_path, "http://127.0.0.1:9", copy_examples=False)
    result = repo.wac("show", "nowhere.json")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: nowhere.json: cannot be read (No such file or directory)"


def test_list_names_each_managed_resource_once_and_conflicts_apart(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url, spaceone=True)
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        create_directly(server.url, "logs_reports", "Claimed twice", [*CONFLICTED[:2], "wac-id:shared"])
        remote = {w["attributes"]["definition"]["title"]: w["id"] for w in repo.remote()}
        text = repo.wac("list")
        document = repo.wac("list", "--format", "json")
        only = repo.wac("list", "--kind", "spaceone/custom-widget", "--format", "json")
        nobody = repo.wac("list", "--owner", "nobody")
        writes = {m: n for m, n in server.stats.by_method.items() if m in ("PUT", "DELETE", "PATCH")}
    assert text.exit_code == 0 and document.exit_code == 0, text.output
    listed = json.loads(document.stdout)
    assert listed["owner"] == "default" and listed["format_version"] == 1
    widgets = {r["id"]: r for r in listed["resources"] if r["kind"] == "datadog/widget"}
    assert widgets["checkout-error-rate"]["remote_id"] == remote["Checkout error rate (5 min)"]
    assert widgets["checkout-error-rate"]["scope"] == "logs_reports"
    assert all(r["applied"] and r["modified_at"] for r in widgets.values())
    assert {r["kind"] for r in listed["resources"]} == {"datadog/widget", "spaceone/custom-widget"}
    assert [c["remote_id"] for c in listed["conflicts"]] == [remote["Claimed twice"]]
    assert remote["Claimed twice"] not in {r["remote_id"] for r in listed["resources"]}
    # Text: a header, one line per resource (id, remote id, title, digest), the conflict apart, a summary.
    lines = text.stdout.splitlines()
    assert lines[0].split() == ["KIND", "ID", "REMOTE", "ID", "TITLE", "APPLIED", "MODIFIED"]
    error_rate = next(line for line in lines if "logs_reports/checkout-error-rate " in line)
    assert remote["Checkout error rate (5 min)"] in error_rate and "Checkout error rate (5 min)" in error_rate
    assert widgets["checkout-error-rate"]["applied"] in error_rate
    assert any(line.startswith("! conflict: logs_reports") and "Claimed twice" in line for line in lines)
    assert lines[-1] == f"{len(listed['resources'])} resource(s) managed by owner 'default' on {server.url};" + (
        " 1 in conflict, listed above, wait for a person."
    )
    assert {r["kind"] for r in json.loads(only.stdout)["resources"]} == {"spaceone/custom-widget"}
    assert nobody.exit_code == 0 and f"Owner 'nobody' manages nothing on {server.url}." in nobody.stdout
    assert writes == {}, "list writes nothing"


def test_list_is_as_cheap_as_a_plan_listing(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url, dashboards=True)
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        repo.wac("list")  # warms the dashboards cache, as a plan does
        before = dict(server.stats.by_method)
        assert repo.wac("list").exit_code == 0
        listed = {m: n - before.get(m, 0) for m, n in server.stats.by_method.items()}
        before = dict(server.stats.by_method)
        assert repo.wac("plan").exit_code == 0
        planned = {m: n - before.get(m, 0) for m, n in server.stats.by_method.items()}
    # List reads every kind it can reach (SpaceONE's listing is a POST); of Datadog's, no more than a plan.
    assert listed.get("GET", 0) <= planned.get("GET", 0), (listed, planned)
    assert {m for m, n in listed.items() if n} <= {"GET", "POST"}, listed


def test_show_names_what_makes_a_saved_plan_unfit_to_apply_below_it(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url)
        saved = _saved(repo)
    document = json.loads(saved.read_text())
    saved.write_text(json.dumps({**document, "errors": ["adopt 1234 is named by 2 manifests"]}))
    shown = repo.wac("show", "plan.json")
    assert shown.exit_code == 0, shown.output
    assert "cannot be applied: 1 problem(s), named below." in shown.stdout
    assert shown.stdout.rstrip().endswith("error: adopt 1234 is named by 2 manifests")
