"""Problems in their three printed forms: `file:line:col: message`, GitHub annotations, and JSON."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict
from typing import Literal

from reconciler.core.problems import Problem

ProblemFormat = Literal["text", "github", "json"]


def format_problems(problems: Iterable[Problem], output: ProblemFormat) -> str:
    ordered = sorted(problems)
    if output == "json":
        return json.dumps([asdict(p) for p in ordered], indent=2, ensure_ascii=False)
    if output == "github":
        # Line breaks as the runner's escapes (a multi-line message), any other control character shown
        # escaped: nothing in a file's name or text can end the annotation's line or drive the log viewer.
        return "\n".join(
            f"::error file={one_line(_escape_property(p.file))},line={p.line},col={p.column},"
            f"title=wac validate::{one_line(_escape_data(p.message))}"
            for p in ordered
        )
    return "\n".join(f"{one_line(p.file)}:{p.line}:{p.column}: {one_line(p.message)}" for p in ordered)


def one_line(text: str) -> str:
    """Text from a file or a remote answer, with line breaks and control characters shown as escapes."""
    return "".join(ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii") for ch in text)


def _escape_data(value: str) -> str:
    # GitHub's workflow-command escaping, as in @actions/core.
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")
