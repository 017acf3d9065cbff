"""Finding and reading manifest files from disk; the only part of validation that touches files."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from reconciler.core.problems import Problem
from reconciler.manifests.documents import parse_documents
from reconciler.manifests.validation import (
    LoadedManifest,
    duplicate_adopt_problems,
    duplicate_id_problems,
    validate_document,
)

MAX_FILE_BYTES: Final = 1024 * 1024
SUFFIXES: Final = (".yaml", ".yml")


@dataclass(frozen=True)
class LoadResult:
    manifests: tuple[LoadedManifest, ...]
    problems: tuple[Problem, ...]
    # (path, sha256 of its bytes) of every file read: a saved plan records them and apply checks them.
    files: tuple[tuple[str, str], ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def load_manifests(paths: Iterable[str | Path]) -> LoadResult:
    """Every manifest under `paths` (directories recursively, hidden folders skipped), or all problems."""
    files, problems = discover(paths)
    manifests: list[LoadedManifest] = []
    digests: list[tuple[str, str]] = []
    for file in files:
        file_manifests, file_problems, digest = read_file(file)
        manifests.extend(file_manifests)
        problems.extend(file_problems)
        digests.append((file, digest))
    problems.extend(duplicate_id_problems(manifests))
    problems.extend(duplicate_adopt_problems(manifests))
    return LoadResult(tuple(manifests), tuple(sorted(problems)), tuple(digests))


def discover(paths: Iterable[str | Path]) -> tuple[list[str], list[Problem]]:
    files: list[str] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        try:
            found, problem = _found(path)
        except OSError as exc:  # a name too long, a folder that cannot be read
            found, problem = [], f"cannot be read: {exc.strerror or type(exc).__name__}"
        files.extend(found)
        if problem:
            problems.append(Problem(_shown(path), 1, 1, problem))
    return list(dict.fromkeys(files)), problems


def _found(path: Path) -> tuple[list[str], str | None]:
    """The manifest files at `path`, and what is wrong with it when there are none."""
    if path.is_dir():
        found = sorted(_walk(path))
        return found, None if found else "no manifests here: the directory has no *.yaml or *.yml files"
    if path.is_file():
        return [_shown(path)], None
    return [], "no such file or directory"


def _walk(root: Path) -> Iterable[str]:
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        for name in names:
            if name.endswith(SUFFIXES) and not name.startswith("."):
                yield _shown(Path(folder) / name)


def _shown(path: Path) -> str:
    """Paths as the user wrote them, relative when inside the working directory (GitHub needs that)."""
    # abspath, not resolve(): a symlink loop must reach load_file and be reported there.
    try:
        return Path(os.path.abspath(path)).relative_to(os.getcwd()).as_posix()
    except ValueError:
        return path.as_posix()


def load_file(file: str) -> tuple[list[LoadedManifest], list[Problem]]:
    manifests, problems, _ = read_file(file)
    return manifests, problems


def read_file(file: str) -> tuple[list[LoadedManifest], list[Problem], str]:
    """The file's manifests and problems, and the sha256 of the bytes they came from ("" if unread)."""
    manifests, problems, raw = _read(file)
    return manifests, problems, hashlib.sha256(raw).hexdigest() if raw is not None else ""


def _read(file: str) -> tuple[list[LoadedManifest], list[Problem], bytes | None]:
    try:
        size = os.path.getsize(file)
        if size > MAX_FILE_BYTES:
            return (
                [],
                [
                    Problem(
                        file,
                        1,
                        1,
                        f"file is {size:,} bytes; manifest files are limited to"
                        f" {MAX_FILE_BYTES:,} bytes (split it into several files)",
                    )
                ],
                None,
            )
        raw = Path(file).read_bytes()
    except OSError as exc:
        return [], [Problem(file, 1, 1, f"cannot read the file: {exc.strerror or exc}")], None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        message = f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
        return [], [Problem(file, line, column, message)], raw
    documents, located = parse_documents(text)
    problems = [Problem(file, p.line, p.column, p.message) for p in located]
    manifests: list[LoadedManifest] = []
    for document in documents:
        result = validate_document(file, document)
        if isinstance(result, LoadedManifest):
            manifests.append(result)
        else:
            problems.extend(result)
    if not documents and not problems:
        problems.append(Problem(file, 1, 1, "the file holds no manifest"))
    return manifests, problems, raw
