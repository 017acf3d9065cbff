"""A progress bar for long applies, on stderr, only when a person is watching."""

from __future__ import annotations

import sys
from types import TracebackType

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from reconciler.applying import Outcome

SHOW_FROM = 20


class ApplyProgress:
    def __init__(self, total: int) -> None:
        self._progress: Progress | None = None
        if total >= SHOW_FROM and sys.stderr.isatty():
            self._progress = Progress(
                TextColumn("applying"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), transient=True
            )
            self._task = self._progress.add_task("apply", total=total)

    def __enter__(self) -> ApplyProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def advance(self, _: Outcome) -> None:
        if self._progress is not None:
            self._progress.advance(self._task)
