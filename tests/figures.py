"""Figures tests measure on the way (fault schedules, runs to converge), printed at the end of the run.

Tests may run in several worker processes, so each figure is a line in a file of a folder the
whole run shares; the summary at the end reads them all.
"""

from __future__ import annotations

import os
from pathlib import Path

FOLDER_VARIABLE = "WAC_TEST_FIGURES"


def report(line: str) -> None:
    folder = Path(os.environ[FOLDER_VARIABLE])
    with (folder / f"figures-{os.getpid()}.txt").open("a", encoding="utf-8") as out:
        out.write(line.replace("\n", " ") + "\n")


def collected() -> list[str]:
    folder = Path(os.environ[FOLDER_VARIABLE])
    return [line for file in sorted(folder.glob("figures-*.txt")) for line in file.read_text().splitlines()]
