"""SIGINT or SIGTERM during apply: a clean stop with a summary, no traceback, and the next run converges."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from reconciler.backends.emulation.settings import EmulatorSettings
from reconciler.backends.emulator_server import emulator_thread
from tests.commands.helpers import apply_in_background, make_workspace
from tests.commands.test_resilience import write_many

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_stops_apply_cleanly_and_the_next_run_converges(tmp_path: Path, sig: signal.Signals) -> None:
    with emulator_thread(db=tmp_path / "e.sqlite3", settings=EmulatorSettings(latency=0.03)) as server:
        repo = make_workspace(tmp_path, server.url)
        write_many(repo.widgets, 150)
        process = apply_in_background(repo, server.stats, after_creates=15)
        process.send_signal(sig)
        stdout, stderr = process.communicate(timeout=30)
        assert process.returncode == 1
        assert "Traceback" not in stderr and "Traceback" not in stdout
        assert f"{sig.name}: stopping after the requests in flight" in stderr
        assert "Interrupted: " in stderr and "Run wac apply again to finish." in stderr
        created = int(stderr.split("Interrupted: ")[1].split(" created")[0])
        partial = repo.managed()
        assert 0 < len(partial) < 150
        assert created <= len(partial) <= created + 2, "the summary counts what was done (a reply may be in flight)"

        result = repo.wac("apply", "--auto-approve")
        assert result.exit_code == 0, result.output
        managed = repo.managed()
        assert len(managed) == 150 and all(len(v) == 1 for v in managed.values())
        assert repo.wac("plan", "--detailed-exitcode").exit_code == 0
