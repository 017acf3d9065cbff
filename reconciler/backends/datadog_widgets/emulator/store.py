"""SQLite-backed state of the emulated Widgets API: widgets, users, favourites."""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reconciler.backends.emulator_state import open_state

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    handle TEXT NOT NULL,
    name TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS widgets (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    experience_type TEXT NOT NULL,
    widget_type TEXT NOT NULL,
    title TEXT NOT NULL,
    definition TEXT NOT NULL,
    tags TEXT NOT NULL,
    created_at TEXT NOT NULL,
    modified_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    modified_by TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX IF NOT EXISTS widgets_live ON widgets (experience_type, deleted_at);
CREATE TABLE IF NOT EXISTS widget_tags (
    widget_id TEXT NOT NULL,
    tag TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS widget_tags_tag ON widget_tags (tag, widget_id);
CREATE INDEX IF NOT EXISTS widget_tags_widget ON widget_tags (widget_id);
CREATE TABLE IF NOT EXISTS favorites (
    user_id TEXT NOT NULL,
    widget_id TEXT NOT NULL,
    PRIMARY KEY (user_id, widget_id)
);
"""

SORT_COLUMNS = {"title": "title COLLATE NOCASE", "created_at": "created_at", "modified_at": "modified_at"}


@dataclass(frozen=True)
class User:
    id: str
    handle: str
    name: str


@dataclass(frozen=True)
class StoredWidget:
    id: str
    experience_type: str
    definition: dict[str, Any]
    tags: list[str]
    created_at: str
    modified_at: str
    created_by: str
    modified_by: str
    is_favorited: bool


@dataclass(frozen=True)
class SearchQuery:
    experience_type: str
    viewer_id: str
    widget_type: str | None = None
    creator_handle: str | None = None
    favorited_only: bool = False
    title: str | None = None
    tags: tuple[str, ...] = ()
    sort: str | None = None
    page_number: int = 0
    page_size: int = 50


@dataclass(frozen=True)
class SearchResult:
    widgets: list[StoredWidget]
    filtered_total: int
    created_by_you_total: int
    favorited_by_you_total: int
    created_by_anyone_total: int


def now_iso() -> str:
    """An ISO 8601 UTC timestamp with microseconds, so that successive writes sort in order."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class _Matches:
    """A search's matches (id, created by the viewer, favourited by the viewer) in order, and its totals."""

    ids: list[tuple[str, int, int]]
    mine: int
    favorited: int
    anyone: int


class WidgetStore:
    """All reads and writes of the emulator, serialised by one lock over one SQLite connection.

    One connection and a lock keep concurrent requests from losing or duplicating a write;
    `BEGIN IMMEDIATE` keeps that true when several processes share one database file.
    """

    def __init__(self, path: str | Path = ":memory:") -> None:
        self._lock = threading.Lock()
        self._db = open_state(path, _SCHEMA)
        self._db.row_factory = sqlite3.Row
        self._version = 0
        self._cache_version: tuple[int, int] = (-1, -1)
        self._cache: dict[SearchQuery, _Matches] = {}

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _write(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> None:
        self._version += 1
        self._db.execute("BEGIN IMMEDIATE")
        try:
            for sql, params in statements:
                self._db.execute(sql, params)
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # users -----------------------------------------------------------------

    def ensure_user(self, user: User) -> None:
        with self._lock:
            row = self._db.execute("SELECT handle, name FROM users WHERE id = ?", (user.id,)).fetchone()
            if row is None or (row["handle"], row["name"]) != (user.handle, user.name):
                self._write(
                    [
                        (
                            "INSERT OR REPLACE INTO users (id, handle, name) VALUES (?, ?, ?)",
                            (user.id, user.handle, user.name),
                        )
                    ]
                )

    def users(self, ids: set[str]) -> list[User]:
        if not ids:
            return []
        marks = ",".join("?" * len(ids))
        with self._lock:
            rows = self._db.execute(
                f"SELECT id, handle, name FROM users WHERE id IN ({marks}) ORDER BY id", sorted(ids)
            ).fetchall()
        return [User(r["id"], r["handle"], r["name"]) for r in rows]

    # widgets ---------------------------------------------------------------

    def create(self, experience_type: str, definition: dict[str, Any], tags: list[str], user_id: str) -> StoredWidget:
        widget_id = str(uuid.uuid4())
        stamp = now_iso()
        with self._lock:
            self._write(
                [
                    (
                        "INSERT INTO widgets (id, experience_type, widget_type, title, definition, tags,"
                        " created_at, modified_at, created_by, modified_by) VALUES (?,?,?,?,?,?,?,?,?,?)",
                        (
                            widget_id,
                            experience_type,
                            definition["type"],
                            definition["title"],
                            json.dumps(definition),
                            json.dumps(tags),
                            stamp,
                            stamp,
                            user_id,
                            user_id,
                        ),
                    ),
                    *self._tag_rows(widget_id, tags),
                ]
            )
        return StoredWidget(widget_id, experience_type, definition, tags, stamp, stamp, user_id, user_id, False)

    def replace(
        self, experience_type: str, widget_id: str, definition: dict[str, Any], tags: list[str], user_id: str
    ) -> StoredWidget | None:
        stamp = now_iso()
        with self._lock:
            if self._live_row(experience_type, widget_id) is None:
                return None
            self._write(
                [
                    (
                        "UPDATE widgets SET widget_type = ?, title = ?, definition = ?, tags = ?,"
                        " modified_at = ?, modified_by = ? WHERE id = ?",
                        (
                            definition["type"],
                            definition["title"],
                            json.dumps(definition),
                            json.dumps(tags),
                            stamp,
                            user_id,
                            widget_id,
                        ),
                    ),
                    ("DELETE FROM widget_tags WHERE widget_id = ?", (widget_id,)),
                    *self._tag_rows(widget_id, tags),
                ]
            )
            row = self._live_row(experience_type, widget_id)
            assert row is not None
            return self._widget(row, user_id)

    def soft_delete(self, experience_type: str, widget_id: str) -> bool:
        with self._lock:
            if self._live_row(experience_type, widget_id) is None:
                return False
            self._write([("UPDATE widgets SET deleted_at = ? WHERE id = ?", (now_iso(), widget_id))])
        return True

    def get(self, experience_type: str, widget_id: str, viewer_id: str) -> StoredWidget | None:
        with self._lock:
            row = self._live_row(experience_type, widget_id)
            return None if row is None else self._widget(row, viewer_id)

    def set_favorite(self, user_id: str, widget_id: str, favorite: bool) -> None:
        with self._lock:
            if favorite:
                self._write([("INSERT OR IGNORE INTO favorites VALUES (?, ?)", (user_id, widget_id))])
            else:
                self._write([("DELETE FROM favorites WHERE user_id = ? AND widget_id = ?", (user_id, widget_id))])

    def search(self, query: SearchQuery) -> SearchResult:
        with self._lock:
            found = self._matches(query)
            start = query.page_number * query.page_size
            page = found.ids[start : start + query.page_size]
            marks = ",".join("?" * len(page))
            rows = {
                r["id"]: r
                for r in self._db.execute(f"SELECT * FROM widgets WHERE id IN ({marks})", [m[0] for m in page])
            }
            widgets = [
                self._widget(rows[widget_id], query.viewer_id, bool(favorited)) for widget_id, _, favorited in page
            ]
        return SearchResult(
            widgets=widgets,
            filtered_total=len(found.ids),
            created_by_you_total=found.mine,
            favorited_by_you_total=found.favorited,
            created_by_anyone_total=found.anyone,
        )

    def _matches(self, query: SearchQuery) -> _Matches:
        """Every match in order, and the totals an answer carries; cached until a write.

        Paging through a large result asks for the same ordered matches once per page; keeping them (and their
        counts) until the next write makes each page a slice, as a real search index would: a listing of N
        widgets costs O(N), not O(N) per page.
        """
        key = replace(query, page_number=0, page_size=0)
        # data_version moves when another connection (another process on the same file) commits.
        version = (self._version, self._db.execute("PRAGMA data_version").fetchone()[0])
        if self._cache_version != version:
            self._cache.clear()
            self._cache_version = version
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        where = ["w.experience_type = ?", "w.deleted_at IS NULL"]
        params: list[Any] = [query.experience_type]
        if query.widget_type:
            where.append("w.widget_type = ?")
            params.append(query.widget_type)
        if query.creator_handle:
            where.append("w.created_by IN (SELECT id FROM users WHERE handle = ?)")
            params.append(query.creator_handle)
        if query.title:
            where.append("instr(lower(w.title), lower(?)) > 0")
            params.append(query.title)
        if query.favorited_only:
            where.append("w.id IN (SELECT widget_id FROM favorites WHERE user_id = ?)")
            params.append(query.viewer_id)
        if query.tags:
            unique = sorted(set(query.tags))
            # An INTERSECT of indexed lookups: fast on the tag index however many widgets there are.
            tagged = " INTERSECT ".join(["SELECT widget_id FROM widget_tags WHERE tag = ?"] * len(unique))
            where.append(f"w.id IN ({tagged})")
            params.extend(unique)
        favorited = "(SELECT 1 FROM favorites f WHERE f.widget_id = w.id AND f.user_id = ?) IS NOT NULL"
        sql = (
            f"SELECT w.id, w.created_by = ? AS mine, {favorited} AS favorited FROM widgets w"
            f" WHERE {' AND '.join(where)} ORDER BY {self._order_by(query.sort)}"
        )
        ids = [(r[0], r[1], r[2]) for r in self._db.execute(sql, [query.viewer_id, query.viewer_id, *params])]
        anyone = self._db.execute(
            "SELECT COUNT(*) FROM widgets WHERE experience_type = ? AND deleted_at IS NULL", (query.experience_type,)
        ).fetchone()[0]
        matches = _Matches(
            ids, sum(1 for _, mine, _ in ids if mine), sum(1 for _, _, favorited in ids if favorited), anyone
        )
        if len(self._cache) > 64:
            self._cache.clear()
        self._cache[key] = matches
        return matches

    # helpers ---------------------------------------------------------------

    @staticmethod
    def _order_by(sort: str | None) -> str:
        if not sort:
            return "w.seq"
        if sort.lstrip("-") == "is_favorited":
            # The API fixes this ordering: favourites first, whatever the prefix says.
            return "favorited DESC, w.seq"
        direction = "DESC" if sort.startswith("-") else "ASC"
        return f"w.{SORT_COLUMNS[sort.lstrip('-')]} {direction}, w.seq {direction}"

    @staticmethod
    def _tag_rows(widget_id: str, tags: list[str]) -> list[tuple[str, Sequence[Any]]]:
        return [("INSERT INTO widget_tags (widget_id, tag) VALUES (?, ?)", (widget_id, t)) for t in set(tags)]

    def _live_row(self, experience_type: str, widget_id: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self._db.execute(
            "SELECT * FROM widgets WHERE id = ? AND experience_type = ? AND deleted_at IS NULL",
            (widget_id, experience_type),
        ).fetchone()
        return row

    def _widget(self, row: sqlite3.Row, viewer_id: str, favorited: bool | None = None) -> StoredWidget:
        if favorited is None:
            favorited = (
                self._db.execute(
                    "SELECT 1 FROM favorites WHERE user_id = ? AND widget_id = ?", (viewer_id, row["id"])
                ).fetchone()
                is not None
            )
        return StoredWidget(
            id=row["id"],
            experience_type=row["experience_type"],
            definition=json.loads(row["definition"]),
            tags=json.loads(row["tags"]),
            created_at=row["created_at"],
            modified_at=row["modified_at"],
            created_by=row["created_by"],
            modified_by=row["modified_by"],
            is_favorited=favorited,
        )
