"""The GitHub Action (`action.yml`), run the way it can be here: its shell steps, in order, as a runner
runs them (inputs through the environment, outputs and the job summary to files), against `--site local`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.commands.helpers import EXAMPLES

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*(inputs|github|runner)\.([\w-]+)\s*\}\}")


@dataclass
class Ran:
    code: int
    outputs: dict[str, str]
    summary: str
    log: str


def run_action(workdir: Path, temp: Path, **given: str) -> Ran:
    """Every `run` step of the composite, in order; `uses` steps (setup-python, caches) are the runner's."""
    inputs = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    inputs.update({name.replace("_", "-"): value for name, value in given.items()})
    context = {"inputs": inputs, "github": {"action_path": str(ROOT)}, "runner": {"temp": str(temp)}}
    output_file, summary_file = temp / "output", temp / "summary"
    output_file.write_text("")
    summary_file.write_text("")
    log = ""
    for step in ACTION["runs"]["steps"]:
        if "run" not in step:
            continue
        env = {
            **os.environ,
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_STEP_SUMMARY": str(summary_file),
            "NO_COLOR": "1",
        }
        for name, value in step.get("env", {}).items():
            env[name] = EXPRESSION.sub(lambda m: context[m[1]][m[2]], value)
        done = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", step["run"]],
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        log += done.stdout + done.stderr
        if done.returncode:
            break
    outputs = dict(line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line)
    return Ran(done.returncode, outputs, summary_file.read_text(), log)


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, Path]:
    workdir, temp = tmp_path / "repo", tmp_path / "runner-temp"
    (workdir / "widgets").mkdir(parents=True)
    temp.mkdir()
    shutil.copy(EXAMPLES / "logs" / "errors.yaml", workdir / "widgets" / "errors.yaml")
    shutil.copy(EXAMPLES / "dashboards" / "checkout.yaml", workdir / "widgets" / "checkout.yaml")
    # The dashboards use the powerpack example by reference.
    shutil.copy(EXAMPLES / "powerpacks" / "latency-pack.yaml", workdir / "widgets" / "latency-pack.yaml")
    # An earlier use of the Action in this job installed the product (here: the test's own install).
    (temp / "widgets-as-code-installed").write_text(str(ROOT))
    return workdir, temp


def test_inputs_outputs_and_scripts_are_as_documented() -> None:
    assert set(ACTION["inputs"]) == {"command", "paths", "owner", "site", "args", "python-version"}
    assert set(ACTION["outputs"]) == {"has-changes", "plan-json", "comment-markdown", "exit-code"}
    assert ACTION["runs"]["using"] == "composite"
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], "inputs reach scripts through the environment, never as script text"
        else:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", step["uses"]), step["uses"]


@pytest.mark.slow
def test_validate_plan_apply_drift_through_the_action(repo: tuple[Path, Path]) -> None:
    workdir, temp = repo
    common = {"paths": "widgets/", "site": "local", "owner": "team-a"}
    validated = run_action(workdir, temp, command="validate", paths="widgets/")
    assert validated.code == 0 and validated.outputs["exit-code"] == "0", validated.log
    assert "is installed" in validated.log

    planned = run_action(workdir, temp, command="plan", **common)
    assert planned.code == 0, planned.log
    assert planned.outputs["exit-code"] == "2" and planned.outputs["has-changes"] == "true"
    plan_json = Path(planned.outputs["plan-json"])
    assert '"owner": "team-a"' in plan_json.read_text()
    comment = Path(planned.outputs["comment-markdown"]).read_text()
    assert comment.startswith("<!-- widgets-as-code plan owner=team-a -->") and "This plan widens access" in comment
    assert comment in planned.summary, "the plan is the job summary too"

    applied = run_action(workdir, temp, command="apply", **common)
    assert applied.code == 0 and applied.outputs["exit-code"] == "2", applied.log
    assert "Apply complete:" in applied.summary and applied.outputs["plan-json"] == ""

    again = run_action(workdir, temp, command="plan", **common)
    assert again.outputs["exit-code"] == "0" and again.outputs["has-changes"] == "false", again.log
    pulled = run_action(workdir, temp, command="pull", **common)
    assert pulled.code == 0 and "Pulled 0 edit(s)" in pulled.log, pulled.log
    drift = run_action(workdir, temp, command="drift", **common)
    assert drift.outputs["exit-code"] == "0" and "No drift" in Path(drift.outputs["comment-markdown"]).read_text()

    limited = run_action(workdir, temp, command="plan", args="--kind datadog/dashboard", **common)
    assert limited.outputs["exit-code"] == "0", limited.log


def test_errors_fail_the_step_and_inputs_are_never_run_as_shell(repo: tuple[Path, Path]) -> None:
    workdir, temp = repo
    unknown = run_action(workdir, temp, command="destroy")
    assert unknown.code == 1 and "::error::command 'destroy' is not one of" in unknown.log

    hostile = run_action(
        workdir, temp, command="plan", site="local", owner='x"; touch owned; "', args="$(touch owned2) `touch owned3`"
    )
    assert hostile.code == 1 and hostile.outputs["exit-code"] == "1"
    assert not any((workdir / name).exists() for name in ("owned", "owned2", "owned3"))

    (workdir / "widgets" / "broken.yaml").write_text("id: [unclosed\n")
    invalid = run_action(workdir, temp, command="validate")
    assert invalid.code == 1 and "::error file=widgets/broken.yaml" in invalid.log
