"""Finding and reading manifest files from disk; the only part of validation that touches files."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

from reconciler.core.problems import Problem
from reconciler.manifests.documents import Document, parse_documents
from reconciler.manifests.references import reference_problems, with_tokens
from reconciler.manifests.templates import Fragment, FragmentReader, FragmentsTooLarge, Scalar, expand
from reconciler.manifests.validation import (
    LoadedManifest,
    duplicate_adopt_problems,
    duplicate_id_problems,
    moved_from,
    moved_from_problems,
    validate_document,
)

MAX_FILE_BYTES: Final = 1024 * 1024
SUFFIXES: Final = (".yaml", ".yml")
FRAGMENT: Final = "fragment"
# Values fragments may inline into one document, as many as one document may hold (MAX_NODES_PER_DOCUMENT).
MAX_INLINED: Final = 100_000


@dataclass(frozen=True)
class LoadResult:
    manifests: tuple[LoadedManifest, ...]
    problems: tuple[Problem, ...]
    # (path, sha256 of its bytes) of every file read: a saved plan records them and apply checks them.
    files: tuple[tuple[str, str], ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def load_manifests(
    paths: Iterable[str | Path],
    values: Mapping[str, Scalar] | None = None,
    environment: str | None = None,
    environments: tuple[str, ...] | None = None,
) -> LoadResult:
    """Every manifest under `paths` (directories recursively, hidden folders skipped), or all problems; `values`
    are the chosen `environment`'s, for templates."""
    paths = list(paths)
    files, problems, walked = discover(paths)
    manifests: list[LoadedManifest] = []
    digests: list[tuple[str, str]] = []
    fragments = FragmentFiles(_repositories(paths), values, environment, environments)
    for file in files:
        file_manifests, file_problems, digest = read_file(file, fragments, walked.get(file))
        manifests.extend(file_manifests)
        problems.extend(file_problems)
        digests.append((file, digest))
    digests.extend(sorted((f, d) for f, d in fragments.used().items() if f not in files))
    problems.extend(duplicate_id_problems(manifests))
    problems.extend(duplicate_adopt_problems(manifests))
    problems.extend(moved_from_problems(manifests))
    problems.extend(reference_problems(manifests, others=bool(problems)))
    return LoadResult(tuple(manifests), tuple(sorted(problems)), tuple(digests))


def _repositories(paths: Iterable[str | Path]) -> tuple[Path, ...]:
    """Where fragments may come from: the folder commands run in (the repository's root) and, for manifests
    outside it, each folder given that holds them (never a folder above what was given)."""
    here = Path(os.path.abspath(Path.cwd()))
    given = [Path(os.path.abspath(p)) for p in paths]
    return (here, *(p if p.is_dir() else p.parent for p in given if not p.is_relative_to(here)))


def discover(paths: Iterable[str | Path]) -> tuple[list[str], list[Problem], dict[str, Path]]:
    """The manifest files under `paths`, what is wrong with them, and for each found by walking a folder the
    root it must really be in (checked again on the file opened: a link swapped meanwhile is refused)."""
    files: list[str] = []
    problems: list[Problem] = []
    walked: dict[str, Path] = {}
    for raw in paths:
        path = Path(raw)
        try:
            found, problem, root = _found(path, problems)
        except OSError as exc:  # a name too long, a folder that cannot be read
            found, problem, root = [], f"cannot be read: {exc.strerror or type(exc).__name__}", None
        # A file named on the command line is read wherever it leads (no root): the user chose it.
        for file in found:
            refused = _outside(file, root) if root is not None else None
            if refused:
                problems.append(Problem(file, 1, 1, refused))
            else:
                files.append(file)
                if root is not None:
                    walked.setdefault(file, root)
        if problem:
            problems.append(Problem(_shown(path), 1, 1, problem))
    return _once_each(files), problems, walked


def _once_each(files: Iterable[str]) -> list[str]:
    """Each file once, however many paths (links, folders given twice) lead to it: the first path found."""
    seen: set[str] = set()
    result = []
    for file in dict.fromkeys(files):
        real = os.path.realpath(file)
        if real not in seen:
            seen.add(real)
            result.append(file)
    return result


_OUTSIDE: Final = (
    "a symbolic link (this file or folder, or a folder on the way to it) to somewhere outside the repository; a"
    " folder's manifests are read only from inside it (name a file itself to read it anyway)"
)


def _outside(path: str | Path, root: Path) -> str | None:
    """Why `path` may not be read as found in a folder of `root`: every link on the way followed, it is
    elsewhere, or it cannot be followed to its end (a loop, too long a name: the reader might still reach
    something through it); None when it is inside."""
    try:
        real = Path(os.path.realpath(path, strict=True))
    except (OSError, RuntimeError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        return f"cannot read the file: its path cannot be followed to its end ({reason})"
    return None if real.is_relative_to(root) else _OUTSIDE


def _walked_root(folder: Path) -> Path:
    """Where the files found in `folder` must really be: inside the repository (the folder commands run in) for
    a folder in it, else inside the folder itself; links are followed to the end on both sides, so a pull
    request adding `widgets -> ~/.ssh` or `widgets/x.yaml -> ~/.netrc` gets a refusal, never that file read
    (and its text quoted in problems)."""
    here = Path(os.path.abspath(Path.cwd()))
    given = Path(os.path.abspath(folder))
    # The shell's name for this folder too ($PWD, through links the system's name resolves): `$PWD/widgets`.
    shell = os.environ.get("PWD", "")
    names = [here, Path(shell)] if shell and os.path.realpath(shell) == str(here.resolve()) else [here]
    inside = any(given.is_relative_to(name) for name in names)
    return Path(os.path.realpath(here if inside else given))


def _found(path: Path, problems: list[Problem]) -> tuple[list[str], str | None, Path | None]:
    """The manifest files at `path`, what is wrong with it when there are none, and for a folder the root its
    files must really be in; what is wrong below it (a folder that cannot be read) goes into `problems`."""
    if path.is_dir():
        root = _walked_root(path)
        refused = _outside(path, root)
        if refused:
            return [], refused, root
        found = sorted(_walk(path, root, problems))
        return found, None if found else "no manifests here: the directory has no *.yaml or *.yml files", root
    if path.is_file():
        return [_shown(path)], None, None
    return [], "no such file or directory", None


def _walk(top: Path, root: Path, problems: list[Problem]) -> Iterable[str]:
    """The manifest files under `top`, hidden ones skipped; a linked folder is walked into when it leads inside
    `root` (each real folder once, so a link back up ends); one leading outside is yielded itself, never
    walked (a link to `/` must not read the disk), so it is named."""
    visited: set[str] = set()

    def unreadable(error: OSError) -> None:
        where = _shown(Path(error.filename)) if error.filename else _shown(top)
        problems.append(Problem(where, 1, 1, f"cannot be read: {error.strerror or type(error).__name__}"))

    for folder, subfolders, names in os.walk(top, followlinks=True, onerror=unreadable):
        if _outside(folder, root):
            subfolders[:] = []
            yield _shown(Path(folder))
            continue
        real = os.path.realpath(folder)
        subfolders[:] = [] if real in visited else sorted(d for d in subfolders if not d.startswith("."))
        if real in visited:
            continue
        visited.add(real)
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
    manifests, problems, _ = read_file(file, FragmentFiles())
    return manifests, problems


def read_file(
    file: str, fragments: FragmentFiles, root: Path | None = None
) -> tuple[list[LoadedManifest], list[Problem], str]:
    """The file's manifests and problems, and the sha256 of the bytes they came from ("" if unread); with
    `root`, the file opened must really be inside it."""
    manifests, problems, raw = _read(file, fragments, root)
    return manifests, problems, hashlib.sha256(raw).hexdigest() if raw is not None else ""


def _read_bytes(file: str, root: Path | None = None) -> tuple[bytes | None, Problem | None]:
    try:
        with open(file, "rb") as handle:
            if root is not None and not _opened_inside(handle.fileno(), file, root):
                return None, Problem(file, 1, 1, _OUTSIDE)
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_FILE_BYTES:
                message = (
                    f"file is {size:,} bytes; manifest files are limited to {MAX_FILE_BYTES:,} bytes"
                    " (split it into several files)"
                )
                return None, Problem(file, 1, 1, message)
            raw = handle.read(MAX_FILE_BYTES + 1)
            if len(raw) > MAX_FILE_BYTES:  # grown since fstat
                return None, Problem(file, 1, 1, f"manifest files are limited to {MAX_FILE_BYTES:,} bytes")
            return raw, None
    except OSError as exc:
        return None, Problem(file, 1, 1, f"cannot read the file: {exc.strerror or exc}")


def _opened_inside(descriptor: int, file: str, root: Path) -> bool:
    """Whether the file opened is the one `file` names now, inside `root`: checking the path and then opening
    it are two steps, and a link swapped between them must not get a file elsewhere read."""
    opened = os.fstat(descriptor)
    try:
        real = os.path.realpath(file, strict=True)
        named = os.stat(real)
    except (OSError, RuntimeError, ValueError):
        return False
    same = (named.st_dev, named.st_ino) == (opened.st_dev, opened.st_ino)
    return same and Path(real).is_relative_to(root)


def _read(
    file: str, fragments: FragmentFiles, root: Path | None = None
) -> tuple[list[LoadedManifest], list[Problem], bytes | None]:
    raw, problem = _read_bytes(file, root)
    if raw is None:
        return [], [problem] if problem else [], None
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
    if len(documents) == 1 and is_fragment(documents[0].data):
        return manifests, problems, raw  # used by `$ref` from manifests, never a manifest itself
    # Most files use no fragment: their documents are not walked for one.
    reader = fragments.read if "$ref" in text else None
    for document in documents:
        found, more = _validated(file, document, reader, fragments)
        manifests.extend(found)
        problems.extend(more)
    if not documents and not problems:
        problems.append(Problem(file, 1, 1, "the file holds no manifest"))
    return manifests, problems, raw


def _validated(
    file: str, document: Document, reader: FragmentReader | None, fragments: FragmentFiles
) -> tuple[list[LoadedManifest], list[Problem]]:
    """The document's resources after its fragments and template, each validated by its kind."""
    fragments.budget = MAX_INLINED
    expanded, problems, _ = expand(
        file, document, reader, fragments.values, fragments.environment, fragments.known_environments
    )
    manifests: list[LoadedManifest] = []
    for one in expanded:
        templated = one.instance is not None or one.locator.places or fragments.values
        data, moved, moved_problems = moved_from(one.data, one.locator)
        data, references, refused = with_tokens(data, one.locator)
        shaped = Document(data, document.root, document.line)
        result = validate_document(file, shaped, one.locator if templated else None, one.instance)
        problems.extend(moved_problems + refused)
        if not isinstance(result, LoadedManifest):
            problems.extend(result)
        elif not refused:
            manifests.append(replace(result, moved_from=moved, references=references, data=one.data))
    return manifests, problems


def _size(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(_size(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(_size(v) for v in value)
    return 1


def _link_on_the_way(folder: Path, candidate: Path) -> Path | None:
    """The first symbolic link between what `folder` and `candidate` share and the candidate itself, if any."""
    shared = Path(os.path.commonpath([folder, candidate]))
    path = shared
    for part in candidate.relative_to(shared).parts:
        path = path / part
        if path.is_symlink():
            return path
    return None


def is_fragment(data: Any) -> bool:
    """A fragment file holds one document, `fragment: <any value>`, and nothing else."""
    return isinstance(data, dict) and set(data) == {FRAGMENT}


class FragmentFiles:
    """Reads the fragments `$ref` names, once each per run, only from inside the repository, and keeps digests."""

    def __init__(
        self,
        roots: tuple[Path, ...] = (),
        values: Mapping[str, Scalar] | None = None,
        environment: str | None = None,
        known_environments: tuple[str, ...] | None = None,
    ) -> None:
        self.values = values
        self.environment = environment
        # Every environment .wac.yaml defines, when known: an instance's `environments:` may name no other.
        self.known_environments = known_environments
        self.roots = roots or (Path(os.path.abspath(Path.cwd())),)
        # Values inlined into the document being expanded: fragments using fragments cannot fan out unbounded.
        self.budget = MAX_INLINED
        self._read: dict[Path, Fragment | str] = {}
        self._used: dict[tuple[Path, str], Fragment | str] = {}
        self._digests: dict[str, str] = {}

    def used(self) -> dict[str, str]:
        """Every fragment file read, by its shown path, with the sha256 of its bytes."""
        return dict(self._digests)

    def read(self, referrer: str, target: str) -> Fragment | str:
        folder = Path(os.path.abspath(referrer)).parent
        found = self._used.get((folder, target))
        if found is None:
            found = self._used[(folder, target)] = self._found(folder, target)
        if isinstance(found, Fragment):
            self.budget -= found.size
            if self.budget < 0:
                raise FragmentsTooLarge(
                    f"the fragments used here inline more than {MAX_INLINED:,} values (a fragment used many times"
                    " by fragments used many times?); a manifest is far smaller, so this is refused"
                )
        return found

    def _found(self, folder: Path, target: str) -> Fragment | str:
        if not target.endswith(SUFFIXES) or target.startswith(("/", "~")) or "\\" in target:
            return f"$ref '{target[:200]}' must be a relative path to a .yaml or .yml fragment file"
        # Normalised, not resolved: `..` may not climb out, while a folder linked in above the manifests (as the
        # manifests' own folder may be) stays usable; below it, no link is followed (see _link_on_the_way).
        candidate = Path(os.path.normpath(folder / target))
        root = next((r for r in self.roots if folder.is_relative_to(r)), None)
        if root is None or not candidate.is_relative_to(root):
            return f"$ref '{target[:200]}' leads outside the repository; fragments live inside it"
        link = _link_on_the_way(folder, candidate)
        if link is not None:
            return f"$ref '{target[:200]}' goes through the symbolic link {_shown(link)}; fragments are real files"
        if candidate not in self._read:
            # No link below what folder and fragment share, so the file opened must really be under it.
            shared = Path(os.path.realpath(os.path.commonpath([folder, candidate])))
            self._read[candidate] = self._load(candidate, target, shared)
        return self._read[candidate]

    def _load(self, path: Path, target: str, within: Path) -> Fragment | str:
        shown = _shown(path)
        if not path.is_file():
            return f"$ref '{target[:200]}': no such fragment file ({shown})"
        raw, problem = _read_bytes(str(path), within)
        if raw is None:
            return f"$ref '{target[:200]}': {problem.message if problem else 'cannot be read'}"
        self._digests[shown] = hashlib.sha256(raw).hexdigest()
        try:
            documents, located = parse_documents(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            return f"$ref '{target[:200]}': {shown} is not UTF-8 text"
        if located:
            return f"$ref '{target[:200]}': {shown}:{located[0].line}: {located[0].message}"
        if len(documents) != 1 or not is_fragment(documents[0].data):
            return f"$ref '{target[:200]}': {shown} is not a fragment (one document holding only `fragment:`)"
        (value_node,) = [v for k, v in documents[0].root.value if k.value == FRAGMENT]
        value = documents[0].data[FRAGMENT]
        return Fragment(shown, value, value_node, _size(value))
