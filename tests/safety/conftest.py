"""A repository of example manifests, applied once, against a fresh loopback emulator."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reconciler.backends.emulator_server import RunningEmulator, emulator_thread
from tests.commands.helpers import Workspace, make_workspace


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[RunningEmulator]:
    with emulator_thread(db=tmp_path / "emulator.sqlite3") as running:
        yield running


@pytest.fixture()
def repo(tmp_path: Path, server: RunningEmulator) -> Workspace:
    workspace = make_workspace(tmp_path, server.url)
    applied = workspace.wac("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    return workspace
