"""Dashboards under faults: lost answers, 503s and drops converge to one dashboard per manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from reconciler.backends.emulation.settings import EmulatorSettings, FaultRule
from reconciler.backends.emulator_server import emulator_thread
from tests.commands.helpers import converges, make_workspace
from tests.conftest import ALICE
from tests.datadog_dashboards.test_reconcile import DASHBOARD


def _through_faults(url: str) -> Any:
    for _ in range(100):
        try:
            answer = httpx.get(url, headers=ALICE)
        except httpx.TransportError:
            continue
        if answer.status_code == 200:
            return answer.json()
    raise AssertionError(f"could not read {url} through the injected faults")


def test_faults_converge_without_copies(tmp_path: Path) -> None:
    faults = (
        FaultRule("lost_response", rate=0.15, methods=frozenset({"POST", "PUT"})),
        FaultRule("error", rate=0.1, status=503),
        FaultRule("drop", rate=0.05),
    )
    with emulator_thread(settings=EmulatorSettings(faults=faults, seed=11)) as server:
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        repo.widgets.mkdir()
        documents = [DASHBOARD.replace("checkout-overview", f"board-{n}") for n in range(8)]
        (repo.widgets / "boards.yaml").write_text("---\n".join(documents))
        assert converges(repo, 6), "an empty plan within six runs"
        assert server.stats.faults, "faults were injected"
        listed = _through_faults(f"{server.url}/api/v1/dashboard")["dashboards"]
        markers = [d["description"].rsplit("id ", 1)[1].split(",")[0] for d in listed]
        assert sorted(markers) == [f"board-{n}" for n in range(8)], "one dashboard per manifest, no copy"


def test_shares_converge_under_faults_with_one_recorded_share_each_and_every_email_invited(tmp_path: Path) -> None:
    """503s and drops (the work not done) on every verb, lost answers on PUT and DELETE: each dashboard
    ends with exactly one share, recorded in its marker, and each email with an invitation."""
    faults = (
        FaultRule("error", rate=0.12, status=503),
        FaultRule("drop", rate=0.06),
        FaultRule("lost_response", rate=0.15, methods=frozenset({"PUT", "DELETE"})),
    )
    sharing = "sharing:\n  share_type: invite\n  share_list: [a@example.com, b@example.com]\n"
    with emulator_thread(settings=EmulatorSettings(faults=faults, seed=5)) as server:
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        repo.widgets.mkdir()
        documents = [DASHBOARD.replace("checkout-overview", f"board-{n}") + sharing for n in range(5)]
        (repo.widgets / "boards.yaml").write_text("---\n".join(documents))
        assert converges(repo, 8), "an empty plan within eight runs"
        assert server.stats.faults, "faults were injected"
        shares = server.stores["datadog/dashboard"].share_tokens()
        assert len(shares) == 5 and len({dashboard for dashboard, _ in shares}) == 5, "one share per dashboard"
        for _, token in shares:
            sent = [i["email"] for i in server.stores["datadog/dashboard"].invitations(token)]
            assert sorted(sent) == ["a@example.com", "b@example.com"]
        recorded = {
            d["description"].split("share ")[1].split(" ")[0]
            for d in _through_faults(f"{server.url}/api/v1/dashboard")["dashboards"]
        }
        assert recorded == {token for _, token in shares}, "every share is the one its marker records"


def test_a_share_whose_answer_is_lost_is_named_never_made_twice(tmp_path: Path) -> None:
    """Every POST is done but its answer lost: the dashboard is found again by its marker, the share
    cannot be (its token was in the answer), so apply says so and the next plan names it."""
    faults = (FaultRule("lost_response", rate=1.0, methods=frozenset({"POST"})),)
    sharing = "sharing:\n  share_type: open\n"
    with emulator_thread(settings=EmulatorSettings(faults=faults, seed=1)) as server:
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        repo.widgets.mkdir()
        (repo.widgets / "board.yaml").write_text(DASHBOARD + sharing)
        applied = repo.wac("apply", "--auto-approve", "--timeout", "2")
        assert applied.exit_code == 1
        assert "the answer was lost and the dashboard is now shared" in applied.output, applied.output
        dashboards = server.stores["datadog/dashboard"]
        assert len(dashboards.share_tokens()) == 1, "not sent again once the dashboard showed shared"
        plan = repo.wac("plan")
        assert "marker records no share of it" in plan.output and "create dashboard-share" not in plan.output
