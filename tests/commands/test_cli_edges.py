"""The command line's edges: usage errors, options anywhere, colour, start-up, and the emulator's own start."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from reconciler.backends.emulator_server import emulator_thread
from tests.commands.helpers import make_workspace

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}


def _wac(*args: str, cwd: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reconciler", *args], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=60,
        **kwargs,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.mark.parametrize(
    "args",
    [["plan", "--format", "yml"], ["plan", "--bogus"], ["bogus"], ["drift", "--format", "yml"], ["apply", "--x"]],
)
def test_usage_errors_exit_1_never_the_drift_code(tmp_path: Path, args: list[str]) -> None:
    with emulator_thread() as server:
        result = make_workspace(tmp_path, server.url).wac(*args)
    assert result.exit_code == 1, result.output
    assert "Error:" in result.output


def test_debug_and_no_color_work_after_the_subcommand(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url)
        result = repo.wac("plan", "--debug", "--no-color", env={"NO_COLOR": None})
    assert result.exit_code == 0
    assert "HTTP Request: GET" in result.stderr and "\x1b[" not in result.output


def test_term_dumb_gets_no_colour(tmp_path: Path) -> None:
    from reconciler.cli.shell import colour

    os.environ["TERM"] = "dumb"
    try:
        assert colour() is False
    finally:
        del os.environ["TERM"]


def test_an_unknown_target_is_an_error(tmp_path: Path) -> None:
    with emulator_thread() as server:
        result = make_workspace(tmp_path, server.url).wac("plan", "--target", "no-such-id")
    assert result.exit_code == 1
    assert "--target no-such-id: no manifest and no resource of owner 'default' has this id" in result.output


def test_closed_stdout_is_a_one_line_error(tmp_path: Path) -> None:
    process = subprocess.run(
        f"{sys.executable} -m reconciler plan --site local {ROOT / 'widgets'} >&-",
        shell=True, cwd=tmp_path, env=ENV, capture_output=False, stderr=subprocess.PIPE, text=True, timeout=60,
    )  # fmt: skip
    assert process.returncode == 1
    assert process.stderr.strip() == (
        "Error: standard output is closed, so there is nowhere to print; run again with it open (or >/dev/null)"
    )


def test_ctrl_c_during_start_up_is_not_a_traceback(tmp_path: Path) -> None:
    # `-X importtime` says when wac's own code has begun (Python's start-up before it is no one's to catch),
    # so the interrupt lands while wac imports its commands, however busy the machine is.
    process = subprocess.Popen(
        [sys.executable, "-X", "importtime", "-m", "reconciler", "plan", "--site", "local", str(ROOT / "widgets")],
        cwd=tmp_path, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert process.stderr is not None
    seen = []
    for line in process.stderr:
        seen.append(line)
        if line.rstrip().endswith("| reconciler.entry"):
            break
    process.send_signal(signal.SIGINT)
    # Read from the same file object: communicate() would skip what its buffer already holds.
    seen += process.stderr.readlines()
    process.wait(timeout=60)
    errors = "".join(line for line in seen if not line.startswith("import time:"))
    assert process.returncode == 1, errors
    assert "Traceback" not in errors and "Interrupted" in errors


def test_the_emulator_on_a_busy_port_says_so(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _wac("emulator", "--port", str(port), "--db", ":memory:", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Error: cannot listen on 127.0.0.1:{port}: Address already in use; choose another --port or --host"
    )


def test_the_emulator_warns_when_it_listens_beyond_loopback(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "emulator", "--host", "0.0.0.0", "--port", "0", "--db", ":memory:"],
        cwd=tmp_path, env=ENV, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stderr is not None
        warning = process.stderr.readline()
        assert warning.startswith("Warning: --host 0.0.0.0 serves the emulator beyond this machine")
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_kind_limits_a_run_and_is_checked(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url)
        limited = repo.wac("plan", "--kind", "datadog/widget", "--format", "json")
        assert limited.exit_code == 0, limited.output
        planned = json.loads(limited.stdout)
        assert planned["kinds"] == ["datadog/widget"] and len(planned["changes"]) == 16
        assert {c["kind"] for c in planned["changes"]} == {"datadog/widget"}
        unknown = repo.wac("plan", "--kind", "grafana/panel")
        assert unknown.exit_code == 1 and "Invalid value for '--kind': 'grafana/panel'" in unknown.output
        saved = repo.wac("plan", "--kind", "datadog/widget", "--out", "p.json")
        assert saved.exit_code == 0
        mixed = repo.wac("apply", "--plan", "p.json", "--kind", "datadog/widget", "--auto-approve")
        assert mixed.exit_code == 1 and "do not pass manifest paths, --target or --kind with it" in mixed.output
        assert repo.wac("apply", "--plan", "p.json", "--auto-approve").exit_code == 0
