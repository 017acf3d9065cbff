"""The manifest as it was last applied, found in git history by the digest the widget carries.

`wac-applied:<digest>` says what was applied, not what it was; git keeps every version of the
manifest, so the version whose digest matches is the one applied. Drift uses it to tell an edit
made outside git from a change in git that is not applied yet.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final

from reconciler.core.normalise import without_ignored
from reconciler.core.planning import Change
from reconciler.core.resources import ResourceKey
from reconciler.manifests.documents import parse_documents
from reconciler.manifests.validation import LoadedManifest, desired_from, validate_document

VERSIONS_SEARCHED: Final = 50
GIT_TIMEOUT: Final = 10.0


def applied_contents(changes: Iterable[Change]) -> dict[ResourceKey, dict[str, Any]]:
    """For each change whose last applied manifest version is in git history, that version's content."""
    found: dict[ResourceKey, dict[str, Any]] = {}
    for change in changes:
        digest = change.remote_claims.applied if change.remote_claims else None
        # "file:line", then " [instance]" for a template's resource.
        file = (change.source or "").split(" [", 1)[0].rpartition(":")[0]
        if digest and file:
            content = _applied_version(Path(file), change, digest)
            if content is not None:
                found[change.key] = content
    return found


def _applied_version(file: Path, change: Change, digest: str) -> dict[str, Any] | None:
    folder = file.parent if file.parent != Path("") else Path(".")
    commits = _git(folder, "log", f"-n{VERSIONS_SEARCHED}", "--format=%H", "--", file.name)
    for commit in (commits or "").split():
        text = _git(folder, "show", f"{commit}:./{file.name}")
        if text is None:
            continue
        documents, problems = parse_documents(text)
        for document in documents if not problems else []:
            loaded = validate_document(str(file), document)
            if not isinstance(loaded, LoadedManifest):
                continue
            for version in desired_from(loaded):
                if version.key == change.key and version.digest() == digest:
                    return without_ignored(version.content, change.ignore)
    return None


def _git(folder: Path, *args: str) -> str | None:
    """A git command's output, or None when git is missing, the folder is no repository, or it fails."""
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=GIT_TIMEOUT, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None
