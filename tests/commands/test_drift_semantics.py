"""Drift tells who did what: the editor's change as they made it, git's pending change apart, deletes named."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from reconciler.backends.emulator_server import RunningEmulator, emulator_thread
from tests.commands.helpers import Workspace, make_workspace
from tests.conftest import BOB

FILE = Path("finops") / "aws-costs.yaml"
ID = "aws-spend-treemap"


@pytest.fixture()
def server() -> Iterator[RunningEmulator]:
    with emulator_thread() as running:
        yield running


@pytest.fixture()
def repo(tmp_path: Path, server: RunningEmulator) -> Workspace:
    workspace = make_workspace(tmp_path, server.url)
    assert workspace.wac("apply", "--auto-approve").exit_code == 0
    return workspace


def _edit_in_ui(repo: Workspace, **definition_changes: Any) -> None:
    widget = repo.managed()[ID][0]
    attributes = widget["attributes"]
    definition = {**attributes["definition"], **definition_changes}
    body = {"data": {"type": "widgets", "attributes": {"definition": definition, "tags": attributes["tags"]}}}
    url = f"{repo.url}/api/v2/widgets/ccm_reports/{widget['id']}"
    assert httpx.put(url, headers=BOB, json=body).status_code == 200


def _edit_in_git(repo: Workspace, old: str, new: str) -> None:
    path = repo.widgets / FILE
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def _git(repo: Workspace, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo.root), *args], check=True, capture_output=True)


def _drift(repo: Workspace) -> tuple[int, dict[str, Any], str]:
    text = repo.wac("drift")
    as_json = repo.wac("drift", "--format", "json")
    return text.exit_code, json.loads(as_json.stdout), text.stdout


def test_drift_shows_what_the_editor_did(repo: Workspace) -> None:
    _edit_in_ui(repo, title="Edited in the UI")
    code, report, text = _drift(repo)
    assert code == 2
    assert 'definition.title: "Where the AWS money goes (service → region)" → "Edited in the UI"' in text
    (edit,) = report["edited"]
    assert edit["fields"][0]["before"] == "Where the AWS money goes (service → region)"
    assert edit["fields"][0]["after"] == "Edited in the UI"


def test_a_change_only_in_git_is_pending_not_drift(repo: Workspace) -> None:
    _edit_in_git(repo, "Where the AWS money goes", "Where the money goes")
    code, report, text = _drift(repo)
    assert code == 0 and report["edited"] == []
    assert "Pending in git (changed since the last apply, not applied yet; not drift)" in text
    assert report["pending_in_git"][0]["id"] == ID


def test_git_history_tells_the_pending_change_from_the_edit(repo: Workspace) -> None:
    _git(repo, "init", "-q")
    _git(repo, "-c", "user.email=ci@example.com", "-c", "user.name=CI", "add", ".")
    _git(repo, "-c", "user.email=ci@example.com", "-c", "user.name=CI", "commit", "-q", "-m", "applied")
    _edit_in_git(repo, "Where the AWS money goes", "Where the money goes")  # not applied yet
    _edit_in_ui(repo, style={"palette": "warm"})  # the edit outside git
    code, report, text = _drift(repo)
    assert code == 2
    (edit,) = report["edited"]
    assert edit["told_apart"] is True
    assert [f["path"] for f in edit["fields"]] == ["definition.style"]
    assert [f["path"] for f in edit["pending_in_git"]] == ["definition.title"]
    assert "also changed in git since the last apply (not applied yet):" in text


def test_without_history_it_says_the_two_cannot_be_told_apart(repo: Workspace) -> None:
    _edit_in_git(repo, "Where the AWS money goes", "Where the money goes")
    _edit_in_ui(repo, style={"palette": "warm"})
    _code, report, text = _drift(repo)
    (edit,) = report["edited"]
    assert edit["told_apart"] is False
    assert {f["path"] for f in edit["fields"]} == {"definition.title", "definition.style"}
    assert "these fields mix the edit outside git with the change in git" in text


def test_a_widget_deleted_in_the_ui_is_named_as_such(repo: Workspace) -> None:
    widget = repo.managed()[ID][0]
    assert httpx.delete(f"{repo.url}/api/v2/widgets/ccm_reports/{widget['id']}", headers=BOB).status_code == 204
    code, _report, text = _drift(repo)
    assert code == 2
    assert "is missing remotely (never applied, or deleted outside git;" in text
    assert "missing remotely (never applied, or deleted outside git)" in repo.wac("plan").stdout


def test_drift_for_machines_counts_by_class_and_kind_and_names_who_as_data(repo: Workspace) -> None:
    _edit_in_ui(repo, title="Edited by Bob")
    report = json.loads(repo.wac("drift", "--format", "json").stdout)
    assert report["format_version"] == 4
    assert report["summary"]["edited"] == 1 and report["summary"]["missing"] == 0
    assert report["summary"]["by_kind"]["datadog/widget"]["edited"] == 1
    (edited,) = report["edited"]
    assert (
        edited["changed_by"]["known"] is True
        and edited["changed_by"]["handle"]
        and edited["changed_by"]["note"] is None
    )
    assert edited["changed_at"] and edited["changed_at"].endswith("Z")


def test_the_drift_issue_is_real_markdown_with_every_remote_text_inert(repo: Workspace) -> None:
    _edit_in_ui(repo, title="**bold** <img src=x> [link](http://evil)")
    markdown = repo.wac("drift", "--format", "markdown").output
    assert markdown.startswith("<!-- widgets-as-code drift -->")
    assert "#### Changed outside git" in markdown and "```" not in markdown
    assert "<img" not in markdown and "**bold**" not in markdown and "[link](" not in markdown
