"""Progress of a long apply on stderr: a bar for a person at a terminal, a line every 10 % or 10 s for CI logs."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from types import TracebackType
from typing import TextIO

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

SHOW_FROM = 20
LINE_EVERY_SECONDS = 10.0


class ApplyProgress:
    def __init__(self, total: int, stream: TextIO | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self._stream = stream or sys.stderr
        self._total = total
        self._clock = clock
        self._done = self._failed = 0
        self._started = self._last_line = clock()
        self._next_tenth = 1
        self._progress: Progress | None = None
        self._lines = total >= SHOW_FROM and not self._stream.isatty()
        if total >= SHOW_FROM and self._stream.isatty():
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

    def advance(self, ok: bool) -> None:
        """One change done, succeeded or not."""
        self._done += 1
        self._failed += not ok
        if self._progress is not None:
            self._progress.advance(self._task)
        elif self._lines:
            now = self._clock()
            share = self._done / self._total
            tenths = self._done * 10 // self._total
            if tenths >= self._next_tenth or now - self._last_line >= LINE_EVERY_SECONDS:
                self._next_tenth = tenths + 1
                self._last_line = now
                self._stream.write(
                    f"applying: {self._done}/{self._total} ({share:.0%}), {self._failed} failed,"
                    f" {now - self._started:.0f} s\n"
                )
                self._stream.flush()
