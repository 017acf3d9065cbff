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
# Third-party actions by commit; this repository's own Action by path (it is the checkout).
PINNED = re.compile(r"^([\w.-]+/[\w.-]+(/[\w.-]+)*@[0-9a-f]{40}|\./)$")


def actionlint() -> str:
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    assert found, "actionlint is a test dependency: pip install -e '.[test]'"
    return found


def load(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def test_there_are_the_five_workflows() -> None:
    assert [f.name for f in FILES] == [
        "ci.yml", "nightly.yml", "widgets-apply.yml", "widgets-drift.yml", "widgets-plan.yml"
    ]  # fmt: skip


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


RECIPES = ["widgets-plan.yml", "widgets-apply.yml", "widgets-drift.yml"]


def action_steps(workflow: dict, job: str) -> dict[str, dict]:
    """The job's uses of this repository's Action, by the command each runs."""
    return {s["with"]["command"]: s for s in workflow["jobs"][job]["steps"] if s.get("uses") == "./"}


@pytest.mark.parametrize("name", RECIPES)
def test_recipes_take_keys_from_secrets_and_site_from_a_variable(name: str) -> None:
    text = (WORKFLOWS / name).read_text()
    assert "DD_API_KEY: ${{ secrets.DD_API_KEY }}" in text and "DD_APP_KEY: ${{ secrets.DD_APP_KEY }}" in text
    assert "SPACEONE_TOKEN: ${{ secrets.SPACEONE_TOKEN }}" in text
    assert "site: ${{ vars.WAC_SITE || 'local' }}" in text and "owner: ${{ vars.WAC_OWNER || 'default' }}" in text


def test_the_recipes_are_what_wac_init_writes_for_this_repositorys_action() -> None:
    from reconciler.scaffold import workflows

    for made in workflows("./", "${{ vars.WAC_OWNER || 'default' }}", "${{ vars.WAC_SITE || 'local' }}"):
        assert (WORKFLOWS.parents[1] / made.path).read_text() == made.text, (
            f"{made.path} differs from reconciler/scaffold/templates; change the template, then write the recipes"
            " again with reconciler.scaffold.workflows"
        )


def test_plan_recipe_validates_comments_once_uploads_and_labels() -> None:
    workflow = load("widgets-plan.yml")
    assert workflow[True]["pull_request"]["paths"][0] == "widgets/**"  # PyYAML reads `on` as True
    steps = workflow["jobs"]["plan"]["steps"]
    actions = action_steps(workflow, "plan")
    assert list(actions) == ["validate", "plan"] and actions["plan"]["id"] == "plan"
    sticky = next(s for s in steps if "sticky-pull-request-comment" in s.get("uses", ""))
    assert sticky["with"]["header"] == "widgets-as-code-plan", "one comment, found by its header, updated in place"
    assert sticky["with"]["path"] == "${{ steps.plan.outputs.comment-markdown }}"
    upload = next(s for s in steps if "upload-artifact" in s.get("uses", ""))
    assert upload["with"]["path"] == "${{ steps.plan.outputs.plan-json }}"
    runs = "\n".join(s.get("run", "") for s in steps)
    assert ".summary.delete" in runs and "--add-label" in runs and "--remove-label" in runs


def test_apply_recipe_is_serialised_and_never_cancelled() -> None:
    workflow = load("widgets-apply.yml")
    assert workflow[True]["push"]["branches"] == ["main"]
    assert workflow["concurrency"] == {"group": "widgets-apply", "cancel-in-progress": False}
    assert list(action_steps(workflow, "apply")) == ["apply"]


def test_drift_recipe_opens_updates_and_closes_one_issue() -> None:
    workflow = load("widgets-drift.yml")
    assert "schedule" in workflow[True] and "workflow_dispatch" in workflow[True]
    assert list(action_steps(workflow, "drift")) == ["drift"]
    last = workflow["jobs"]["drift"]["steps"][-1]
    assert last["env"]["DRIFTED"] == "${{ steps.drift.outputs.has-changes }}"
    for command in ("gh issue list --label", "gh issue edit", "gh issue create", "gh issue close"):
        assert command in last["run"]
