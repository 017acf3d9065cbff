"""`--out` writes whole files safely: through symlinks, never over FIFOs or devices, with a sentence when it cannot."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from reconciler.backends.emulator_server import emulator_thread
from tests.commands.helpers import make_workspace


@pytest.fixture()
def plan_out(tmp_path: Path):  # type: ignore[no-untyped-def]
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url)
        yield repo, lambda target: repo.wac("plan", "--out", str(target))


def test_a_symlink_is_written_through(plan_out) -> None:  # type: ignore[no-untyped-def]
    repo, plan = plan_out
    real = repo.root / "plans" / "real.json"
    real.parent.mkdir()
    real.write_text("old")
    (repo.root / "link.json").symlink_to(real)
    assert plan(repo.root / "link.json").exit_code == 0
    assert (repo.root / "link.json").is_symlink(), "the link is kept"
    assert json.loads(real.read_text())["format_version"] == 3


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda p: os.mkfifo(p), "it is a FIFO, not a regular file"),
        (lambda p: p.mkdir(), "is a directory"),
    ],
    ids=["fifo", "directory"],
)
def test_special_files_are_refused(plan_out, make, expected) -> None:  # type: ignore[no-untyped-def]
    repo, plan = plan_out
    target = repo.root / "out.json"
    make(target)
    result = plan(target)
    assert result.exit_code == 1 and expected in result.output


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/dev/full", "cannot write /dev/full: it is a device or socket"),
        ("/proc/x", "cannot write /proc/x"),
        ("README.md/plan.json", "cannot write README.md/plan.json"),
    ],
)
def test_unwritable_paths_are_one_sentence(plan_out, target: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    repo, plan = plan_out
    (repo.root / "README.md").write_text("a file")
    result = plan(target)
    assert result.exit_code == 1, result.output
    assert expected in result.output and "Traceback" not in result.output
