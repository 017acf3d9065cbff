"""Figures tests measure on the way (fault schedules, runs to converge), printed at the end of the run."""

from __future__ import annotations

LINES: list[str] = []
