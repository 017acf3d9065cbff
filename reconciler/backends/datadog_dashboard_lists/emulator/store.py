"""Dashboard lists and their members in SQLite; a member's title and url are read from the dashboards the same
state file holds, by SQL, so a list shows a dashboard as it is now (and no longer once it is deleted)."""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from reconciler.backends.emulator_state import open_state

Document = dict[str, Any]

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS datadog_dashboard_lists (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    document TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS datadog_dashboard_list_items (
    list_id INTEGER NOT NULL,
    dashboard_id TEXT NOT NULL,
    type TEXT NOT NULL,
    seq INTEGER NOT NULL,
    PRIMARY KEY (list_id, dashboard_id)
);
-- A list's members are read in the order they were added, by index, whatever the number of lists.
CREATE INDEX IF NOT EXISTS datadog_dashboard_list_items_by_seq ON datadog_dashboard_list_items (list_id, seq);
"""
# The dashboards emulator's tables in the shared file (its API's storage, read only here): absent when the
# lists emulator runs alone, which then keeps what it was told of each member.
DASHBOARDS: Final = "datadog_dashboards"
SHARES: Final = "datadog_dashboard_shares"


def now_iso() -> str:
    """As Datadog writes it: microseconds and `+00:00`."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Dashboard:
    """A member as the dashboards table has it: None fields when the table does not know it."""

    document: Document | None
    shared: bool


class ListStore:
    def __init__(self, path: str | Path = ":memory:") -> None:
        self._lock = threading.Lock()
        self._db = open_state(path, _SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def insert(self, document: Document) -> int:
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO datadog_dashboard_lists (document) VALUES (?)", (json.dumps(document),)
            )
        return int(cursor.lastrowid or 0)

    def get(self, list_id: int) -> Document | None:
        with self._lock:
            row = self._db.execute("SELECT document FROM datadog_dashboard_lists WHERE id = ?", (list_id,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def every(self) -> list[tuple[int, Document]]:
        """Every list, newest first (as the recordings list them)."""
        with self._lock:
            rows = self._db.execute("SELECT id, document FROM datadog_dashboard_lists ORDER BY id DESC").fetchall()
        return [(int(row[0]), json.loads(row[1])) for row in rows]

    def replace(self, list_id: int, document: Document) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE datadog_dashboard_lists SET document = ? WHERE id = ?", (json.dumps(document), list_id)
            )

    def delete(self, list_id: int) -> bool:
        with self._lock:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM datadog_dashboard_list_items WHERE list_id = ?", (list_id,))
            gone = self._db.execute("DELETE FROM datadog_dashboard_lists WHERE id = ?", (list_id,)).rowcount
            self._db.execute("COMMIT")
        return bool(gone)

    # members ---------------------------------------------------------------

    def add(self, list_id: int, members: list[tuple[str, str]]) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            self._add(list_id, members)
            self._db.execute("COMMIT")

    def _add(self, list_id: int, members: list[tuple[str, str]]) -> None:
        for dashboard_id, kind in members:
            self._db.execute(
                "INSERT INTO datadog_dashboard_list_items (list_id, dashboard_id, type, seq) VALUES (?, ?, ?,"
                " (SELECT COALESCE(MAX(seq), 0) + 1 FROM datadog_dashboard_list_items WHERE list_id = ?))"
                " ON CONFLICT (list_id, dashboard_id) DO UPDATE SET type = excluded.type",
                (list_id, dashboard_id, kind, list_id),
            )

    def remove(self, list_id: int, dashboard_ids: list[str]) -> None:
        with self._lock:
            self._db.executemany(
                "DELETE FROM datadog_dashboard_list_items WHERE list_id = ? AND dashboard_id = ?",
                [(list_id, d) for d in dashboard_ids],
            )

    def set_members(self, list_id: int, members: list[tuple[str, str]]) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM datadog_dashboard_list_items WHERE list_id = ?", (list_id,))
            self._add(list_id, members)
            self._db.execute("COMMIT")

    def members(self, list_id: int) -> list[tuple[str, str, Dashboard]]:
        """The list's live members in the order they were added: (id, type, the dashboard as its table has it)."""
        with self._lock:
            known = self._has(DASHBOARDS)
            shared = self._has(SHARES)
            if not known:
                rows = self._db.execute(
                    "SELECT dashboard_id, type, NULL, NULL FROM datadog_dashboard_list_items WHERE list_id = ?"
                    " ORDER BY seq",
                    (list_id,),
                ).fetchall()
                return [(row[0], row[1], Dashboard(None, False)) for row in rows]
            share = f"EXISTS (SELECT 1 FROM {SHARES} s WHERE s.dashboard_id = i.dashboard_id)" if shared else "0"
            rows = self._db.execute(
                f"SELECT i.dashboard_id, i.type, d.document, {share} FROM datadog_dashboard_list_items i"
                f" JOIN {DASHBOARDS} d ON d.id = i.dashboard_id AND d.deleted_at IS NULL"
                " WHERE i.list_id = ? ORDER BY i.seq",
                (list_id,),
            ).fetchall()
        return [(row[0], row[1], Dashboard(json.loads(row[2]), bool(row[3]))) for row in rows]

    def counts(self) -> dict[int, int]:
        """How many live members each list has (lists with none are absent)."""
        with self._lock:
            live = (
                f" JOIN {DASHBOARDS} d ON d.id = i.dashboard_id AND d.deleted_at IS NULL"
                if self._has(DASHBOARDS)
                else ""
            )
            rows = self._db.execute(
                f"SELECT i.list_id, COUNT(*) FROM datadog_dashboard_list_items i{live} GROUP BY i.list_id"
            ).fetchall()
        return {int(row[0]): int(row[1]) for row in rows}

    def dashboard_exists(self, dashboard_id: str) -> bool:
        """Whether the dashboards table holds this live dashboard; True when there is no such table to ask."""
        with self._lock:
            if not self._has(DASHBOARDS):
                return True
            row = self._db.execute(
                f"SELECT 1 FROM {DASHBOARDS} WHERE id = ? AND deleted_at IS NULL", (dashboard_id,)
            ).fetchone()
        return row is not None

    def _has(self, table: str) -> bool:
        try:
            found = self._db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,))
            return found.fetchone() is not None
        except sqlite3.Error:
            return False
