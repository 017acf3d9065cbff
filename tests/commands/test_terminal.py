"""What a CI log and a person at a terminal see: progress lines, and a prompt that counts the deletes."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from reconciler.backends.emulator_server import emulator_thread
from tests.commands.helpers import create_directly, make_workspace, write_many

ROOT = Path(__file__).resolve().parents[2]


def test_a_ci_log_gets_a_progress_line_every_tenth(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        write_many(repo.widgets, 30)
        result = repo.wac("apply", "--auto-approve")
    assert result.exit_code == 0
    lines = [line for line in result.stderr.splitlines() if line.startswith("applying: ")]
    assert lines[0].startswith("applying: 3/30 (10%), 0 failed,")
    assert lines[-1].startswith("applying: 30/30 (100%), 0 failed,")
    assert len(lines) == 10


def test_the_prompt_says_how_many_deletes(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        write_many(repo.widgets, 2)
        for n in range(2):
            create_directly(server.url, "logs_reports", f"Old {n}", ["wac-owner:default", f"wac-id:old-{n}"])
        controller, terminal = pty.openpty()
        process = subprocess.Popen(
            [sys.executable, "-m", "reconciler", "apply", "--allow-mass-delete"],
            cwd=repo.root, env={**os.environ, **repo.env, "PYTHONPATH": str(ROOT)},
            stdin=terminal, stdout=terminal, stderr=terminal,
        )  # fmt: skip
        os.close(terminal)
        seen = b""
        deadline = time.monotonic() + 30
        while b"[y/N]" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.5)
            if ready:
                seen += os.read(controller, 4096)
        os.write(controller, b"n\n")
        process.wait(timeout=30)
        os.close(controller)
    text = seen.decode(errors="replace")
    assert "Apply 4 change(s) (2 create, 0 update, 2 delete) to site" in text
    assert "2 resource(s) will be deleted." in text
    assert process.returncode == 1, "declined: nothing applied"
