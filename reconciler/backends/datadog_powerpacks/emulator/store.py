"""Powerpacks in SQLite, one JSON document each, over the file every emulator shares; pages read by index."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from reconciler.backends.emulation.principals import POLICY_TABLE
from reconciler.backends.emulator_state import open_state

Document = dict[str, Any]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS datadog_powerpacks (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    document TEXT NOT NULL
);
-- Pages are read in creation order and a create takes the next seq: both by index, so a page or an insert
-- costs the same with 10 or 100,000 powerpacks stored.
CREATE INDEX IF NOT EXISTS datadog_powerpacks_by_seq ON datadog_powerpacks (seq);
CREATE TABLE IF NOT EXISTS datadog_powerpack_users (
    id TEXT PRIMARY KEY,
    document TEXT NOT NULL
);
"""


class PowerpackStore:
    def __init__(self, path: str | Path = ":memory:") -> None:
        self._lock = threading.Lock()
        # The restriction policies' table too: the dashboards' emulator serves them, over the same file.
        self._db = open_state(path, _SCHEMA + POLICY_TABLE)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def insert(self, document: Document) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO datadog_powerpacks (id, seq, document) VALUES"
                " (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM datadog_powerpacks), ?)",
                (document["id"], json.dumps(document)),
            )

    def get(self, powerpack_id: str) -> Document | None:
        with self._lock:
            row = self._db.execute("SELECT document FROM datadog_powerpacks WHERE id = ?", (powerpack_id,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def replace(self, document: Document) -> bool:
        with self._lock:
            return bool(
                self._db.execute(
                    "UPDATE datadog_powerpacks SET document = ? WHERE id = ?", (json.dumps(document), document["id"])
                ).rowcount
            )

    def delete(self, powerpack_id: str) -> bool:
        with self._lock:
            return bool(self._db.execute("DELETE FROM datadog_powerpacks WHERE id = ?", (powerpack_id,)).rowcount)

    def page(self, offset: int, limit: int) -> list[Document]:
        """A page of the powerpacks, oldest first; only the page's documents are decoded."""
        with self._lock:
            rows = self._db.execute(
                "SELECT document FROM datadog_powerpacks ORDER BY seq LIMIT ? OFFSET ?", (limit, offset)
            ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def put_user(self, user: Document) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO datadog_powerpack_users (id, document) VALUES (?, ?)",
                (user["id"], json.dumps(user)),
            )

    def users(self, ids: set[str]) -> dict[str, Document]:
        if not ids:
            return {}
        marks = ",".join("?" for _ in ids)
        with self._lock:
            rows = self._db.execute(
                f"SELECT id, document FROM datadog_powerpack_users WHERE id IN ({marks})", tuple(ids)
            ).fetchall()
        return {row[0]: json.loads(row[1]) for row in rows}

    def policy(self, resource_id: str) -> list[Document]:
        """The bindings of the resource's restriction policy; empty when it has none."""
        with self._lock:
            row = self._db.execute(
                "SELECT bindings FROM datadog_restriction_policies WHERE resource_id = ?", (resource_id,)
            ).fetchone()
        return [] if row is None else list(json.loads(row[0]))
