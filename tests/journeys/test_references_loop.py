"""The daily loop of resources that name each other (hypothesis, stateful): powerpacks, dashboards that use them
by `{ref:}`, lists holding dashboards by `{ref:}`, edit locks on both, renames (`moved_from`), removals and
deletes in the UI, in any order. After every apply through the `wac` command against the emulator, a plan is
settled and every reference holds its target's remote id, read straight from the APIs."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Final

import httpx
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from reconciler.backends.datadog_dashboards.emulator.policies import ORG
from reconciler.backends.emulator_server import emulator_thread
from tests.budget import examples
from tests.commands.helpers import Workspace, make_workspace
from tests.conftest import ALICE
from tests.figures import report

OWNER: Final = "loop"
LOCK: Final = f"permissions:\n  editors: [{ORG}]\n"


def _powerpack(manifest_id: str, version: int) -> str:
    """Each edit changes the note and locks or unlocks it (odd versions carry an edit lock)."""
    return f"""\
kind: datadog/powerpack
id: {manifest_id}
powerpack:
  name: Pack {manifest_id} v{version}
  group_widget:
    definition:
      type: group
      layout_type: ordered
      widgets:
        - definition: {{type: note, content: "note v{version}"}}
""" + (LOCK if version % 2 else "")


def _dashboard(manifest_id: str, pack: str, locked: bool, moved_from: str | None) -> str:
    moved = f"moved_from: [{moved_from}]\n" if moved_from else ""
    return f"""\
kind: datadog/dashboard
id: {manifest_id}
{moved}dashboard:
  title: Board {manifest_id}
  layout_type: ordered
  widgets:
    - definition: {{type: powerpack, title: Pack, powerpack_id: {{ref: datadog/powerpack/{pack}}}}}
""" + (LOCK if locked else "")


def _list(manifest_id: str, boards: list[str]) -> str:
    members = "".join(f"\n  - {{ref: datadog/dashboard/{b}}}" for b in boards) or " []"
    return f"kind: datadog/dashboard-list\nid: {manifest_id}\nname: List {manifest_id}\ndashboards:{members}\n"


def _world() -> Any:
    """A folder, an emulator on a state file in it, and a repository reading the three kinds: one example's."""
    folder = tempfile.TemporaryDirectory()
    server = emulator_thread(Path(folder.name) / "state.sqlite3")
    running = server.__enter__()
    repo = make_workspace(Path(folder.name), running.url, copy_examples=False)
    repo.widgets.mkdir()
    repo.env["WAC_CACHE_DIR"] = str(Path(folder.name) / "cache")
    kinds = "datadog/dashboard, datadog/powerpack, datadog/dashboard-list"
    (repo.root / ".wac.yaml").write_text(f"owner: {OWNER}\nkinds: [{kinds}]\n")
    return folder, server, running, repo


# The first is what the simplest example does at every step.
EDITS: Final = (
    "add_dashboard",
    "set_list",
    "rename_dashboard",
    "edit_powerpack",
    "repoint_dashboard",
    "remove_dashboard",
    "remove_list",
    "add_powerpack",
    "remove_unused_powerpack",
    "ui_delete_powerpack",
)


class ReferencesLoop(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.stack = _world()
        self.packs: dict[str, int] = {}
        self.boards: dict[str, tuple[str, bool]] = {}  # id: (powerpack id, locked)
        self.lists: dict[str, list[str]] = {}
        self.moved: dict[str, str] = {}  # new id: old id, for the next apply only
        self.serial = 0

    @property
    def repo(self) -> Workspace:
        return self.stack[3]  # type: ignore[no-any-return]

    def teardown(self) -> None:
        folder, server, _, _ = self.stack
        server.__exit__(None, None, None)
        folder.cleanup()

    def _new_id(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}{self.serial}"

    def _write(self) -> None:
        for path in self.repo.widgets.glob("*.yaml"):
            path.unlink()
        for pack, version in self.packs.items():
            (self.repo.widgets / f"{pack}.yaml").write_text(_powerpack(pack, version))
        for board, (pack, locked) in self.boards.items():
            (self.repo.widgets / f"{board}.yaml").write_text(_dashboard(board, pack, locked, self.moved.get(board)))
        for name, boards in self.lists.items():
            (self.repo.widgets / f"{name}.yaml").write_text(_list(name, boards))

    @initialize()
    def start(self) -> None:
        self.packs[self._new_id("pack")] = 0

    def add_powerpack(self, data: st.DataObject) -> None:
        self.packs[self._new_id("pack")] = 0

    def edit_powerpack(self, data: st.DataObject) -> None:
        pack = data.draw(st.sampled_from(sorted(self.packs)))
        self.packs[pack] += 1

    def remove_unused_powerpack(self, data: st.DataObject) -> None:
        unused = sorted(set(self.packs) - {pack for pack, _ in self.boards.values()})
        if len(self.packs) > 1 and unused:
            del self.packs[data.draw(st.sampled_from(unused))]

    def add_dashboard(self, data: st.DataObject) -> None:
        locked = data.draw(st.booleans())
        self.boards[self._new_id("board")] = (data.draw(st.sampled_from(sorted(self.packs))), locked)

    def repoint_dashboard(self, data: st.DataObject) -> None:
        if self.boards:
            board = data.draw(st.sampled_from(sorted(self.boards)))
            self.boards[board] = (data.draw(st.sampled_from(sorted(self.packs))), not self.boards[board][1])

    def rename_dashboard(self, data: st.DataObject) -> None:
        if not self.boards:
            return
        old = data.draw(st.sampled_from(sorted(self.boards)))
        new = self._new_id("board")
        self.boards[new] = self.boards.pop(old)
        self.moved[new] = old
        self.lists = {name: [new if b == old else b for b in boards] for name, boards in self.lists.items()}

    def remove_dashboard(self, data: st.DataObject) -> None:
        if self.boards:
            board = data.draw(st.sampled_from(sorted(self.boards)))
            del self.boards[board]
            self.lists = {name: [b for b in boards if b != board] for name, boards in self.lists.items()}

    def set_list(self, data: st.DataObject) -> None:
        name = data.draw(st.sampled_from([*sorted(self.lists), self._new_id("list")]))
        self.lists[name] = data.draw(st.lists(st.sampled_from(sorted(self.boards)), unique=True)) if self.boards else []

    def remove_list(self, data: st.DataObject) -> None:
        if self.lists:
            del self.lists[data.draw(st.sampled_from(sorted(self.lists)))]

    def ui_delete_powerpack(self, data: st.DataObject) -> None:
        found = self._remote("/api/v2/powerpacks?page[limit]=1000", "data")
        if found:
            target = data.draw(st.sampled_from(sorted(p["id"] for p in found)))
            httpx.delete(f"{self.stack[2].url}/api/v2/powerpacks/{target}", headers=ALICE)

    @rule(data=st.data())
    def edit_then_apply(self, data: st.DataObject) -> None:
        """A pull request: a few edits in git (and perhaps one in the UI), then an apply, checked."""
        for name in data.draw(st.lists(st.sampled_from(EDITS), min_size=1, max_size=3)):
            getattr(self, name)(data)
        self._write()
        applied = self.repo.wac("apply", "--auto-approve", "--allow-mass-delete")
        assert applied.exit_code == 0, applied.output
        self.moved.clear()
        self._write()
        FIGURES["applies"] += 1
        planned = self.repo.wac("plan", "--detailed-exitcode")
        assert planned.exit_code == 0, planned.output
        self._check()

    def _remote(self, path: str, key: str) -> list[dict[str, Any]]:
        answer = httpx.get(f"{self.stack[2].url}{path}", headers=ALICE)
        assert answer.status_code == 200, answer.text
        return list(answer.json()[key])

    def _check(self) -> None:
        packs = {
            p["attributes"]["name"].split(" v")[0].removeprefix("Pack "): p["id"]
            for p in self._remote("/api/v2/powerpacks?page[limit]=1000", "data")
        }
        assert set(packs) == set(self.packs)
        boards: dict[str, str] = {}
        for summary in self._remote("/api/v1/dashboard?count=100", "dashboards"):
            body = httpx.get(f"{self.stack[2].url}/api/v1/dashboard/{summary['id']}", headers=ALICE).json()
            manifest_id = body["title"].removeprefix("Board ")
            boards[manifest_id] = summary["id"]
            used = [w["definition"]["powerpack_id"] for w in body["widgets"] if w["definition"]["type"] == "powerpack"]
            assert used == [packs[self.boards[manifest_id][0]]], f"{manifest_id} uses its powerpack's remote id"
        assert set(boards) == set(self.boards)
        for found in self._remote("/api/v1/dashboard/lists/manual", "dashboard_lists"):
            name = found["name"].split(" [")[0].removeprefix("List ")
            items = self._remote(f"/api/v2/dashboard/lists/manual/{found['id']}/dashboards", "dashboards")
            assert sorted(i["id"] for i in items) == sorted(boards[b] for b in self.lists[name]), name


FIGURES: dict[str, int] = {"applies": 0}


def _run(name: str, chosen: settings) -> None:
    FIGURES["applies"] = 0
    try:
        run_state_machine_as_test(ReferencesLoop, settings=chosen)
    finally:
        report(f"{name}: {FIGURES['applies']} applies, every reference checked against the remote after each")


SUPPRESSED: Final = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]


@pytest.mark.slow
def test_references_stay_resolved_through_the_daily_loop() -> None:
    _run(
        "references loop",
        settings(max_examples=examples(2, 40), stateful_step_count=8, deadline=None, suppress_health_check=SUPPRESSED),
    )
