"""The GitHub workflows: actionlint-clean, pinned, least-privileged, and wired the way the README says."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"
FILES = sorted(WORKFLOWS.glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w.-]+)*@[0-9a-f]{40}$")


def actionlint() -> str:
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    assert found, "actionlint is a test dependency: pip install -e '.[test]'"
    return found


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def test_there_are_the_four_workflows() -> None:
    assert [f.name for f in FILES] == ["ci.yml", "widgets-apply.yml", "widgets-drift.yml", "widgets-plan.yml"]


@pytest.mark.parametrize("workflow", FILES, ids=lambda p: p.name)
def test_actionlint_passes(workflow: Path) -> None:
    result = subprocess.run([actionlint(), "-color=false", str(workflow)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_would_catch_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    broken.write_text(
        "on: push\njobs:\n  x:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ nope.x }}\n"
    )
    result = subprocess.run([actionlint(), "-color=false", str(broken)], capture_output=True, text=True, check=False)
    assert result.returncode == 1


@pytest.mark.parametrize("workflow", FILES, ids=lambda p: p.name)
def test_actions_are_pinned_and_permissions_minimal(workflow: Path) -> None:
    document = yaml.safe_load(workflow.read_text())
    permissions = document["permissions"]
    assert permissions["contents"] == "read"
    assert set(permissions.values()) <= {"read", "write"} and "write-all" not in workflow.read_text()
    for job in document["jobs"].values():
        assert "permissions" not in job or job["permissions"] != "write-all"
        for step in job["steps"]:
            if "uses" in step:
                assert PINNED.match(step["uses"]), step["uses"]


@pytest.mark.parametrize("name", ["widgets-plan.yml", "widgets-apply.yml", "widgets-drift.yml"])
def test_recipes_take_keys_from_secrets_and_site_from_a_variable(name: str) -> None:
    text = (WORKFLOWS / name).read_text()
    assert "DD_API_KEY: ${{ secrets.DD_API_KEY }}" in text and "DD_APP_KEY: ${{ secrets.DD_APP_KEY }}" in text
    assert "DD_SITE: ${{ vars.WAC_SITE" in text


def test_plan_recipe_validates_comments_once_uploads_and_labels() -> None:
    workflow = load("widgets-plan.yml")
    assert workflow[True]["pull_request"]["paths"][0] == "widgets/**"  # PyYAML reads `on` as True
    steps = workflow["jobs"]["plan"]["steps"]
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "wac validate --format github" in runs
    assert "wac plan widgets/ --format markdown --out plan.json" in runs
    sticky = next(s for s in steps if "sticky-pull-request-comment" in s.get("uses", ""))
    assert sticky["with"]["header"] == "widgets-as-code-plan", "one comment, found by its header, updated in place"
    assert any("upload-artifact" in s.get("uses", "") for s in steps)
    assert ".summary.delete" in runs and "--add-label" in runs and "--remove-label" in runs


def test_apply_recipe_is_serialised_and_never_cancelled() -> None:
    workflow = load("widgets-apply.yml")
    assert workflow[True]["push"]["branches"] == ["main"]
    assert workflow["concurrency"] == {"group": "widgets-apply", "cancel-in-progress": False}
    assert "wac apply widgets/ --auto-approve" in workflow["jobs"]["apply"]["steps"][-1]["run"]


def test_drift_recipe_opens_updates_and_closes_one_issue() -> None:
    workflow = load("widgets-drift.yml")
    assert "schedule" in workflow[True] and "workflow_dispatch" in workflow[True]
    script = workflow["jobs"]["drift"]["steps"][-1]["run"]
    for command in ("gh issue list --label", "gh issue edit", "gh issue create", "gh issue close"):
        assert command in script
