"""Remote text never becomes a command: whatever a server answers, no line wac prints or writes starts with
`::` (a GitHub workflow command), no raw escape sequence reaches the terminal or the job summary, the text
is still shown (escaped), and a share token in a dashboard's text is masked in every output and file."""

from __future__ import annotations

import io
import json
import os
import pty
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from click.testing import Result

from reconciler.backends.emulator_server import emulator_thread
from tests.commands.helpers import make_workspace, write_many
from tests.conftest import ALICE
from tests.hostile_servers import Answer, answering, json_answer, listing
from tests.spaceone_widgets.test_reconcile import BUDGET

# What an attacker who controls an error answer would send: a new line starting a command, a mask that would
# hide the rest of the log, a terminal hyperlink, a colour, the runner's older command form, other line ends.
HOSTILE_ERRORS = [
    "\n::error file=x::pwned",
    "::add-mask::abc",
    "\x1b]8;;http://evil\x07link\x1b]8;;\x07",
    "\x1b[31m",
    "##[set-output name=x;]y",
    "\r::warning::cr",
    "\u2028::notice::ls",
]
HOSTILE_BODY = {
    "errors": HOSTILE_ERRORS,
    "detail": {"code": "ERROR_PERMISSION_DENIED\n::error::detail", "message": "".join(HOSTILE_ERRORS)},
}
# How the escaped text reads: visible to a reviewer, inert to a terminal and a runner.
SHOWN_ESCAPED = "\\x1b]8;;http://evil\\x07link\\x1b]8;;\\x07"

TOKEN = "abc123-0123456789abcdef0123456789abcdef"
OTHER_TOKEN = "def456-fedcba9876543210fedcba9876543210"
SHARE_LINK = f"https://p.datadoghq.com/sb/{TOKEN}"


def assert_inert(text: str, where: str = "output") -> None:
    """No line a runner would run, and no raw escape, bell or CSI byte a terminal would act on."""
    lines = re.split(r"[\n\r]", text) + text.splitlines()
    starting = [line for line in lines if line.lstrip().startswith("::")]
    assert not starting, f"{where}: a line starts a workflow command: {starting[:3]}"
    assert "##[" not in text, f"{where}: the runner's older command form"
    for raw in ("\x1b", "\x07", "\x9b", "\x9d"):
        assert raw not in text, f"{where}: raw {raw!r}"


def assert_result_inert(result: Result) -> None:
    assert "Traceback" not in result.output, result.output
    assert_inert(result.stdout, "stdout")
    assert_inert(result.stderr, "stderr")


def _hostile(reads_fail: bool) -> Callable[[str, str], Answer]:
    """Every request refused with the hostile text; or only writes, so the listing works and applies fail."""

    def answer(method: str, _path: str) -> Answer:
        if not reads_fail and method == "GET":
            return listing()
        return json_answer(HOSTILE_BODY, status=403)

    return answer


RUNS = [
    *(("plan", "--format", output) for output in ("text", "markdown", "json")),
    *(("drift", "--format", output) for output in ("text", "markdown", "json")),
    ("apply", "--auto-approve"),
]


@pytest.mark.parametrize("reads_fail", [True, False], ids=["refused-read", "refused-write"])
def test_a_hostile_error_text_is_shown_escaped_and_never_starts_a_line(tmp_path: Path, reads_fail: bool) -> None:
    with answering(_hostile(reads_fail)) as url:
        repo = make_workspace(tmp_path, url)
        results = {
            (*args, *debug): repo.wac(*args, *debug, "--kind", "datadog/widget")
            for args in RUNS
            for debug in ((), ("--debug",))
        }
        exported = repo.wac("export", "--kind", "datadog/widget", "--out", "exported")
    for args, result in results.items():
        assert_result_inert(result)
        if reads_fail or args[0] == "apply":
            assert result.exit_code == 1, (args, result.output)
            assert SHOWN_ESCAPED in result.stderr, (args, result.stderr)
            assert "\\n::error file=x::pwned" in result.stderr and "::add-mask::abc" in result.stderr
    applied = results[("apply", "--auto-approve")]
    assert reads_fail or applied.stderr.count("failed: create") >= 1, applied.output
    assert_result_inert(exported)
    assert exported.exit_code == (1 if reads_fail else 0), exported.output


def test_a_spaceone_error_detail_is_shown_escaped(tmp_path: Path) -> None:
    with answering(_hostile(reads_fail=True)) as url:
        repo = make_workspace(tmp_path, url, copy_examples=False)
        repo.widgets.mkdir()
        (repo.widgets / "budget.yaml").write_text(BUDGET)
        env: dict[str, str | None] = {"SPACEONE_ENDPOINT": url, "SPACEONE_TOKEN": "hostile-token-1", "DD_API_KEY": None}
        env |= {"SPACEONE_DOMAIN_ID": "domain-1", "DD_SITE": "datadoghq.com", "DD_APP_KEY": None}
        results = [repo.wac(*args, env=env) for args in (("plan",), ("plan", "--debug", "--format", "json"))]
    for result in results:
        assert result.exit_code == 1, result.output
        assert_result_inert(result)
        assert "ERROR_PERMISSION_DENIED\\n::error::detail" in result.stderr, result.stderr
        assert SHOWN_ESCAPED in result.stderr


def test_a_real_process_writing_to_a_ci_log_stays_inert(tmp_path: Path) -> None:
    """As the Action runs it: `wac apply … 2>&1 | tee apply.log`, both streams in one log."""
    with answering(_hostile(reads_fail=False)) as url:
        repo = make_workspace(tmp_path, url)
        env = {**os.environ, **repo.env, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        outputs = [
            subprocess.run(
                [sys.executable, "-m", "reconciler", *args, "--kind", "datadog/widget"],
                cwd=repo.root,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                timeout=120,
            )
            for args in (("apply", "--auto-approve", "--debug"), ("plan", "--format", "markdown"))
        ]
    applied = outputs[0]
    assert applied.returncode == 1 and "Traceback" not in applied.stdout, applied.stdout
    assert SHOWN_ESCAPED in applied.stdout and "HTTP 403" in applied.stdout
    for process in outputs:
        assert_inert(process.stdout)


def test_validate_prints_its_annotations_and_nothing_else_as_a_command(tmp_path: Path) -> None:
    """The one command that prints workflow commands: its own annotations, their parts escaped."""
    repo = make_workspace(tmp_path, "http://127.0.0.1:9", copy_examples=False)
    repo.widgets.mkdir()
    (repo.widgets / "::error::named\n::add-mask::x.yaml").write_text("id: [\n")
    (repo.widgets / "b.yaml").write_text("id: x\nexperience_type: ccm_reports\ndefinition: {type: '\x1b[31m'}\n")
    text = repo.wac("validate")
    github = repo.wac("validate", "--format", "github")
    assert text.exit_code == github.exit_code == 1
    assert_result_inert(text)
    assert_inert(github.stderr)
    lines = github.stdout.splitlines()
    assert len(lines) >= 2 and all(line.startswith("::error file=widgets/") for line in lines), lines
    assert all("\x1b" not in line and "::add-mask" not in line.split("::")[1] for line in lines), lines
    assert any("%0A%3A%3Aadd-mask%3A%3Ax.yaml" in line for line in lines), lines


def _dashboard(description: str) -> str:
    return (
        "kind: datadog/dashboard\nid: public-overview\n"
        f"dashboard:\n  title: Public overview\n  description: {json.dumps(description)}\n  layout_type: ordered\n"
        "  widgets:\n    - definition: {type: note, content: hello}\n"
    )


def _dashboards(url: str) -> list[dict[str, object]]:
    listed = httpx.get(f"{url}/api/v1/dashboard", headers=ALICE).json()["dashboards"]
    return [httpx.get(f"{url}/api/v1/dashboard/{d['id']}", headers=ALICE).json() for d in listed]


def _edit_description(url: str, old: str, new: str) -> None:
    (made,) = _dashboards(url)
    edited = {k: v for k, v in made.items() if k not in ("id", "url", "author_handle", "author_name")}
    edited = {k: v for k, v in edited.items() if k not in ("created_at", "modified_at")}
    edited["description"] = str(made["description"]).replace(old, new)
    assert httpx.put(f"{url}/api/v1/dashboard/{made['id']}", headers=ALICE, json=edited).status_code == 200


def _no_token(result: Result, *tokens: str) -> None:
    assert "Traceback" not in result.output, result.output
    for token in tokens:
        assert token not in result.output, result.output


def test_a_share_link_in_a_description_is_masked_everywhere_and_saved_plans_still_apply(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        repo.widgets.mkdir()
        (repo.widgets / "public.yaml").write_text(_dashboard(f"Shared as {SHARE_LINK} for the vendor."))

        for output in ("text", "markdown", "json"):
            _no_token(repo.wac("plan", "--format", output, "--out", f"plan-{output}.json"), TOKEN)
        shown = repo.wac("plan", "--format", "json").stdout
        assert "https://p.datadoghq.com/sb/***" in shown and json.loads(shown)["summary"]["create"] == 1
        saved = (repo.root / "plan-text.json").read_text()
        assert TOKEN not in saved and "sb/***" in saved and json.loads(saved)["changes"]
        applied = repo.wac("apply", "--plan", "plan-text.json", "--auto-approve")
        assert applied.exit_code == 0, applied.output
        _no_token(applied, TOKEN)
        (made,) = _dashboards(server.url)
        assert SHARE_LINK in str(made["description"]), "the fresh plan's content is applied, not the masked one"

        # Someone points the link at another share: drift names the change with both tokens masked.
        _edit_description(server.url, TOKEN, OTHER_TOKEN)
        for output in ("text", "markdown", "json"):
            drift = repo.wac("drift", "--format", output)
            assert drift.exit_code == 2, drift.output
            _no_token(drift, TOKEN, OTHER_TOKEN)
        assert "***" in repo.wac("drift").stdout

        # A saved plan that puts the link back: an update whose body holds the token, masked in the file.
        planned = repo.wac("plan", "--out", "update.json")
        _no_token(planned, TOKEN, OTHER_TOKEN)
        assert TOKEN not in (repo.root / "update.json").read_text()
        assert repo.wac("apply", "--plan", "update.json", "--auto-approve").exit_code == 0
        (made,) = _dashboards(server.url)
        assert SHARE_LINK in str(made["description"]) and OTHER_TOKEN not in str(made["description"])

        exported = repo.wac("export", "--kind", "datadog/dashboard", "--out", "exported")
    assert exported.exit_code == 0, exported.output
    _no_token(exported, TOKEN)
    files = list((repo.root / "exported").rglob("*.yaml"))
    assert files and all(TOKEN not in f.read_text() for f in files)
    assert "sb/***" in files[0].read_text()
    noted = [line for line in exported.stderr.splitlines() if "shaped like a share token" in line]
    assert len(noted) == 1 and noted[0].startswith(files[0].relative_to(repo.root / "exported").as_posix())


def test_export_of_hostile_text_writes_no_command_line(tmp_path: Path) -> None:
    """A dashboard whose text would put `::` at a line's start in YAML is exported quoted, and reads back."""
    hostile = "line\n::error file=x::pwned\n##[add-mask]y"
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        made = {"title": "::warning::t", "description": hostile, "layout_type": "ordered", "widgets": []}
        assert httpx.post(f"{server.url}/api/v1/dashboard", headers=ALICE, json=made).status_code == 200
        exported = repo.wac("export", "--kind", "datadog/dashboard")
        assert exported.exit_code == 0, exported.output
        (file,) = repo.widgets.rglob("*.yaml")
        assert_inert(file.read_text(), str(file))
        assert repo.wac("validate").exit_code == 0
        planned = repo.wac("plan", "--format", "json")
    assert planned.exit_code == 0, planned.output
    assert_result_inert(planned)
    (change,) = json.loads(planned.stdout)["changes"]
    assert change["action"] == "update" and change["content"]["dashboard"]["description"] == hostile
    assert not [f for f in change["fields"] if f["path"].startswith(("dashboard.description", "dashboard.title"))]


def test_the_guard_judges_a_line_across_writes_and_keeps_colours() -> None:
    """click, logging and rich write a line in pieces: a `::` split between two writes is still a line start,
    a CSI colour passes, any other escape is shown, and the wrapped stream's answers are its own."""
    from reconciler.cli.output_guard import GuardedStream

    written = io.StringIO()
    guard = GuardedStream(written)
    pieces = ("  ", ":", ":add-mask::abc\n", "ok ##", "[error]x\n", "\x1b[31mred\x1b[0m \x1b]8;;x\x07\n", "a\r::b::c")
    for piece in pieces:
        guard.write(piece)
    lines = re.split(r"[\n\r]", written.getvalue())
    assert lines[:2] == ["  \\::add-mask::abc", "ok ##\\u005berror]x"]
    assert lines[2:] == ["\x1b[31mred\x1b[0m \\u001b]8;;x\\u0007", "a", "\\::b::c"]
    assert guard.isatty() is False and guard.encoding == "utf-8"
    with pytest.raises(TypeError):
        guard.write(b"")  # type: ignore[arg-type]


def test_colours_and_the_progress_bar_still_reach_a_terminal(tmp_path: Path) -> None:
    write_many(tmp_path / "widgets", 25)
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "DD_SITE", "WAC_OWNER")}
    env |= {"TERM": "xterm", "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "reconciler", "apply", "--site", "local", "--auto-approve"],
        cwd=tmp_path,
        env=env,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
    )
    os.close(terminal)
    output = b""
    while chunk := _read(controller):
        output += chunk
    os.close(controller)
    assert process.wait(timeout=60) == 0, output
    text = output.decode()
    assert "\x1b[32m\x1b[1m+ create logs_reports/w000" in text, "a terminal still gets colours"
    assert "applying" in text and "25/25" in text, "and the progress bar"
    assert "Apply complete: 25 created" in text


def _read(descriptor: int) -> bytes:
    try:
        return os.read(descriptor, 65536)
    except OSError:  # the terminal closed: the process ended
        return b""
