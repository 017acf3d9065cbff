"""Faults on the way: lost answers, rate limits, errors and a killed apply all converge, without duplicates."""

from __future__ import annotations

import signal
from pathlib import Path

from reconciler.backends.emulation.settings import EmulatorSettings, FaultRule, RateLimit
from reconciler.backends.emulator_server import emulator_thread
from tests.commands.helpers import apply_in_background, make_workspace, write_many

ROOT = Path(__file__).resolve().parents[2]


def test_lost_create_answers_never_duplicate(tmp_path: Path) -> None:
    lost = FaultRule("lost_response", rate=0.5, methods=frozenset({"POST"}))
    with emulator_thread(db=tmp_path / "e.sqlite3", settings=EmulatorSettings(faults=(lost,), seed=3)) as server:
        repo = make_workspace(tmp_path, server.url)
        write_many(repo.widgets, 30)
        result = repo.wac("apply", "--auto-approve")
        assert result.exit_code == 0, result.output
        assert server.stats.faults["lost_response"] >= 5
        managed = repo.managed()
        assert len(managed) == 30 and all(len(v) == 1 for v in managed.values())
        assert repo.wac("plan", "--detailed-exitcode").exit_code == 0


def test_rate_limit_is_honoured_and_never_exceeded(tmp_path: Path) -> None:
    settings = EmulatorSettings(rate_limit=RateLimit(limit=20, period=1.0))
    with emulator_thread(db=tmp_path / "e.sqlite3", settings=settings) as server:
        repo = make_workspace(tmp_path, server.url)
        write_many(repo.widgets, 50)
        result = repo.wac("apply", "--auto-approve", "--parallelism", "16")
        assert result.exit_code == 0, result.output
        assert len(repo.managed()) == 50
        assert server.stats.max_admitted_per_window <= 20
        assert server.stats.by_status.get(429, 0) == 0, server.stats.as_dict()


def test_server_errors_are_retried_and_converge(tmp_path: Path) -> None:
    errors = FaultRule("error", rate=0.3, status=503)
    with emulator_thread(db=tmp_path / "e.sqlite3", settings=EmulatorSettings(faults=(errors,), seed=5)) as server:
        repo = make_workspace(tmp_path, server.url)
        write_many(repo.widgets, 30)
        for _ in range(3):
            if repo.wac("apply", "--auto-approve").exit_code == 0:
                break
        managed = repo.managed()
        assert len(managed) == 30 and all(len(v) == 1 for v in managed.values())


def test_an_apply_killed_half_way_converges_on_the_next_run(tmp_path: Path) -> None:
    with emulator_thread(db=tmp_path / "e.sqlite3", settings=EmulatorSettings(latency=0.02)) as server:
        repo = make_workspace(tmp_path, server.url)
        write_many(repo.widgets, 120)
        process = apply_in_background(repo, server.stats, after_creates=20)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=10)
        partial = repo.managed()
        assert 0 < len(partial) < 120, "killed in the middle"

        result = repo.wac("apply", "--auto-approve")
        assert result.exit_code == 0, result.output
        assert f"{120 - len(partial)} created, 0 updated, 0 deleted" in result.output
        managed = repo.managed()
        assert len(managed) == 120 and all(len(v) == 1 for v in managed.values())
        assert repo.wac("plan", "--detailed-exitcode").exit_code == 0


def test_a_429_storm_from_a_noisy_neighbour_is_waited_out(tmp_path: Path) -> None:
    import threading

    import httpx

    from tests.conftest import BOB

    settings = EmulatorSettings(rate_limit=RateLimit(limit=15, period=0.5))
    with emulator_thread(db=tmp_path / "e.sqlite3", settings=settings) as server:
        repo = make_workspace(tmp_path, server.url)
        write_many(repo.widgets, 40)
        stop = threading.Event()

        def neighbour() -> None:
            # Another tool in the same org spends the shared budget as fast as it can (30 a second allowed).
            with httpx.Client(base_url=server.url, headers=BOB) as client:
                while not stop.wait(0.01):
                    client.get("/api/v2/widgets/csv_reports")

        thread = threading.Thread(target=neighbour, daemon=True)
        thread.start()
        try:
            result = repo.wac("apply", "--auto-approve")
        finally:
            stop.set()
            thread.join(timeout=10)
        assert result.exit_code == 0, result.output
        assert server.stats.by_status[429] > 10, "there was a storm"
        assert server.stats.max_admitted_per_window <= 15
        managed = repo.managed()
        assert len(managed) == 40 and all(len(v) == 1 for v in managed.values())


def test_a_503_that_says_when_to_come_back_is_retried_then(tmp_path: Path) -> None:
    # Every read refused with "Retry-After: 0": every attempt is made at once, none after a back-off of its own.
    busy = FaultRule("error", rate=1.0, methods=frozenset({"GET"}), status=503, retry_after=0)
    with emulator_thread(settings=EmulatorSettings(faults=(busy,))) as server:
        result = make_workspace(tmp_path, server.url).wac("--debug", "plan")
    assert result.exit_code == 1, result.output
    # Only the 503s' waits: once one request gives up, the run's end cuts the others' connections short.
    waits = [
        line.rsplit(" in ", 1)[1] for line in result.stderr.splitlines() if "503: Service Unavailable; retry" in line
    ]
    assert len(waits) >= 7 and set(waits) == {"0.0 s"}, result.stderr
    assert "gave up" in result.output + result.stderr
