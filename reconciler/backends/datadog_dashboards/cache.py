"""Dashboards already read, kept under `.wac/` by id and `modified_at`, so a plan fetches only what changed.

The cache is a saving, never a source of truth: an entry is used only when the listing shows the
same `modified_at` for the same id, every entry is checked like an API answer, and a cache that
cannot be read is ignored. It is written whole, to a temporary file moved into place.

It never holds a share token: CI keeps this file (actions/cache), and a token is read from the
listing each run anyway.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Final

from reconciler.backends.datadog_dashboards.marker import without_share

FORMAT: Final = 1
MAX_BYTES: Final = 256 * 1024 * 1024


class DashboardCache:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[str, dict[str, Any]] = {}
        self.changed = False
        if path is not None:
            self.entries = _read(path)

    def get(self, dashboard_id: str, modified_at: str) -> dict[str, Any] | None:
        entry = self.entries.get(dashboard_id)
        if entry is None or entry.get("modified_at") != modified_at or not isinstance(entry.get("body"), dict):
            return None
        body: dict[str, Any] = entry["body"]
        return body

    def put(self, body: dict[str, Any]) -> None:
        kept = {**body, "description": without_share(body.get("description"))} if "description" in body else body
        self.entries[str(body["id"])] = {"modified_at": body.get("modified_at"), "body": kept}
        self.changed = True

    def keep_only(self, ids: set[str]) -> None:
        """Forget dashboards the listing no longer shows."""
        gone = set(self.entries) - ids
        for dashboard_id in gone:
            del self.entries[dashboard_id]
        self.changed = self.changed or bool(gone)

    def save(self) -> None:
        if self.path is None or not self.changed:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump({"format": FORMAT, "dashboards": self.entries}, out)
            os.replace(temporary, self.path)
        except OSError:
            Path(temporary).unlink(missing_ok=True)  # a cache that cannot be written is only a lost saving


def _read(path: Path) -> dict[str, dict[str, Any]]:
    try:
        if not path.is_file() or path.stat().st_size > MAX_BYTES:
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("dashboards"), dict):
        return {}
    return {k: v for k, v in data["dashboards"].items() if isinstance(k, str) and isinstance(v, dict)}
