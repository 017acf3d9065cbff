"""What a new team meets in its first week: creates shown with their content in the terminal, Terraform's
single-dash habits answered with the `--` form, one debug line per request, and `--target` completing ids."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from reconciler.backends.emulation.settings import EmulatorSettings, FaultRule
from reconciler.backends.emulator_server import emulator_thread
from reconciler.cli import main
from tests.commands.helpers import make_workspace

WAC = str(Path(sys.executable).parent / "wac")


def test_a_create_in_the_text_plan_shows_the_fields_it_writes(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url)
        planned = repo.wac("plan", "--target", "checkout-error-rate")
    assert planned.exit_code == 0, planned.output
    block = planned.stdout.split("+ create logs_reports/checkout-error-rate", 1)[1].split("\n\n", 1)[0]
    assert '      + definition.title: "Checkout error rate (5 min)"' in block.splitlines()
    assert any(line.startswith("      + tags: [") for line in block.splitlines()), block


def test_a_large_create_is_one_line_saying_where_to_see_it_all(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url, copy_examples=False)
        options = "\n".join(f"  option_{n:02d}: {n}" for n in range(30))
        repo.widgets.mkdir()
        (repo.widgets / "big.yaml").write_text(
            f"kind: spaceone/custom-widget\nid: big\nwidget_name: costTrend\ntitle: Big\noptions:\n{options}\n"
        )
        planned = repo.wac("plan")
        markdown = repo.wac("plan", "--format", "markdown")
    assert planned.exit_code == 0, planned.output
    fields = re.search(
        r"\n      (\d+) fields; `wac plan --format markdown` or `--out` shows them all\n", planned.stdout
    )
    assert fields is not None and int(fields.group(1)) > 30, planned.stdout
    assert "option_29" not in planned.stdout and "+ options.option_29: 29" in markdown.stdout


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (("plan", "-out", "plan.json"), "No such option: -out (wac uses --out, not -out)"),
        (("plan", "-out=plan.json"), "No such option: -out (wac uses --out, not -out)"),
        (("apply", "-auto-approve"), "No such option: -auto-approve (wac uses --auto-approve, not -auto-approve)"),
        (("plan", "-target", "x"), "wac uses --target, not -target"),
        (("-debug", "plan"), "wac uses --debug, not -debug"),
        (("plan", "-help"), "wac uses --help, not -help"),
    ],
)
def test_terraform_single_dash_options_are_told_the_double_dash_form(
    tmp_path: Path, args: tuple[str, ...], hint: str
) -> None:
    repo = make_workspace(tmp_path, "http://127.0.0.1:9")
    result = repo.wac(*args)
    assert result.exit_code == 1, result.output
    assert "Error: No such option: -" in result.stderr and hint in result.stderr, result.stderr
    assert not (repo.root / "plan.json").exists()


@pytest.mark.parametrize("args", [("plan", "-xyz"), ("-foo", "plan", "-debug"), ("apply", "-o")])
def test_other_unknown_short_options_keep_click_s_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    result = make_workspace(tmp_path, "http://127.0.0.1:9").wac(*args)
    assert result.exit_code == 1
    assert "No such option '-" in result.stderr and "wac uses" not in result.stderr, result.stderr


_REQUEST_LINE = re.compile(r"HTTP Request: (GET|POST|PUT|DELETE|PATCH) (/\S*) → (\d{3}|.+) in \d+ ms \(retry (\d+)\)$")


def test_debug_is_one_line_per_request_and_http_internals_only_when_asked(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url)
        before = sum(server.stats.by_method.values())
        debug = repo.wac("--debug", "plan")
        sent = sum(server.stats.by_method.values()) - before
        http = repo.wac("plan", "--debug-http")
    assert debug.exit_code == 0 and http.exit_code == 0, debug.output
    ours = [line for line in debug.stderr.splitlines() if "reconciler.backends.http_client DEBUG" in line]
    assert len(ours) == sent, debug.stderr
    assert all(_REQUEST_LINE.search(line) for line in ours), ours
    assert any(" GET /api/v2/widgets/logs_reports → 200 in " in line for line in ours)
    internals = " reconciler.backends.transport "
    assert internals not in debug.stderr and " httpx " not in debug.stderr
    assert internals in http.stderr and " httpx " in http.stderr
    assert len(http.stderr.splitlines()) > 3 * len(ours)


def test_debug_lines_number_the_retries(tmp_path: Path) -> None:
    busy = FaultRule("error", rate=0.5, methods=frozenset({"GET"}), status=503, retry_after=0)
    flaky = EmulatorSettings(faults=(busy,), seed=3)
    with emulator_thread(settings=flaky) as server:
        result = make_workspace(tmp_path, server.url).wac("--debug", "plan")
    assert result.exit_code == 0, result.output
    found = [m.groups() for m in map(_REQUEST_LINE.search, result.stderr.splitlines()) if m]
    assert any(status == "503" and retry == "0" for _, _, status, retry in found), found
    assert any(status == "200" and int(retry) >= 1 for _, _, status, retry in found), found


def _complete(cwd: Path, words: str) -> list[str]:
    # The word being completed: the last one, or a new one after a trailing space.
    cword = len(words.split()) - (0 if words.endswith(" ") else 1)
    env = {"_WAC_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    # In this process, as the shell's hook runs it (tests/packaging runs the installed script's hook).
    previous = Path.cwd()
    os.chdir(cwd)
    try:
        done = CliRunner().invoke(main, [], env=env, prog_name="wac")
    finally:
        os.chdir(previous)
    assert done.exit_code == 0 and done.stderr == "", done.stderr
    return done.stdout.split()


def test_target_completes_the_manifest_ids_offline(tmp_path: Path) -> None:
    repo = make_workspace(tmp_path, "http://127.0.0.1:9")
    assert len(_complete(repo.root, "wac plan --target ")) == 16, "a new word: every id"
    assert _complete(repo.root, "wac plan --target checkout-err") == [
        "plain,checkout-error-rate",
        "plain,checkout-errors-by-endpoint",
        "plain,checkout-errors-by-status",
    ]
    assert "plain,aws-spend-by-team" in _complete(repo.root, "wac apply --target a")
    # Paths typed before it are where the ids come from.
    assert _complete(repo.root, "wac plan widgets/finops --target a") == [
        "plain,aws-spend-by-team",
        "plain,aws-spend-summary",
        "plain,aws-spend-treemap",
        "plain,aws-spend-week-over-week",
    ]
    assert _complete(repo.root, "wac plan widgets/logs --target a") == []


def test_target_completion_never_fails_on_bad_manifests(tmp_path: Path) -> None:
    repo = make_workspace(tmp_path, "http://127.0.0.1:9")
    (repo.widgets / "broken.yaml").write_text("id: [unclosed\n")
    (repo.widgets / "binary.yaml").write_bytes(b"\xff\xfe\x00id: x")
    assert "plain,checkout-error-rate" in _complete(repo.root, "wac plan --target checkout")
    assert _complete(tmp_path, "wac plan --target x") == [], "no widgets/ here: nothing, and no traceback"


def test_a_target_may_be_the_scope_and_id_a_plan_prints(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url)
        by_id = repo.wac("plan", "--target", "checkout-error-rate")
        by_address = repo.wac("plan", "--target", "logs_reports/checkout-error-rate")
        assert by_address.exit_code == 0 and "1 to create" in by_address.output, by_address.output
        assert by_address.output == by_id.output
