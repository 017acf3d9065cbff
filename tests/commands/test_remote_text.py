"""Remote text is data: a title made in the UI cannot rewrite the PR comment or drive the terminal."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from reconciler.backends.emulator_server import emulator_thread
from tests.commands.helpers import create_directly, make_workspace
from tests.conftest import ALICE

HOSTILE = "</code></summary>\n\n## ✅ No changes\n<img src=x onerror=alert(1)> [x](http://a) \x1b[2J\x9b31m\u202e"


def _retitle_one(repo_url: str, repo: object) -> None:
    managed = repo.managed()  # type: ignore[attr-defined]
    widget = managed["aws-spend-treemap"][0]
    attributes = widget["attributes"]
    body = {
        "data": {
            "type": "widgets",
            "attributes": {"definition": {**attributes["definition"], "title": HOSTILE}, "tags": attributes["tags"]},
        }
    }
    url = f"{repo_url}/api/v2/widgets/ccm_reports/{widget['id']}"
    assert httpx.put(url, headers=ALICE, json=body).status_code == 200


def test_a_hostile_title_stays_text_everywhere(tmp_path: Path) -> None:
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url)
        assert repo.wac("apply", "--auto-approve").exit_code == 0
        _retitle_one(server.url, repo)
        # And one to delete, whose hostile title is the change's own headline.
        create_directly(server.url, "ccm_reports", HOSTILE, ["wac-owner:default", "wac-id:gone"])
        markdown = repo.wac("plan", "--format", "markdown").stdout
        text = repo.wac("plan").stdout
        drift_md = repo.wac("drift", "--format", "markdown").stdout
        drift_text = repo.wac("drift").stdout

    outside_code = "".join(markdown.split("```")[::2])  # fenced diff blocks render as plain text
    assert "<img" not in outside_code and "</summary>\n\n##" not in outside_code
    assert not re.search(r"^#+ ✅", outside_code, re.MULTILINE), "no heading injected"
    assert outside_code.count("<details>") == outside_code.count("</details>") == 2
    assert "](http" not in outside_code, "no link injected"
    assert all(line.startswith(("-", "+")) for block in markdown.split("```diff\n")[1:] for line in
               block.split("```")[0].splitlines()), "a remote value cannot end the code block"  # fmt: skip
    for output in (markdown, text, drift_md, drift_text):
        assert "\x1b" not in output and "\x9b" not in output and "\u202e" not in output
    assert "\\u001b[2J" in text, "shown, escaped, so a reviewer sees it"
    assert "- delete ccm_reports/gone" in text and "\\x1b[2J" in text and "\\n## ✅" in text
    assert "<img" not in drift_md.split("```")[0]


FORMATS = ("text", "markdown", "json")


def test_a_title_holding_workflow_commands_never_starts_a_line(tmp_path: Path) -> None:
    from tests.reliability.test_inert_remote_text import assert_inert

    title = (
        "ok\n::error file=x::pwned\r::add-mask::abc\u2028::notice::n ##[error]x \x1b]8;;http://evil\x07l\x1b]8;;\x07"
    )
    with emulator_thread() as server:
        repo = make_workspace(tmp_path, server.url)
        create_directly(server.url, "ccm_reports", title, ["wac-owner:default", "wac-id:gone"])
        results = [repo.wac(command, "--format", output) for command in ("plan", "drift") for output in FORMATS]
    for result in results:
        assert "Traceback" not in result.output, result.output
        assert_inert(result.stdout, "stdout")
        assert_inert(result.stderr, "stderr")
    text = results[0].stdout
    assert '"ok\\n::error file=x::pwned\\r::add-mask::abc\\u2028::notice::n ##\\u005b' in text, text
    assert "\\x1b]8;;http://evil\\x07l" in text
    assert json.loads(results[2].stdout)["changes"], "the JSON plan still parses"
