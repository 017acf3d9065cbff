"""`wac validate`: exit codes, the default path, and the text, GitHub and JSON formats."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.manifests.helpers import VALID, write

ROOT = Path(__file__).resolve().parents[2]


def wac(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reconciler", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )


def test_valid_tree_exits_0_and_defaults_to_widgets(tmp_path: Path) -> None:
    write(tmp_path, "widgets/a.yaml", VALID)
    result = wac("validate", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "1 manifest(s) valid" in result.stderr


def test_problems_exit_1_in_text_format(tmp_path: Path) -> None:
    write(tmp_path, "widgets/a.yaml", VALID.replace("title: Spend", 'title: ""'))
    result = wac("validate", "widgets", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "widgets/a.yaml:6:10: definition.title is empty; it needs at least 1 character"
    ]
    assert "Traceback" not in result.stderr


def test_github_format_prints_annotations(tmp_path: Path) -> None:
    write(tmp_path, "widgets/a.yaml", VALID.replace("bar_chart", "pie"))
    result = wac("validate", "--format", "github", cwd=tmp_path)
    assert result.returncode == 1
    (line,) = result.stdout.splitlines()
    assert line.startswith("::error file=widgets/a.yaml,line=5,col=9,title=wac validate::definition.type 'pie'")


def test_json_format_lists_objects(tmp_path: Path) -> None:
    write(tmp_path, "widgets/a.yaml", VALID + "  title: again\n")
    result = wac("validate", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1
    assert json.loads(result.stdout) == [
        {"file": "widgets/a.yaml", "line": 9, "column": 3, "message": "duplicate key 'title' (first given on line 6)"}
    ]
    ok = wac("validate", "--format", "json", cwd=ROOT)
    assert ok.returncode == 0 and json.loads(ok.stdout) == []


def test_github_annotations_escape_newlines_and_commas() -> None:
    from reconciler.core.problems import Problem
    from reconciler.render.problems import format_problems

    text = format_problems([Problem("a,b:c.yaml", 1, 2, "50% bad\nreally")], "github")
    assert text == "::error file=a%2Cb%3Ac.yaml,line=1,col=2,title=wac validate::50%25 bad%0Areally"
