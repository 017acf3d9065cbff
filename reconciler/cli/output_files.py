"""Writing files for the user: whole or not at all, masked and inert, through a symlink, never over a FIFO or device."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path


class OutputError(ValueError):
    """A file could not be written; the sentence names it and why."""


def write_text(path: Path, text: str) -> None:
    """Write via a temporary file and a rename, so a reader never sees half a file.

    A symlink is written through (its target replaced, the link kept); a path that is a FIFO, a
    device or a directory is refused rather than replaced or blocked on. The text is written masked
    (keys, share tokens) and inert (no line a CI runner would run), as everything wac prints is.
    """
    from reconciler.cli.output_guard import inert_file_text

    text = inert_file_text(text)
    target = _target(path)
    mode = _mode_for(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _target(path: Path) -> Path:
    if path.is_symlink():
        try:
            path = Path(os.path.realpath(path, strict=True))
        except FileNotFoundError:
            path = Path(os.path.realpath(path))  # a dangling link: create what it points to
        except (OSError, RuntimeError):
            raise OutputError(f"cannot write {path}: the symlink loops or cannot be followed") from None
    try:
        kind = os.stat(path).st_mode
    except FileNotFoundError:
        return path
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from None
    if not stat.S_ISREG(kind):
        what = "a directory" if stat.S_ISDIR(kind) else "a FIFO" if stat.S_ISFIFO(kind) else "a device or socket"
        raise OutputError(f"cannot write {path}: it is {what}, not a regular file; name a file to write")
    return path


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def link_problem(directory: Path, paths: Iterable[str], writer: str) -> str | None:
    """Why `writer` must not write these paths (relative to `directory`): one of them, or a folder on the way to
    it, is a symlink (dangling or not; writing through it lands outside `directory`) or a file where a folder is
    needed. `directory` itself may be a link the user made; only what is inside it is checked."""
    for relative in paths:
        parts = Path(relative).parts
        for depth in range(1, len(parts) + 1):
            path = directory.joinpath(*parts[:depth])
            if path.is_symlink():
                return (
                    f"{path} is a symbolic link; {writer} writes only real files and folders inside {directory},"
                    " so nothing was written. Remove the link, or write somewhere else."
                )
            if depth < len(parts) and path.exists() and not path.is_dir():
                return f"{path} is a file where {writer} needs a folder; nothing was written."
    return None
