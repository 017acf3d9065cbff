"""Dashboards already read, kept by id and `modified_at`, so a plan fetches only what changed.

The cache is a saving, never a source of truth, and it can never cause a write:
- only `plan` and `drift` use it (a run is given a cache folder only then); `apply` always reads afresh;
- an entry is used only when the listing shows the same `modified_at` for the same id, its body is that
  dashboard (checked like an API answer) and its marker names exactly this owner; any other is dropped;
- it holds only the dashboards this owner manages, never a share token or anything shaped like one (a
  dashboard whose text holds one is not cached), and no other team's dashboards;
- it lives in the user's cache folder (`WAC_CACHE_DIR`, else `$XDG_CACHE_HOME/widgets-as-code`, else
  `~/.cache/widgets-as-code`), one file per site and owner, where a repository cannot plant it; a file git
  tracks is refused.
A cache that cannot be read is ignored; it is written whole, to a temporary file moved into place.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Final

from reconciler.backends.datadog_dashboards.answers import checked_dashboard
from reconciler.backends.datadog_dashboards.marker import split, without_share
from reconciler.backends.datadog_dashboards.vocabulary import SHARE_TOKEN_IN_TEXT
from reconciler.core.backend import BackendError

log = logging.getLogger(__name__)
FORMAT: Final = 2
MAX_BYTES: Final = 256 * 1024 * 1024


def cache_file(folder: Path, site: str, owner: str) -> Path:
    """One file per site and owner, named by a digest so neither can shape the path."""
    digest = hashlib.sha256(f"{site}\n{owner}".encode()).hexdigest()[:16]
    return folder / f"dashboards-{digest}.json"


class DashboardCache:
    def __init__(self, path: Path | None, owner: str) -> None:
        self.path = path
        self.owner = owner
        self.entries: dict[str, dict[str, Any]] = {}
        self.changed = False
        if path is not None and _tracked_by_git(path):
            log.warning(
                "not using the dashboards cache %s: git tracks it, and a cache must not come from a repository", path
            )
            self.path = None
        if self.path is not None:
            self.entries = _read(self.path, owner)

    def get(self, dashboard_id: str, modified_at: str) -> dict[str, Any] | None:
        """The cached body of this dashboard at this version, when it is still a checked body of this owner's."""
        entry = self.entries.get(dashboard_id)
        if entry is None or entry.get("modified_at") != modified_at:
            return None
        try:
            body = checked_dashboard(entry.get("body"), f"cached dashboard {dashboard_id}", dashboard_id)
        except BackendError:
            body = None
        if body is None or body.get("modified_at") != modified_at or not self._mine(body):
            self._drop(dashboard_id)
            return None
        return body

    def put(self, body: dict[str, Any]) -> None:
        """Keeps a checked dashboard of this owner's, unless its text holds anything shaped like a share token."""
        if not self._mine(body):
            return
        kept = {**body, "description": without_share(body.get("description"))}
        if SHARE_TOKEN_IN_TEXT.search(json.dumps(kept, ensure_ascii=False)):
            self._drop(str(body["id"]))
            return
        self.entries[str(body["id"])] = {"modified_at": body.get("modified_at"), "body": kept}
        self.changed = True

    def keep_only(self, ids: set[str]) -> None:
        """Forget dashboards this owner's listing no longer shows."""
        for dashboard_id in set(self.entries) - ids:
            self._drop(dashboard_id)

    def save(self) -> None:
        if self.path is None or not self.changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        except OSError:
            return  # a cache that cannot be written is only a lost saving
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump({"format": FORMAT, "owner": self.owner, "dashboards": self.entries}, out)
            os.replace(temporary, self.path)
        except OSError:
            Path(temporary).unlink(missing_ok=True)

    def _mine(self, body: dict[str, Any]) -> bool:
        claims = split(body.get("description"))[1]
        return claims.owner == self.owner and claims.manifest_id is not None

    def _drop(self, dashboard_id: str) -> None:
        if self.entries.pop(dashboard_id, None) is not None:
            self.changed = True


def _read(path: Path, owner: str) -> dict[str, dict[str, Any]]:
    try:
        if not path.is_file() or path.stat().st_size > MAX_BYTES:
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("owner") != owner:
        return {}
    entries = data.get("dashboards")
    if not isinstance(entries, dict):
        return {}
    return {k: v for k, v in entries.items() if isinstance(k, str) and isinstance(v, dict)}


def _tracked_by_git(path: Path) -> bool:
    """True when the file is inside a git work tree and git tracks it, or cannot say that it does not."""
    folder = path.parent.resolve()
    if not any((parent / ".git").exists() for parent in (folder, *folder.parents)):
        return False
    try:
        answer = subprocess.run(
            ["git", "-C", str(folder), "ls-files", "--error-unmatch", "--", path.name],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return True
    # Only 1 says "not tracked"; git refusing the repository (dubious ownership, say) says nothing of the file.
    return answer.returncode != 1
