"""The dashboards emulator's list pages: whatever was written between them, a page is exactly the rows at its
offset, whether it was found by counting rows or by resuming where the page before it ended."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from reconciler.backends.datadog_dashboards.emulator.store import DashboardStore


def _document(n: int) -> dict[str, object]:
    return {"id": f"abc-{n:03d}-xyz", "title": f"Board {n}", "layout_type": "ordered", "widgets": []}


class Pages(RuleBasedStateMachine):
    """Inserts, deletes, restores and shares interleaved with page reads; each page is compared with what the
    plain `LIMIT/OFFSET` query answers on the same rows."""

    @initialize()
    def open_store(self) -> None:
        self.store = DashboardStore(":memory:")
        self.created = 0
        self.next_start = {False: 0, True: 0}

    def teardown(self) -> None:
        self.store.close()

    def _expected(self, deleted: bool, shared: bool, start: int, count: int) -> list[str]:
        only_shared = " AND id IN (SELECT dashboard_id FROM datadog_dashboard_shares)" if shared else ""
        query = (
            "SELECT id FROM datadog_dashboards WHERE (deleted_at IS NOT NULL) = ?"
            f"{only_shared} ORDER BY seq LIMIT ? OFFSET ?"
        )
        db: sqlite3.Connection = self.store._db
        return [row[0] for row in db.execute(query, (1 if deleted else 0, count, start))]

    @rule(many=st.integers(1, 7))
    def insert(self, many: int) -> None:
        for _ in range(many):
            self.store.insert(_document(self.created))
            self.created += 1

    # Low numbers: the writes that matter land before where the last page ended.
    @rule(n=st.integers(0, 9), deleted=st.booleans())
    def delete_or_restore(self, n: int, deleted: bool) -> None:
        if self.created:
            self.store.set_deleted(str(_document(n % self.created)["id"]), deleted)

    @rule(n=st.integers(0, 9), share=st.booleans())
    def share(self, n: int, share: bool) -> None:
        if not self.created:
            return
        n %= self.created
        token = f"token-{n}"
        if share:
            self.store.put_share({"token": token, "dashboard_id": _document(n)["id"]})
        else:
            self.store.end_share(token)

    @rule(shared=st.booleans(), count=st.integers(1, 5), restart=st.booleans())
    def next_page(self, shared: bool, count: int, restart: bool) -> None:
        if restart:
            self.next_start[shared] = 0
        start = self.next_start[shared]
        expected = self._expected(False, shared, start, count)
        page = [document["id"] for document, _ in self.store.listed(False, start, count, shared=shared)]
        assert page == expected, (start, count, shared)
        self.next_start[shared] = start + len(page) if len(page) == count else 0

    @rule(start=st.integers(0, 30), count=st.integers(1, 5))
    def deleted_page(self, start: int, count: int) -> None:
        page = [document["id"] for document, _ in self.store.listed(True, start, count)]
        assert page == self._expected(True, False, start, count)

    @invariant()
    def whole_listing(self) -> None:
        every = [document["id"] for document, _ in self.store.listed(False)]
        assert every == self._expected(False, False, 0, -1)


TestPages = Pages.TestCase
TestPages.settings = settings(max_examples=100, stateful_step_count=30, deadline=None)


def test_another_connection_writing_between_pages_is_seen(tmp_path: Path) -> None:
    """`wac emulator` and a `--site local` run may share one state file: a page after another process's write
    is counted afresh, not resumed."""
    db = tmp_path / "state.sqlite3"
    reader, writer = DashboardStore(db), DashboardStore(db)
    try:
        for n in range(6):
            writer.insert(_document(n))
        first = [d["id"] for d, _ in reader.listed(False, 0, 3)]
        writer.set_deleted(str(_document(1)["id"]), True)
        second = [d["id"] for d, _ in reader.listed(False, 3, 3)]
        assert first == ["abc-000-xyz", "abc-001-xyz", "abc-002-xyz"]
        assert second == ["abc-004-xyz", "abc-005-xyz"], "the row at offset 3 after the delete is the fifth board"
    finally:
        reader.close()
        writer.close()


def _ids(store: DashboardStore, start: int, count: int, shared: bool = False) -> list[str]:
    return [str(document["id"]) for document, _ in store.listed(False, start, count, shared=shared)]


def test_every_kind_of_write_between_pages_moves_the_next_page() -> None:
    """Each write that changes which rows a listing holds, made before where the last page ended."""
    store = DashboardStore(":memory:")
    try:
        for n in range(6):
            store.insert(_document(n))
        board = [str(_document(n)["id"]) for n in range(6)]
        store.put_share({"token": "t2", "dashboard_id": board[2]})
        store.put_share({"token": "t4", "dashboard_id": board[4]})

        assert _ids(store, 0, 2) == board[:2]
        store.set_deleted(board[0], True)
        assert _ids(store, 2, 2) == board[3:5], "a delete before the page shifts it"
        assert _ids(store, 0, 2) == board[1:3]
        store.set_deleted(board[0], False)
        assert _ids(store, 2, 2) == board[2:4], "a restore before the page shifts it back"

        assert _ids(store, 0, 1, shared=True) == [board[2]]
        store.put_share({"token": "t1", "dashboard_id": board[1]})
        assert _ids(store, 1, 1, shared=True) == [board[2]], "a new share before the page shifts it"
        assert _ids(store, 0, 2, shared=True) == [board[1], board[2]]
        store.end_share("t1")
        assert _ids(store, 2, 1, shared=True) == [], "an ended share before the page shifts it back"

        # What the API refuses (a negative start) still never leaves a wrong place to resume from.
        store.listed(False, -3, 4)
        assert _ids(store, 1, 2) == board[1:3]
    finally:
        store.close()


def test_pages_asked_for_out_of_order_or_past_the_end_are_counted() -> None:
    store = DashboardStore(":memory:")
    try:
        for n in range(5):
            store.insert(_document(n))
        board = [str(_document(n)["id"]) for n in range(5)]
        assert _ids(store, 3, 2) == board[3:5]
        assert _ids(store, 5, 2) == [] and _ids(store, 9, 2) == []
        assert _ids(store, 0, 0) == [] and _ids(store, 0, 2) == board[:2]
        assert _ids(store, 4, 3) == board[4:], "a page further on than the last one ended"
        assert _ids(store, 2, 3) == board[2:5]
    finally:
        store.close()
