"""`wac init` end to end: a new repository that validates, plans and applies on the emulator, workflows
that pass actionlint, questions only on a terminal, nothing overwritten, and `--from-remote` adoption."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml

from reconciler.backends.emulator_server import emulator_thread
from tests.commands.helpers import Workspace, create_directly, make_workspace
from tests.conftest import ALICE
from tests.gitops.test_workflows import PINNED, actionlint

ALL_KINDS = ("--kind", "datadog/widget", "--kind", "datadog/dashboard", "--kind", "spaceone/custom-widget")


def initialised(tmp_path: Path, *args: str, prepare: dict[str, str] | None = None) -> tuple[Workspace, str]:
    outside = make_workspace(tmp_path, "http://127.0.0.1:9", copy_examples=False)
    for path, text in (prepare or {}).items():
        (outside.root / "new-repo" / path).parent.mkdir(parents=True, exist_ok=True)
        (outside.root / "new-repo" / path).write_text(text)
    result = outside.wac("init", "new-repo", *args)
    assert result.exit_code == 0, result.output
    return Workspace(outside.root / "new-repo", outside.url, outside.env), result.output


def test_init_validate_plan_apply_then_nothing_to_do(tmp_path: Path) -> None:
    repo, output = initialised(tmp_path, "--owner", "team-a", "--site", "local", *ALL_KINDS)
    assert "Wrote 10 file(s)" in output and "Next: cd new-repo && wac validate && wac plan && wac apply" in output
    settings = yaml.safe_load((repo.root / ".wac.yaml").read_text())
    assert settings == {"owner": "team-a", "site": "local", "kinds": list(ALL_KINDS[1::2])}
    examples = sorted(p.relative_to(repo.root).as_posix() for p in repo.widgets.rglob("*.yaml"))
    assert examples == [
        "widgets/dashboards/service-overview.yaml",
        "widgets/datadog/service-errors.yaml",
        "widgets/spaceone/cloud-cost.yaml",
    ]
    for example in repo.widgets.rglob("*.yaml"):
        assert example.read_text().startswith("# yaml-language-server: $schema=../manifest.schema.json\n")
    assert '"title": "widgets-as-code manifest"' in (repo.widgets / "manifest.schema.json").read_text()
    assert ".wac/" in (repo.root / ".gitignore").read_text()
    assert "as owner `team-a`\non `local`" in (repo.root / "README.md").read_text()

    # Only the repository's own settings: no DD_SITE or WAC_OWNER from the environment.
    plain = {"DD_SITE": None, "WAC_OWNER": None}
    assert repo.wac("validate", env=plain).exit_code == 0
    planned = repo.wac("plan", "--detailed-exitcode", env=plain)
    assert planned.exit_code == 2 and "Plan for owner 'team-a': 3 to create" in planned.output, planned.output
    assert repo.wac("apply", "--auto-approve", env=plain).exit_code == 0
    again = repo.wac("plan", "--detailed-exitcode", env=plain)
    assert again.exit_code == 0 and "No changes. 3 resource(s) of owner 'team-a'" in again.output


def test_the_workflows_pass_actionlint_and_carry_the_owner_and_site(tmp_path: Path) -> None:
    repo, _ = initialised(tmp_path, "--owner", "team-a", "--site", "datadoghq.eu")
    workflows = sorted((repo.root / ".github" / "workflows").glob("*.yml"))
    assert [w.name for w in workflows] == ["widgets-apply.yml", "widgets-drift.yml", "widgets-plan.yml"]
    result = subprocess.run([actionlint(), "-color=false", *map(str, workflows)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    for workflow in workflows:
        document = yaml.safe_load(workflow.read_text())
        (job,) = document["jobs"].values()
        ours = [s for s in job["steps"] if "widgets-as-code/widgets-as-code" in s.get("uses", "")]
        assert ours and all(s["uses"] == "widgets-as-code/widgets-as-code@v0.1.0" for s in ours)
        assert all(s["with"].get("owner", "team-a") == "team-a" for s in ours)
        assert all(s["with"].get("site", "datadoghq.eu") == "datadoghq.eu" for s in ours)
        others = [s["uses"] for s in job["steps"] if "uses" in s and s not in ours]
        assert all(PINNED.match(uses) for uses in others), others


def test_nothing_is_overwritten_and_each_kept_file_is_named(tmp_path: Path) -> None:
    ours = {"README.md": "our own readme\n", ".wac.yaml": "owner: keep-me\n"}
    repo, output = initialised(tmp_path, "--owner", "team-a", "--site", "local", prepare=ours)
    assert (repo.root / "README.md").read_text() == "our own readme\n"
    assert (repo.root / ".wac.yaml").read_text() == "owner: keep-me\n"
    assert "skipped new-repo/README.md: it exists" in output and "skipped new-repo/.wac.yaml: it exists" in output
    assert (repo.widgets / "datadog" / "service-errors.yaml").is_file(), "the default kind's example"


def test_questions_are_asked_on_a_terminal_only_for_what_no_flag_gave(tmp_path: Path) -> None:
    controller, terminal = pty.openpty()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "NO_COLOR": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "init", "asked", "--site", "local"],
        cwd=tmp_path,
        env=env,
        stdin=terminal,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    os.write(controller, b"team-b\ndatadog/dashboard, spaceone/custom-widget\n")
    output, _ = process.communicate(timeout=60)
    os.close(controller)
    os.close(terminal)
    text = output.decode()
    assert process.returncode == 0, text
    assert "Owner (one per repository)" in text and "Kinds, comma separated" in text
    assert "Datadog site" not in text, "--site was given, so it is not asked"
    assert yaml.safe_load((tmp_path / "asked" / ".wac.yaml").read_text()) == {
        "owner": "team-b",
        "site": "local",
        "kinds": ["datadog/dashboard", "spaceone/custom-widget"],
    }
    assert (tmp_path / "asked" / "widgets" / "spaceone" / "cloud-cost.yaml").is_file()
    assert not (tmp_path / "asked" / "widgets" / "datadog").exists()


def test_from_remote_exports_what_exists_so_the_first_apply_only_adopts(tmp_path: Path) -> None:
    with emulator_thread() as server:
        for n in range(3):
            create_directly(server.url, "logs_reports", f"Made in the UI {n}", ["team:ops"])
        outside = make_workspace(tmp_path, server.url, copy_examples=False)
        made = outside.wac(
            "init", "adopted", "--owner", "team-a", "--site", server.url, "--kind", "datadog/widget", "--from-remote"
        )
        assert made.exit_code == 0, made.output
        repo = Workspace(outside.root / "adopted", server.url, outside.env)
        exported = sorted(p.name for p in (repo.widgets / "logs_reports").glob("*.yaml"))
        assert exported == ["made-in-the-ui-0.yaml", "made-in-the-ui-1.yaml", "made-in-the-ui-2.yaml"]
        assert not (repo.widgets / "datadog").exists(), "no example beside an export"
        plan = repo.wac("plan", "--detailed-exitcode", env={"WAC_OWNER": None})
        assert "0 to create, 3 to update, 0 to delete" in plan.output, plan.output
        assert repo.wac("apply", "--auto-approve", env={"WAC_OWNER": None}).exit_code == 0
        listed = httpx.get(f"{server.url}/api/v2/widgets/logs_reports", headers=ALICE).json()["data"]
        assert len(listed) == 3 and all("wac-owner:team-a" in w["attributes"]["tags"] for w in listed)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--site", "https://x.example/${{ secrets.DD_API_KEY }}"), "--site:"),
        (("--site", "nowhere"), "--site: unknown site 'nowhere'"),
        (("--owner", "Team A"), "--owner:"),
        (("--action", "evil; rm -rf /"), "--action: 'evil; rm -rf /' is not a GitHub Action reference"),
        (("--kind", "datadog/monitor"), "'datadog/monitor' is not one of"),
    ],
)
def test_unsafe_values_are_refused_and_nothing_is_written(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    outside = make_workspace(tmp_path, "http://127.0.0.1:9", copy_examples=False)
    result = outside.wac("init", "refused", *args)
    assert result.exit_code == 1 and message in result.output, result.output
    assert not (outside.root / "refused").exists()


def _every_path(root: Path) -> set[str]:
    """Everything under `root`, links listed and not followed."""
    found = set()
    for folder, folders, names in os.walk(root):
        found |= {os.path.relpath(os.path.join(folder, name), root) for name in (*folders, *names)}
    return found


@pytest.mark.parametrize("link", ["README.md", ".wac.yaml", ".github", "widgets", "widgets/datadog"])
@pytest.mark.parametrize("dangling", [True, False], ids=["dangling", "live"])
def test_a_symlink_inside_the_target_is_refused_and_nothing_is_written(
    tmp_path: Path, link: str, dangling: bool
) -> None:
    outside = make_workspace(tmp_path, "http://127.0.0.1:9", copy_examples=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    pointed = elsewhere / "pointed"
    if not dangling and "." in link:
        pointed.write_text("theirs\n")
    elif not dangling:
        pointed.mkdir()
    (outside.root / "new-repo" / link).parent.mkdir(parents=True, exist_ok=True)
    (outside.root / "new-repo" / link).symlink_to(pointed)
    before = _every_path(tmp_path)
    result = outside.wac("init", "new-repo", "--owner", "team-a", "--site", "local")
    assert result.exit_code == 1, result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"Error: new-repo/{link} is a symbolic link;") and "nothing was written" in line, line
    assert _every_path(tmp_path) == before, "nothing written, inside the target or where a link points"
    assert not dangling or not pointed.exists()


def test_from_remote_refuses_a_symlink_where_the_export_may_write(tmp_path: Path) -> None:
    outside = make_workspace(tmp_path, "http://127.0.0.1:9", copy_examples=False)
    folder = outside.root / "new-repo" / "widgets" / "logs_reports"
    folder.mkdir(parents=True)
    (folder / "made-in-the-ui.yaml").symlink_to(tmp_path / "nowhere.yaml")
    result = outside.wac("init", "new-repo", "--site", "http://127.0.0.1:9", "--from-remote")
    assert result.exit_code == 1, result.output
    assert "new-repo/widgets/logs_reports/made-in-the-ui.yaml is a symbolic link" in result.stderr
    assert not (outside.root / "new-repo" / ".wac.yaml").exists() and not (tmp_path / "nowhere.yaml").exists()


def test_environments_make_one_job_per_environment_and_each_plans_on_its_own(tmp_path: Path) -> None:
    repo, _ = initialised(
        tmp_path, "--owner", "team-a", "--site", "local", "--environment", "staging", "--environment", "production"
    )
    settings = yaml.safe_load((repo.root / ".wac.yaml").read_text())
    assert settings["environments"] == {
        "staging": {"owner": "team-a-staging", "values": {"environment": "staging"}},
        "production": {"owner": "team-a-production", "values": {"environment": "production"}},
    }
    workflows = sorted((repo.root / ".github" / "workflows").glob("*.yml"))
    linted = subprocess.run([actionlint(), "-color=false", *map(str, workflows)], capture_output=True, text=True)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    for workflow in workflows:
        (job,) = yaml.safe_load(workflow.read_text())["jobs"].values()
        assert job["strategy"]["matrix"]["environment"] == ["staging", "production"]
        runs = [s for s in job["steps"] if s.get("with", {}).get("command") in ("plan", "apply", "drift")]
        assert runs and all(s["with"]["args"].startswith("--env ${{ matrix.environment }}") for s in runs)
        assert all("owner" not in s["with"] and "site" not in s["with"] for s in runs), "the environment's own"
    plan = (repo.root / ".github" / "workflows" / "widgets-plan.yml").read_text()
    assert "header: widgets-as-code-plan-${{ matrix.environment }}" in plan, "one plan comment per environment"
    staging = repo.wac("plan", "--env", "staging", env={"DD_SITE": None})
    assert staging.exit_code == 0 and "Plan for owner 'team-a-staging'" in staging.output, staging.output
    assert repo.wac("validate").exit_code == 0


def test_drift_pull_opens_a_pull_request_that_keeps_the_edits(tmp_path: Path) -> None:
    repo, _ = initialised(tmp_path, "--owner", "team-a", "--site", "datadoghq.eu", "--drift", "pull")
    workflow = repo.root / ".github" / "workflows" / "widgets-drift.yml"
    linted = subprocess.run([actionlint(), "-color=false", str(workflow)], capture_output=True, text=True)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    document = yaml.safe_load(workflow.read_text())
    assert document["permissions"] == {"contents": "write", "issues": "write", "pull-requests": "write"}
    (job,) = document["jobs"].values()
    names = [step.get("name") for step in job["steps"]]
    pull, request = (
        names.index("Pull the edits made outside git into the manifests"),
        names.index("Open or update the pull request that keeps them"),
    )
    assert pull < request < names.index("Open, update or close the drift issue"), "the issue stays for the rest"
    assert job["steps"][pull]["with"]["command"] == "pull"
    assert PINNED.match(job["steps"][request]["uses"]), "pinned by digest"
    (tmp_path / "plain").mkdir()
    plain, _ = initialised(tmp_path / "plain", "--owner", "team-a", "--site", "datadoghq.eu")
    assert "pull-requests" not in (plain.root / ".github" / "workflows" / "widgets-drift.yml").read_text()
