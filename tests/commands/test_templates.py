"""Templates and fragments through every command: render, plan, apply, a fragment's edit, saved plans."""

from __future__ import annotations

from pathlib import Path

import yaml

from reconciler.backends.emulator_server import emulator_thread
from tests.commands.helpers import make_workspace

FRAGMENT = Path("widgets") / "fragments" / "errors-by-status.yaml"
OVERVIEWS = ["service-overview-checkout", "service-overview-payments", "service-overview-search"]


def test_the_template_examples_apply_then_plan_empty_and_a_fragment_edit_updates_every_user(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url, dashboards=True, templates=True)
        planned = repo.wac("plan")
        assert planned.exit_code == 0, planned.output
        for name in OVERVIEWS:
            assert f"+ create dashboard/{name}" in planned.output
        source = "widgets/services/service-overview.yaml:5 [service=search, team=platform, environment=production]"
        assert source in planned.output
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        assert repo.wac("plan", "--detailed-exitcode").exit_code == 0

        # One edit of the shared fragment: every dashboard and saved widget using it, and nothing else.
        saved = repo.wac("plan", "--out", "before.json")
        fragment = repo.root / FRAGMENT
        fragment.write_text(fragment.read_text().replace("limit: 10", "limit: 20"))
        refused = repo.wac("apply", "--plan", "before.json", "--auto-approve")
        assert refused.exit_code == 1 and "widgets/fragments/errors-by-status.yaml changed" in refused.output, (
            saved.output + refused.output
        )
        changed = repo.wac("plan", "--detailed-exitcode")
        assert changed.exit_code == 2
        updates = sorted(line.split()[2] for line in changed.output.splitlines() if line.startswith("~ update"))
        assert updates == sorted(
            [f"dashboard/{name}" for name in OVERVIEWS]
            + [f"logs_reports/errors-by-status-{s}" for s in ("checkout", "payments", "search")]
        )
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        assert repo.wac("plan", "--detailed-exitcode").exit_code == 0


def test_render_writes_what_plan_sees_and_it_validates_as_plain_manifests(tmp_path: Path) -> None:
    repo = make_workspace(tmp_path, "http://127.0.0.1:9", dashboards=True, templates=True)
    printed = repo.wac("render", "widgets/services")
    assert printed.exit_code == 0, printed.output
    documents = list(yaml.safe_load_all(printed.stdout))
    assert [d["id"] for d in documents][:3] == [f"errors-by-status-{s}" for s in ("checkout", "payments", "search")]
    search = next(d for d in documents if d["id"] == "service-overview-search")
    assert search["dashboard"]["title"] == "search overview (production)" and search["tags"] == ["team:platform"]
    assert search["dashboard"]["widgets"][1]["definition"]["title"] == "search errors by HTTP status"
    assert "$ref" not in printed.stdout and "${" not in printed.stdout and "template:" not in printed.stdout

    written = repo.wac("render", "widgets/services", "--out", "rendered")
    assert written.exit_code == 0, written.output
    files = sorted(p.relative_to(repo.root / "rendered").as_posix() for p in (repo.root / "rendered").rglob("*.yaml"))
    assert "datadog_dashboard/dashboard/service-overview-payments.yaml" in files and len(files) == 6
    again = repo.wac("validate", "rendered")
    assert again.exit_code == 0 and "6 manifest(s) valid" in again.output
