"""Two applies for one owner at once (a laptop and CI) lose nothing, and one more apply converges."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from reconciler.backends.emulation.settings import EmulatorSettings
from reconciler.backends.emulator_server import RunningEmulator, emulator_thread
from tests.commands.helpers import TYPES, Workspace, make_workspace, write_many
from tests.proxy import proxy

ROOT = Path(__file__).resolve().parents[2]
COUNT = 16


@pytest.fixture()
def slow_server(tmp_path: Path) -> Iterator[RunningEmulator]:
    with emulator_thread(db=tmp_path / "emulator.sqlite3", settings=EmulatorSettings(latency=0.02)) as running:
        yield running


def _checkout(tmp_path: Path, name: str, url: str, version: str) -> Workspace:
    (tmp_path / name).mkdir()
    repo = make_workspace(tmp_path / name, url, copy_examples=False)
    write_many(repo.widgets, COUNT, title=f"Widget {version}")
    return repo


def _race(upstream: str, *repos: Workspace) -> None:
    """Both applies at once, made to race whatever the machine's load: no create is let through until both
    have read the remote state. Each plan searches every experience type, then again the one it creates in,
    before it writes: one search more than both first listings means neither can have written yet."""
    listed = threading.Event()
    wanted = len(TYPES) * len(repos) + 1
    seen = iter(range(1, wanted + 1))

    def hold_writes(method: str, target: str) -> None:
        # A search names the experience type and no uuid: /api/v2/widgets/{experience_type}.
        if method == "GET" and urlsplit(target).path.count("/") == 4:
            if next(seen, wanted) >= wanted:
                listed.set()
        elif method == "POST":
            listed.wait(timeout=60)

    with proxy(upstream, hold_writes) as url:
        processes = [
            subprocess.Popen(
                [sys.executable, "-m", "reconciler", "apply", "--auto-approve", "--allow-mass-delete"],
                cwd=repo.root,
                env={**os.environ, **repo.env, "DD_SITE": url, "PYTHONPATH": str(ROOT)},
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for repo in repos
        ]
        for process in processes:
            output, _ = process.communicate(timeout=120)
            assert process.returncode == 0, output


@pytest.mark.slow
@pytest.mark.parametrize("versions", [("v1", "v1"), ("v1", "v2")], ids=["same-manifests", "different-manifests"])
def test_racing_applies_leave_every_widget_then_converge(
    tmp_path: Path, slow_server: RunningEmulator, versions: tuple[str, str]
) -> None:
    laptop, ci = (_checkout(tmp_path, f"repo-{n}", slow_server.url, v) for n, v in enumerate(versions))
    expected = {f"w{n:03}" for n in range(COUNT)}

    _race(slow_server.url, laptop, ci)  # both create: duplicates, never a loss
    groups = laptop.managed()
    assert set(groups) == expected
    assert any(len(g) > 1 for g in groups.values()), "the two applies really raced"

    _race(slow_server.url, laptop, ci)  # both repair the duplicates at once: each keeps the same (oldest) widget
    groups = laptop.managed()
    assert set(groups) == expected, "every manifest id still has a live widget"

    converged = ci.wac("apply", "--auto-approve")
    assert converged.exit_code == 0, converged.output
    groups = ci.managed()
    assert set(groups) == expected and all(len(g) == 1 for g in groups.values()), "exactly one each"
    assert ci.wac("plan", "--detailed-exitcode").exit_code == 0
