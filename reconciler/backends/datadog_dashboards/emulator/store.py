"""Dashboards in SQLite, one JSON document each; deletes are soft (restorable, listed when asked)."""

from __future__ import annotations

import json
import secrets
import string
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reconciler.backends.emulator_state import open_state

Document = dict[str, Any]
_ALPHABET = string.ascii_lowercase + string.digits

_SCHEMA = """
CREATE TABLE IF NOT EXISTS datadog_dashboards (
    id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    deleted_at TEXT,
    document TEXT NOT NULL
);
-- Pages are read in creation order and a create takes the next seq: both by index, so a page or an insert
-- costs the same with 10 or 100,000 dashboards stored.
CREATE INDEX IF NOT EXISTS datadog_dashboards_by_seq ON datadog_dashboards (seq);
CREATE INDEX IF NOT EXISTS datadog_dashboards_listed ON datadog_dashboards ((deleted_at IS NOT NULL), seq);
CREATE TABLE IF NOT EXISTS datadog_dashboard_shares (
    token TEXT PRIMARY KEY,
    dashboard_id TEXT NOT NULL,
    document TEXT NOT NULL
);
-- Restriction policies by resource id (`dashboard:abc-def-ghi`): their bindings as last posted.
CREATE TABLE IF NOT EXISTS datadog_restriction_policies (
    resource_id TEXT PRIMARY KEY,
    bindings TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS datadog_dashboard_invitations (
    token TEXT NOT NULL,
    email TEXT NOT NULL,
    seq INTEGER NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (token, email)
);
"""


def now_iso() -> str:
    """As Datadog writes it: microseconds and `+00:00`."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


def new_dashboard_id() -> str:
    return "-".join("".join(secrets.choice(_ALPHABET) for _ in range(3)) for _ in range(3))


class DashboardStore:
    def __init__(self, path: str | Path = ":memory:") -> None:
        self._lock = threading.Lock()
        self._db = open_state(path, _SCHEMA)
        # Where each page served last ended (listing, shared only, next start) -> seq; see `_resume_at`.
        self._resume: dict[tuple[bool, bool, int], int] = {}
        self._resume_version = -1

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def insert(self, document: Document) -> None:
        with self._lock:
            self._resume.clear()
            self._db.execute(
                "INSERT INTO datadog_dashboards (id, seq, deleted_at, document) VALUES"
                " (?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM datadog_dashboards), NULL, ?)",
                (document["id"], json.dumps(document)),
            )

    def get(self, dashboard_id: str, deleted: bool = False) -> Document | None:
        with self._lock:
            row = self._db.execute(
                "SELECT document, deleted_at FROM datadog_dashboards WHERE id = ?", (dashboard_id,)
            ).fetchone()
        if row is None or (row[1] is not None) != deleted:
            return None
        return dict(json.loads(row[0]))

    def replace(self, document: Document) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE datadog_dashboards SET document = ? WHERE id = ? AND deleted_at IS NULL",
                (json.dumps(document), document["id"]),
            )

    def set_deleted(self, dashboard_id: str, deleted: bool) -> bool:
        """Soft delete (or restore); False when there was nothing to change. A deleted dashboard's share ends."""
        with self._lock:
            self._resume.clear()
            if deleted:
                changed = self._db.execute(
                    "UPDATE datadog_dashboards SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
                    (now_iso(), dashboard_id),
                ).rowcount
                for (token,) in self._db.execute(
                    "SELECT token FROM datadog_dashboard_shares WHERE dashboard_id = ?", (dashboard_id,)
                ).fetchall():
                    self._end_share(token)
            else:
                changed = self._db.execute(
                    "UPDATE datadog_dashboards SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL",
                    (dashboard_id,),
                ).rowcount
        return bool(changed)

    def listed(
        self, deleted: bool, start: int = 0, count: int = -1, shared: bool = False
    ) -> list[tuple[Document, str | None]]:
        """A page of the dashboards (or the deleted ones; or only those with a live share), oldest first, with
        when each was deleted; only the page's documents are decoded."""
        only_shared = " AND id IN (SELECT dashboard_id FROM datadog_dashboard_shares)" if shared else ""
        select = "SELECT document, deleted_at, seq FROM datadog_dashboards WHERE (deleted_at IS NOT NULL) = ?"
        flag = 1 if deleted else 0
        counted = (f"{select}{only_shared} ORDER BY seq LIMIT ? OFFSET ?", (flag, count, start))
        with self._lock:
            after = self._resume_at(deleted, shared, start) if start >= 0 and count > 0 else None
            if after is None:
                rows = self._db.execute(*counted).fetchall()
            else:
                resumed = f"{select}{only_shared} AND seq > ? ORDER BY seq LIMIT ?"
                rows = self._db.execute(resumed, (flag, after, count)).fetchall()
                # Another process may have committed between the check and the query: then count instead.
                if self._data_version() != self._resume_version:
                    rows = self._db.execute(*counted).fetchall()
            if rows and start >= 0 and count > 0:
                self._resume[(deleted, shared, start + len(rows))] = rows[-1][2]
        return [(json.loads(row[0]), row[1]) for row in rows]

    def _data_version(self) -> int:
        return int(self._db.execute("PRAGMA data_version").fetchone()[0])

    def _resume_at(self, deleted: bool, shared: bool, start: int) -> int | None:
        """The seq after which the page at `start` begins, when the page before it was the last one served and
        nothing has changed since: the next page is then found by index, not by counting `start` rows again."""
        # data_version moves when another connection (another process on the same file) commits; the writes
        # of this store clear the map themselves.
        version = self._data_version()
        if version != self._resume_version or len(self._resume) > 64:
            self._resume.clear()
            self._resume_version = version
        return self._resume.get((deleted, shared, start))

    # shares ----------------------------------------------------------------

    def put_share(self, share: Document) -> None:
        with self._lock:
            self._resume.clear()
            self._db.execute(
                "INSERT OR REPLACE INTO datadog_dashboard_shares (token, dashboard_id, document) VALUES (?, ?, ?)",
                (share["token"], share["dashboard_id"], json.dumps(share)),
            )

    def shared_ids(self) -> set[str]:
        return {dashboard_id for dashboard_id, _ in self.share_tokens()}

    def share_tokens(self) -> list[tuple[str, str]]:
        """Every live share as (dashboard id, token); a dashboard may have several."""
        with self._lock:
            return list(self._db.execute("SELECT dashboard_id, token FROM datadog_dashboard_shares ORDER BY token"))

    def share(self, token: str) -> Document | None:
        with self._lock:
            row = self._db.execute("SELECT document FROM datadog_dashboard_shares WHERE token = ?", (token,)).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def end_share(self, token: str) -> bool:
        with self._lock:
            return self._end_share(token)

    def _end_share(self, token: str) -> bool:
        self._resume.clear()
        self._db.execute("DELETE FROM datadog_dashboard_invitations WHERE token = ?", (token,))
        return bool(self._db.execute("DELETE FROM datadog_dashboard_shares WHERE token = ?", (token,)).rowcount)

    def invite(self, token: str, invitation: Document) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO datadog_dashboard_invitations (token, email, seq, document) VALUES"
                " (?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM datadog_dashboard_invitations), ?)",
                (token, invitation["email"], json.dumps(invitation)),
            )

    def uninvite(self, token: str, email: str) -> bool:
        with self._lock:
            return bool(
                self._db.execute(
                    "DELETE FROM datadog_dashboard_invitations WHERE token = ? AND email = ?", (token, email)
                ).rowcount
            )

    def invitations(self, token: str) -> list[Document]:
        with self._lock:
            rows = self._db.execute(
                "SELECT document FROM datadog_dashboard_invitations WHERE token = ? ORDER BY seq", (token,)
            ).fetchall()
        return [json.loads(row[0]) for row in rows]

    # restriction policies ---------------------------------------------------

    def policy(self, resource_id: str) -> list[Document]:
        """The bindings of the resource's policy; empty when it has none (as Datadog answers)."""
        with self._lock:
            row = self._db.execute(
                "SELECT bindings FROM datadog_restriction_policies WHERE resource_id = ?", (resource_id,)
            ).fetchone()
        return [] if row is None else list(json.loads(row[0]))

    def put_policy(self, resource_id: str, bindings: list[Document]) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO datadog_restriction_policies (resource_id, bindings) VALUES (?, ?)",
                (resource_id, json.dumps(bindings)),
            )

    def drop_policy(self, resource_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM datadog_restriction_policies WHERE resource_id = ?", (resource_id,))
