"""SpaceONE under faults: lost creates are looked up by wac-id, an interrupted replace leaves no duplicate."""

from __future__ import annotations

from pathlib import Path

from reconciler.backends.emulation.settings import EmulatorSettings, FaultRule
from reconciler.backends.emulator_server import emulator_thread
from tests.commands.helpers import converges, make_workspace
from tests.spaceone_widgets.test_reconcile import COST, SpaceOneApi

MANIFEST = """\
kind: spaceone/custom-widget
id: w{n:02}
widget_name: widget{n}
title: Widget {n}
options: {{n: {n}}}
settings: {{a: 1, b: 2}}
"""


def test_faults_converge_without_duplicates(tmp_path: Path) -> None:
    faults = (
        FaultRule("lost_response", rate=0.2),
        FaultRule("error", rate=0.1, status=503),
        FaultRule("drop", rate=0.05),
    )
    with emulator_thread(settings=EmulatorSettings(faults=faults, seed=7)) as server:
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        for n in range(12):
            path = repo.widgets / f"w{n:02}.yaml"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(MANIFEST.format(n=n))
        assert converges(repo, 5), "an empty plan within five runs"
        assert server.stats.faults, "faults were injected"
        api = SpaceOneApi(server.url)
        # The listing itself may meet a fault; read until it answers.
        managed = api.managed()
        assert sorted(managed) == [f"w{n:02}" for n in range(12)]
        assert all(len(group) == 1 for group in managed.values()), "no duplicate survives"


def test_an_interrupted_replace_converges_to_one_widget(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        repo.widgets.mkdir()
        (repo.widgets / "cost.yaml").write_text(COST)
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        api = SpaceOneApi(server.url)
        (old,) = api.managed()["monthly-cost-trend"]
        # A replace stopped between its create and its delete leaves two widgets with one wac-id.
        renamed = {k: old[k] for k in ("title", "options", "settings", "inherit_options", "labels", "tags")}
        api.call("create", widget_name="costTrendV2", **renamed)
        (repo.widgets / "cost.yaml").write_text(COST.replace("widget_name: costTrend", "widget_name: costTrendV2"))
        result = repo.wac("apply", "--auto-approve")
        assert result.exit_code == 0, result.output
        assert repo.wac("plan", "--detailed-exitcode").exit_code == 0
        (only,) = api.managed()["monthly-cost-trend"]
        assert only["widget_name"] == "costTrendV2"
