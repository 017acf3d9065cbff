"""Dashboards under faults: lost answers, 503s and drops converge to one dashboard per manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from reconciler.backends.datadog_widgets.emulator.settings import EmulatorSettings, FaultRule
from reconciler.backends.emulator_server import emulator_thread
from tests.conftest import ALICE
from tests.dashboards.test_reconcile import DASHBOARD
from tests.reconcile.helpers import make_workspace


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
        converged = False
        for _ in range(6):
            repo.wac("apply", "--auto-approve", "--timeout", "2")
            if repo.wac("plan", "--detailed-exitcode").exit_code == 0:
                converged = True
                break
        assert converged, "an empty plan within six runs"
        assert server.stats.faults, "faults were injected"
        listed = _through_faults(f"{server.url}/api/v1/dashboard")["dashboards"]
        markers = [d["description"].rsplit("id ", 1)[1].split(",")[0] for d in listed]
        assert sorted(markers) == [f"board-{n}" for n in range(8)], "one dashboard per manifest, no copy"
