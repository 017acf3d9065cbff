"""Writing manifest files for a test and reading back the problems as text lines."""

from __future__ import annotations

import textwrap
from pathlib import Path

from reconciler.manifests.loading import load_manifests
from reconciler.render.problems import format_problems

VALID = """\
id: spend
experience_type: ccm_reports
tags: [team:finops]
definition:
  type: bar_chart
  title: Spend
  requests:
    - q: sum:aws.cost{*}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems_of(*paths: Path) -> list[str]:
    """The `file:line:col: message` lines, with files shown by name only."""
    result = load_manifests(paths)
    root = paths[0] if paths[0].is_dir() else paths[0].parent
    lines = format_problems(result.problems, "text").splitlines()
    return [line.replace(root.as_posix() + "/", "") for line in lines]
