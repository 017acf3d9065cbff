"""Custom widgets in SQLite, one JSON document each, isolated by domain; hard deletes."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reconciler.backends.emulator_state import open_state

Document = dict[str, Any]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS spaceone_custom_widgets (
    custom_widget_id TEXT PRIMARY KEY,
    domain_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    document TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS spaceone_custom_widgets_domain ON spaceone_custom_widgets (domain_id, seq);
"""


def now_iso() -> str:
    """python-core's `datetime_to_iso8601`: milliseconds and a `Z`."""
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


class CustomWidgetStore:
    """Every read and write under one lock over one SQLite connection (the file may be shared)."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self._lock = threading.Lock()
        self._db = open_state(path, _SCHEMA)
        self._writes = 0

    def version(self) -> tuple[int, int]:
        """Changes whenever any widget does: this store's own writes, and (SQLite's `data_version`) another
        process's writes to a shared file. What a list's pages are computed once per version for."""
        with self._lock:
            (other,) = self._db.execute("PRAGMA data_version").fetchone()
            return self._writes, int(other)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def all(self, domain_id: str) -> list[Document]:
        """The domain's widgets, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT document FROM spaceone_custom_widgets WHERE domain_id = ? ORDER BY seq", (domain_id,)
            ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def texts(self, domain_id: str) -> list[str]:
        """The domain's widgets as stored JSON, by custom_widget_id (the primary key's order): each is decoded
        by the caller one at a time, so a listing never holds every widget decoded at once."""
        with self._lock:
            rows = self._db.execute(
                "SELECT document FROM spaceone_custom_widgets WHERE domain_id = ? ORDER BY custom_widget_id",
                (domain_id,),
            ).fetchall()
        return [row[0] for row in rows]

    def get(self, domain_id: str, custom_widget_id: str) -> Document | None:
        with self._lock:
            row = self._db.execute(
                "SELECT document FROM spaceone_custom_widgets WHERE custom_widget_id = ? AND domain_id = ?",
                (custom_widget_id, domain_id),
            ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def create(self, fields: Document, user_id: str, domain_id: str) -> Document:
        stamp = now_iso()
        document = {
            "custom_widget_id": f"custom-widget-{secrets.token_hex(6)}",
            **fields,
            "user_id": user_id,
            "domain_id": domain_id,
            "created_at": stamp,
            "updated_at": stamp,
        }
        with self._lock:
            self._write(
                "INSERT INTO spaceone_custom_widgets (custom_widget_id, domain_id, seq, document) VALUES"
                " (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM spaceone_custom_widgets), ?)",
                (document["custom_widget_id"], domain_id, json.dumps(document)),
            )
        return document

    def update(self, domain_id: str, custom_widget_id: str, fields: Document) -> Document | None:
        """Writes only the fields given; `settings` is merged one level deep into the stored value."""
        with self._lock:
            row = self._db.execute(
                "SELECT document FROM spaceone_custom_widgets WHERE custom_widget_id = ? AND domain_id = ?",
                (custom_widget_id, domain_id),
            ).fetchone()
            if row is None:
                return None
            document: Document = json.loads(row[0])
            for name, value in fields.items():
                if name == "settings":
                    document["settings"] = {**(document.get("settings") or {}), **value}
                else:
                    document[name] = value
            document["updated_at"] = now_iso()
            self._write(
                "UPDATE spaceone_custom_widgets SET document = ? WHERE custom_widget_id = ?",
                (json.dumps(document), custom_widget_id),
            )
        return document

    def delete(self, domain_id: str, custom_widget_id: str) -> bool:
        with self._lock:
            self._writes += 1
            gone = self._db.execute(
                "DELETE FROM spaceone_custom_widgets WHERE custom_widget_id = ? AND domain_id = ?",
                (custom_widget_id, domain_id),
            ).rowcount
        return bool(gone)

    def _write(self, sql: str, params: Sequence[Any]) -> None:
        self._writes += 1
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.execute(sql, params)
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
