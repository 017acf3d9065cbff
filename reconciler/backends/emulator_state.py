"""The SQLite file every emulator keeps its state in: shared by all of them, safe across threads and processes."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def open_state(path: str | Path, schema: str) -> sqlite3.Connection:
    """A connection to `path` (or `:memory:`) with `schema` created; autocommit, so writers say BEGIN themselves."""
    target = str(path)
    if target != ":memory:":
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(target, check_same_thread=False, isolation_level=None, timeout=30)
    if target != ":memory:":
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
    db.executescript(schema)
    return db
