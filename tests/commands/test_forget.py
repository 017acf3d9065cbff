"""Letting go: `forget:` in .wac.yaml removes this owner's marker from a resource whose manifest is gone and
leaves everything else as it is; nothing forgotten is ever deleted."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.backends.emulator_server import emulator_thread
from tests.commands.helpers import make_workspace
from tests.datadog_dashboards.test_sharing import board, dashboard_of, share, token_of, workspace


def test_a_forgotten_dashboard_keeps_everything_but_the_marker_and_is_never_deleted(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = workspace(tmp_path, server.url, board(), board("payments-overview"))
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        before, token = dashboard_of(server.url, "checkout-overview"), token_of(server.url, "checkout-overview")
        assert token is not None

        (repo.widgets / "boards.yaml").write_text(board("payments-overview"))
        (repo.root / ".wac.yaml").write_text("forget: [datadog/dashboard/checkout-overview]\n")
        planned = repo.wac("plan", "--format", "json")
        plan = json.loads(planned.output)
        assert plan["summary"]["delete"] == 0 and plan["summary"]["forget"] == 2, planned.output
        assert plan["summary"]["refused_by"] == [], "letting go is not a delete"
        text = repo.wac("plan").output
        assert '. forget dashboard/checkout-overview "Board checkout-overview"' in text

        applied = repo.wac("apply", "--auto-approve")
        assert applied.exit_code == 0 and "0 deleted, 2 forgotten" in applied.output, applied.output
        after = next(b for b in _dashboards(server.url) if b["id"] == before["id"])  # the same dashboard, still there
        assert "widgets-as-code" not in (after["description"] or ""), "no marker left"
        assert share(server.url, token).status_code == 200, "its share is left as it is"
        assert repo.wac("plan", "--detailed-exitcode").exit_code == 0, "nothing left to do; never deleted"


def test_forgetting_what_still_has_a_manifest_is_an_error(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url)
        (repo.root / ".wac.yaml").write_text("forget: [datadog/widget/checkout-error-rate]\n")
        planned = repo.wac("plan")
        assert planned.exit_code == 1
        assert "forget: datadog/widget/checkout-error-rate still has a manifest" in planned.output
        checked = repo.wac("validate")
        assert checked.exit_code == 1 and "errors.yaml:24:5: forget: in .wac.yaml lets" in checked.output
        (repo.root / ".wac.yaml").write_text("forget: [datadog/nothing/x]\n")
        assert "its kind is not one of" in repo.wac("plan").output


def _dashboards(url: str) -> list[dict[str, str]]:
    import httpx

    from tests.conftest import ALICE

    return [
        httpx.get(f"{url}/api/v1/dashboard/{d['id']}", headers=ALICE).json()
        for d in httpx.get(f"{url}/api/v1/dashboard", headers=ALICE).json()["dashboards"]
    ]
