"""Environments in .wac.yaml: --env (or WAC_ENV) chooses the site, owner, template values and manifests."""

from __future__ import annotations

from pathlib import Path

from reconciler.backends.emulator_server import emulator_thread
from tests.commands.helpers import Workspace, make_workspace

CONFIG = """\
owner: platform
environments:
  staging:
    owner: platform-staging
    values: {environment: staging}
    manifests: [widgets/services]
  production: {}
"""


def _workspace(tmp_path: Path, url: str) -> Workspace:
    repo = make_workspace(tmp_path, url, dashboards=True, templates=True)
    (repo.root / ".wac.yaml").write_text(CONFIG)
    return repo


def test_an_environment_chooses_owner_values_and_manifests(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = _workspace(tmp_path, server.url)
        staging = repo.wac("plan", "--env", "staging")
        assert staging.exit_code == 0, staging.output
        assert "Plan for owner 'platform-staging': 5 to create" in staging.output, "only widgets/services"
        assert "search overview" not in staging.output, "the search instance exists in production only"
        assert '"checkout overview (staging)"' in staging.output
        assert repo.wac("apply", "--auto-approve", env={"WAC_ENV": "staging"}).exit_code == 0
        assert repo.wac("plan", "--detailed-exitcode", "--env", "staging").exit_code == 0

        production = repo.wac("plan", "--env", "production")
        # widgets, dashboards with their share and edit lock, the powerpack they use and the list holding them
        assert "Plan for owner 'platform': 28 to create" in production.output, production.output
        assert '"checkout overview (production)"' in production.output
        assert repo.wac("plan", "--env", "qa").exit_code == 1
        assert "environment 'qa' is not under `environments:` in .wac.yaml (it names staging, production)" in (
            repo.wac("plan", "--env", "qa").output
        )


def test_a_saved_plan_is_refused_when_the_environment_changed(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = _workspace(tmp_path, server.url)
        assert repo.wac("plan", "--env", "staging", "--out", "plan.json").exit_code == 0
        (repo.root / ".wac.yaml").write_text(CONFIG.replace("environment: staging", "environment: qa"))
        refused = repo.wac("apply", "--env", "staging", "--plan", "plan.json", "--auto-approve")
        assert refused.exit_code == 1 and ".wac.yaml (environment staging) changed" in refused.output, refused.output
        other = repo.wac("apply", "--env", "production", "--plan", "plan.json", "--auto-approve")
        assert other.exit_code == 1, "a plan for staging is not applied to production"
        assert "plan.json was made for environment staging; apply it with --env staging" in other.output
        plain = repo.wac("apply", "--plan", "plan.json", "--auto-approve")
        assert "apply it with --env staging" in plain.output, plain.output


def test_validate_checks_every_instance_of_every_environment(tmp_path: Path) -> None:
    repo = _workspace(tmp_path, "http://127.0.0.1:9")
    template = repo.root / "widgets" / "services" / "service-overview.yaml"
    # A parameter only one environment gives: the other's instances are each a problem.
    template.write_text(template.read_text().replace("environment: {default: production}", "environment: {}"))
    checked = repo.wac("validate")
    assert checked.exit_code == 1
    lines = [line for line in checked.output.splitlines() if "gives no value for parameter 'environment'" in line]
    assert len(lines) == 3 and all(line.endswith("(environment production)") for line in lines), checked.output
    assert repo.wac("validate", "--env", "staging").exit_code == 0


def test_a_config_naming_manifests_or_itself_outside_the_repository_is_refused(tmp_path: Path) -> None:
    """`.wac.yaml` is in the repository and a pull request may change it: an environment's manifests are folders
    of the repository, and the file itself is not a link out of it. Nothing outside is read or echoed."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("id: TOP-SECRET-hunter2\n")
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        for manifests in (str(outside / "secret.yaml"), "widgets/../..", "~/x"):
            (repo.root / ".wac.yaml").write_text(f"environments:\n  up: {{manifests: ['{manifests}']}}\n")
            checked = repo.wac("validate")
            assert checked.exit_code == 1 and "hunter2" not in checked.output, checked.output
            assert "is not a relative path inside the repository" in checked.output, checked.output
        (repo.root / ".wac.yaml").unlink()
        (outside / "c.yml").write_text("site: hunter2\n")
        (repo.root / ".wac.yaml").symlink_to(outside / "c.yml")
        linked = repo.wac("plan")
        assert linked.exit_code == 1 and "hunter2" not in linked.output, linked.output
        assert ".wac.yaml is a symbolic link to somewhere outside the repository" in linked.output


def test_pull_with_an_environment_writes_new_manifests_into_its_folder(tmp_path: Path) -> None:
    import httpx

    from tests.conftest import BOB

    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        (repo.root / ".wac.yaml").write_text("environments:\n  prod: {manifests: [team/]}\n")
        (repo.root / "team").mkdir()
        (repo.root / "team" / "mine.yaml").write_text(
            "id: mine\nexperience_type: logs_reports\n"
            "definition: {type: toplist, title: Mine, requests: [{q: 'sum:y{*}'}]}\n"
        )
        applied = repo.wac("apply", "--env", "prod", "--auto-approve")
        assert applied.exit_code == 0, applied.output
        body = {"data": {"type": "widgets", "attributes": {
            "definition": {"type": "toplist", "title": "Made in the UI", "requests": [{"q": "sum:x{*}"}]},
            "tags": ["wac-owner:default", "wac-id:made-in-ui"],
        }}}  # fmt: skip
        assert httpx.post(f"{server.url}/api/v2/widgets/logs_reports", headers=BOB, json=body).status_code == 200
        pulled = repo.wac("pull", "--env", "prod")
        assert pulled.exit_code == 0, pulled.output
        assert (repo.root / "team" / "logs_reports" / "made-in-ui.yaml").is_file(), pulled.output
        assert repo.wac("plan", "--env", "prod", "--detailed-exitcode").exit_code == 0
