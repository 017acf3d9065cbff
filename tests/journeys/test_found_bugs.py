"""Product bugs the daily-loop machine found, each cut down to the few steps that show it, kept as the tests
that hold their fixes: a share revoked outside wac leaves no dead token in the marker."""

from __future__ import annotations

from pathlib import Path

import httpx

from reconciler.backends.emulation.settings import EmulatorSettings, FaultRule
from reconciler.backends.emulator_server import emulator_thread
from tests.conftest import BOB
from tests.datadog_dashboards.test_sharing import board, token_of, workspace, write


def test_a_share_revoked_in_the_ui_as_git_removes_sharing_leaves_no_token_in_the_marker(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = workspace(tmp_path, server.url, board())
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        token = token_of(server.url, "checkout-overview")
        assert token is not None
        # The same day: someone revokes the share in the Share menu, and a pull request removes `sharing:`.
        assert httpx.delete(f"{server.url}/api/v1/dashboard/public/{token}", headers=BOB).status_code == 200
        write(repo, board(sharing=""))
        applied = repo.wac("apply", "--auto-approve")
        assert applied.exit_code == 0, applied.output
        assert repo.wac("plan", "--detailed-exitcode").exit_code == 0, "the plan is empty"
        assert token_of(server.url, "checkout-overview") is None, "the marker records no share, as after a revoke"


def test_a_revoke_whose_marker_write_failed_is_finished_by_the_next_apply(tmp_path: Path) -> None:
    db = tmp_path / "emulator.sqlite3"
    # A refusal, not a 503: the client would retry a 503 with back-off for seconds.
    every_put_fails = EmulatorSettings(faults=(FaultRule("error", 1.0, frozenset({"PUT"}), 403),))
    with emulator_thread(db=db) as server, emulator_thread(db=db, settings=every_put_fails) as faulty:
        repo = workspace(tmp_path, server.url, board())
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        token = token_of(server.url, "checkout-overview")
        assert token is not None
        write(repo, board(sharing=""))
        cut_short = repo.wac("apply", "--auto-approve", "--site", faulty.url)
        assert cut_short.exit_code == 1, cut_short.output
        assert httpx.get(f"{server.url}/api/v1/dashboard/public/{token}", headers=BOB).status_code == 404, "revoked"
        # Faults over: the next apply finishes the revoke.
        applied = repo.wac("apply", "--auto-approve")
        assert applied.exit_code == 0, applied.output
        assert repo.wac("plan", "--detailed-exitcode").exit_code == 0, "the plan is empty"
        assert token_of(server.url, "checkout-overview") is None, "the marker records no share, as after a revoke"
