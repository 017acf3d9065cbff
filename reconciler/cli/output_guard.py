"""The last guard on everything wac prints: standard output and error pass through a stream that masks keys
and share tokens, shows raw control characters as escapes and never lets a line start a workflow command.

GitHub's runner trims a line's leading whitespace and runs it as a workflow command when it then starts
with `::` (`ActionCommand.TryParseV2`), or when `##[` appears anywhere in it (the older `TryParse`); it
reads both standard output and error, and splits lines at `\\n` and `\\r`. So a line's leading `::` is
written `\\::` (a backslash before the first colon: readable, and no whitespace the runner could trim), and
`##[` is written `##\\u005b`. Renderers already escape remote text (`render.common.printable`); this guard
holds even where one forgot. Only `wac validate --format github` prints commands, through `print_annotations`.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import sys
import weakref
from typing import TYPE_CHECKING, Final, TextIO, cast

from reconciler.backends.registry import SECRET_PATTERNS, SECRET_VARIABLES
from reconciler.core.inert import blank, escape_controls, inert, mask_all

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

# Where the keys of every backend come from; their values are masked in every line and file.
KEY_VARIABLES: Final = SECRET_VARIABLES
# The commands `print_annotations` lets through, and no other.
ANNOTATIONS: Final = ("::error ", "::warning ", "::notice ")
# Enough of the current line to see a `##[` split across writes (each `#` may carry ignorable characters).
_TAIL: Final = 24


def environment_secrets() -> tuple[str, ...]:
    """The keys set in the environment now (a test or a run may change them between commands)."""
    return tuple(value for name in KEY_VARIABLES if (value := os.environ.get(name)))


def masked(text: str) -> str:
    """The text with the environment's keys and every secret-shaped match masked; JSON and YAML stay valid."""
    return mask_all(text, environment_secrets(), SECRET_PATTERNS)


def inert_file_text(text: str) -> str:
    """What a file wac writes for the user holds: masked, and with no line a runner would run."""
    return inert(masked(text))


class GuardedStream(io.TextIOBase):
    """A text stream writing through another, each write masked and made inert; the line it is in is
    remembered across writes, so a line started by one write and continued by the next is still judged
    as one. A secret split between two writes is not seen: click, logging and rich write whole lines."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self._stream = stream
        # Whether the current line holds only what a runner skips, and its last characters.
        self._fresh = True
        self._tail = ""
        self.refresh()
        # Bytes (click echoes a completion script as bytes) go through this stream too, never around it.
        self.buffer = GuardedBuffer(self)

    def refresh(self) -> None:
        """Read the keys from the environment again: once per command, not once per write."""
        self._secrets = environment_secrets()

    def _masked(self, text: str) -> str:
        return mask_all(text, self._secrets, SECRET_PATTERNS)

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            # click probes for binary streams with `write(b"")`: this one is text only.
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if text:
            out = self._inert(text)
            try:
                self._stream.write(out)
            except UnicodeEncodeError:
                # A stream set to ASCII (or the like): what it cannot carry is shown escaped, not lost.
                self._stream.write(out.encode(self.encoding, "backslashreplace").decode(self.encoding))
        return len(text)

    def _inert(self, text: str) -> str:
        text = escape_controls(self._masked(text))
        tail = self._tail
        out = inert(tail + text, at_line_start=self._fresh, complete=False)[len(tail) :]
        self._remember(out)
        return out

    def _remember(self, out: str) -> None:
        end = max(out.rfind("\n"), out.rfind("\r"))
        if end >= 0:
            line = out[end + 1 :]
            self._fresh = blank(line)
        else:
            line = self._tail + out
            self._fresh = self._fresh and blank(out)
        self._tail = line[-_TAIL:]

    def write_commands(self, line: str) -> None:
        """One line written as it is (masked, control characters escaped), on a line of its own."""
        if not (self._fresh and blank(self._tail)):
            self._stream.write("\n")
        self._stream.write(escape_controls(self._masked(line)) + "\n")
        self._fresh, self._tail = True, ""

    def flush(self) -> None:
        self._stream.flush()

    def close(self) -> None:
        # The stream it writes through belongs to whoever made it; at exit, that one may be closed first.
        with contextlib.suppress(OSError, ValueError):
            self.flush()

    @property
    def closed(self) -> bool:
        return bool(self._stream.closed)

    def isatty(self) -> bool:
        return self._stream.isatty()

    def fileno(self) -> int:
        return self._stream.fileno()

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self._stream, "encoding", None) or "utf-8"

    @property
    def errors(self) -> str:  # type: ignore[override]
        return getattr(self._stream, "errors", None) or "strict"

    @property
    def name(self) -> str:
        return str(getattr(self._stream, "name", "<guarded>"))


class GuardedBuffer(io.BufferedIOBase):
    """The binary side of a guarded stream: bytes are decoded (UTF-8) and written through the guard."""

    def __init__(self, guard: GuardedStream) -> None:
        super().__init__()
        self._guard = guard
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")

    def write(self, data: ReadableBuffer) -> int:
        raw = bytes(data)
        self._guard.write(self._decoder.decode(raw))
        return len(raw)

    def flush(self) -> None:
        self._guard.flush()

    def writable(self) -> bool:
        return True

    def close(self) -> None:
        self.flush()


_guards: weakref.WeakValueDictionary[int, GuardedStream] = weakref.WeakValueDictionary()


def guarded(stream: TextIO | None) -> TextIO | None:
    """The guard of `stream` (one per stream, so its line state is shared), or the stream if it is one."""
    if stream is None or isinstance(stream, GuardedStream):
        return stream
    # Keyed by id: a guard holds its stream, so the id cannot be reused while the entry lives.
    guard = _guards.get(id(stream))
    if guard is None:
        guard = _guards[id(stream)] = GuardedStream(stream)
    return cast(TextIO, guard)


def install() -> None:
    """Put the guard on whatever standard output and error are now (a test runner's included), with the keys
    the environment holds now."""
    sys.stdout = guarded(sys.stdout)
    sys.stderr = guarded(sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, GuardedStream):
            stream.refresh()


def print_annotations(text: str) -> None:
    """GitHub annotations printed to standard output as the commands they are; any other line is guarded."""
    stream = sys.stdout
    if stream is None:
        return
    for line in text.splitlines():
        if not line.startswith(ANNOTATIONS):
            stream.write(line + "\n")
        elif isinstance(stream, GuardedStream):
            stream.write_commands(line)
        else:
            stream.write(escape_controls(masked(line)) + "\n")
    stream.flush()
