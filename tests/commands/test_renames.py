"""Renaming a manifest's id with `moved_from:` keeps the resource: its remote id, URL and share, only the
marker rewritten; conflicts between old ids are located errors."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.backends.emulator_server import emulator_thread
from tests.commands.helpers import make_workspace
from tests.datadog_dashboards.test_sharing import board, dashboard_of, share, token_of, workspace, write
from tests.manifests.helpers import problems_of
from tests.manifests.helpers import write as write_file


def test_a_shared_dashboard_renamed_keeps_its_id_url_and_share(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = workspace(tmp_path, server.url, board())
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        before, token = dashboard_of(server.url, "checkout-overview"), token_of(server.url, "checkout-overview")
        assert token is not None

        renamed = board().replace("id: checkout-overview\n", "id: checkout-board\nmoved_from: [checkout-overview]\n")
        write(repo, renamed)
        planned = repo.wac("plan", "--format", "json")
        plan = json.loads(planned.output)
        assert plan["summary"]["create"] == plan["summary"]["delete"] == 0, planned.output
        assert plan["summary"]["rename"] == 1 and plan["summary"]["update"] == 1
        (change,) = plan["changes"]
        assert change["renamed_from"] == "checkout-overview" and change["id"] == "checkout-board"
        text = repo.wac("plan").output
        assert '~ rename dashboard/checkout-overview → checkout-board "Board checkout-overview"' in text

        assert repo.wac("apply", "--auto-approve").exit_code == 0
        after = dashboard_of(server.url, "checkout-board")
        assert after["id"] == before["id"] and after["url"] == before["url"], "the same dashboard"
        assert token_of(server.url, "checkout-board") == token and share(server.url, token).status_code == 200
        assert repo.wac("plan", "--detailed-exitcode").exit_code == 0
        # The old id stays in the manifest harmlessly: nothing carries it any more.
        assert repo.wac("drift").exit_code == 0


def test_a_widget_renamed_keeps_its_uuid_even_from_a_saved_plan(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url)
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        (uuid,) = [w["id"] for w in repo.managed()["checkout-error-rate"]]
        errors = repo.widgets / "logs" / "errors.yaml"
        errors.write_text(
            errors.read_text().replace(
                "id: checkout-error-rate\n", "id: checkout-errors-5m\nmoved_from: [checkout-error-rate]\n"
            )
        )
        assert repo.wac("plan", "--out", "plan.json").exit_code == 0
        applied = repo.wac("apply", "--plan", "plan.json", "--auto-approve")
        assert applied.exit_code == 0 and "0 created, 1 updated, 0 deleted" in applied.output, applied.output
        managed = repo.managed()
        assert [w["id"] for w in managed["checkout-errors-5m"]] == [uuid] and "checkout-error-rate" not in managed


def test_old_ids_are_moved_once_and_never_while_in_use(tmp_path: Path) -> None:
    body = "experience_type: logs_reports\ndefinition: {type: toplist, title: t, requests: [{q: x}]}\n"
    write_file(tmp_path, "w/a.yaml", f"id: a\n{body}---\nid: b\nmoved_from: [a]\n{body}---\nid: c\nmoved_from: [old]\n"
               f"{body}---\nid: d\nmoved_from: [old]\n{body}---\nid: e\nmoved_from: [e]\n{body}")  # fmt: skip
    assert problems_of(tmp_path / "w") == [
        "a.yaml:5:1: moved_from: 'a' is still the id of the manifest at a.yaml:1; an old id can move to one"
        " manifest only, once nothing uses it",
        "a.yaml:15:1: moved_from: 'old' is already claimed by moved_from of the manifest at a.yaml:10; an old id"
        " can move to one manifest only, once nothing uses it",
        "a.yaml:21:14: moved_from: 'e' is this manifest's own id",
    ]


def test_a_rename_onto_an_id_that_exists_says_why_it_is_not_a_rename(tmp_path: Path) -> None:
    body = "experience_type: logs_reports\ndefinition: {type: toplist, title: t, requests: [{q: x}]}\n"
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        repo.widgets.mkdir()
        (repo.widgets / "w.yaml").write_text(f"id: a\n{body}---\nid: b\n{body}")
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        # `a` renamed onto `b`, which exists: `a` cannot become `b` without two resources claiming it.
        (repo.widgets / "w.yaml").write_text(f"id: b\nmoved_from: [a]\n{body}")
        planned = repo.wac("plan")
        assert "moved_from a: a resource with the new id b exists already" in planned.output, planned.output
        assert "- delete logs_reports/a" in planned.output
