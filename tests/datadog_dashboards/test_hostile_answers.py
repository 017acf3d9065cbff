"""Every byte the Dashboards API returns is checked before use: a malformed answer is one sentence, nothing applied."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.commands.helpers import make_workspace
from tests.datadog_dashboards.test_reconcile import DASHBOARD
from tests.hostile_servers import Answer, answering


def _json(body: Any, status: int = 200) -> Answer:
    return status, {"content-type": "application/json"}, json.dumps(body).encode()


MARKED = "Managed by widgets-as-code (owner default, id checkout-overview, applied 00): edit it in git."
SUMMARY = {"id": "abc-def-ghi", "title": "T", "description": MARKED, "modified_at": "2026-01-01T00:00:00+00:00"}
MALFORMED: dict[str, tuple[Any, str]] = {
    "no-dashboards-list": ({"items": []}, "list dashboards page 0: no `dashboards` list"),
    "id-as-path": (
        {"dashboards": [{**SUMMARY, "id": "../../v2/users"}]},
        "dashboards[0].id is missing or not a dashboard id",
    ),
    "description-not-text": (
        {"dashboards": [{**SUMMARY, "description": ["x"]}]},
        "dashboards[0].description is not text",
    ),
    "body-without-widgets": ({"dashboards": [SUMMARY]}, "get dashboard abc-def-ghi: title or widgets missing"),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_answer_is_one_sentence(tmp_path: Path, case: str) -> None:
    listing, expected = MALFORMED[case]

    def answer(_method: str, path: str) -> Answer:
        # Widgets v2 (also read on this site) answers empty; the dashboard list as the case says; a
        # dashboard's GET its summary only (no widgets).
        if path.startswith("/api/v2/widgets"):
            return _json({"data": [], "meta": {"filtered_total": 0}})
        return _json(listing if path.startswith("/api/v1/dashboard?") else SUMMARY)

    with answering(answer) as url:
        repo = make_workspace(tmp_path, url, copy_examples=False)
        repo.widgets.mkdir()
        (repo.widgets / "board.yaml").write_text(DASHBOARD)
        result = repo.wac("plan")
    assert result.exit_code == 1, result.output
    assert expected in result.output, result.output
    assert "Traceback" not in result.output


def test_an_answer_that_is_not_json_is_one_sentence(tmp_path: Path) -> None:
    with answering(lambda _m, _p: (200, {"content-type": "text/html"}, b"<html>login</html>")) as url:
        repo = make_workspace(tmp_path, url, copy_examples=False)
        repo.widgets.mkdir()
        (repo.widgets / "board.yaml").write_text(DASHBOARD)
        result = repo.wac("plan")
    assert result.exit_code == 1 and "a body that is not JSON" in result.output and "Traceback" not in result.output


SHARE_TOKEN = "fasjyydbcgwwc2uc-" + "6b737747459631d184ade0ca119a8c2b"
SHARED_MARKER = MARKED.replace("applied 00)", f"applied 00, share {SHARE_TOKEN} applied 11)")
SHARED_SUMMARY = {**SUMMARY, "description": SHARED_MARKER}
SHARED_BODY = {**SHARED_SUMMARY, "layout_type": "ordered", "widgets": []}
SHARE = {"dashboard_id": "abc-def-ghi", "share_type": "invite", "share_list": ["a@example.com"], "token": SHARE_TOKEN}
MALFORMED_SHARES: dict[str, tuple[Answer, Answer, str]] = {
    "share-not-a-share": (_json({"detail": "x"}), _json({}), "shared dashboard of abc-def-ghi: the answer is not"),
    "share-list-not-a-list": (
        _json({**SHARE, "share_list": "a@example.com"}),
        _json({}),
        "shared dashboard of abc-def-ghi.share_list is not a list of emails",
    ),
    "invitations-without-total": (
        _json(SHARE),
        _json({"data": []}),
        "invitations of the shared dashboard of abc-def-ghi: no `data` list or total",
    ),
    "error-naming-the-token": (
        _json({"errors": [f"token {SHARE_TOKEN} is not valid"]}, 400),
        _json({}),
        "get shared dashboard failed: HTTP 400: token *** is not valid",
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED_SHARES))
def test_a_malformed_share_answer_is_one_sentence_without_the_token(tmp_path: Path, case: str) -> None:
    share, invitations, expected = MALFORMED_SHARES[case]
    seen: list[str] = []

    def answer(_method: str, path: str) -> Answer:
        seen.append(path)
        if path.startswith("/api/v2/widgets"):
            return _json({"data": [], "meta": {"filtered_total": 0}})
        if path.startswith("/api/v1/dashboard?"):
            return _json({"dashboards": [SHARED_SUMMARY]})
        if "/invitation" in path:
            return invitations
        return share if "/public/" in path else _json(SHARED_BODY)

    with answering(answer) as url:
        repo = make_workspace(tmp_path, url, copy_examples=False)
        repo.widgets.mkdir()
        (repo.widgets / "board.yaml").write_text(DASHBOARD)
        result = repo.wac("plan")
    assert any(f"/public/{SHARE_TOKEN}" in path for path in seen), "the share was read through the marker's token"
    assert result.exit_code == 1, result.output
    assert expected in result.output, result.output
    assert SHARE_TOKEN not in result.output and "Traceback" not in result.output


def test_a_token_not_in_datadogs_form_is_never_sent(tmp_path: Path) -> None:
    """A marker naming a path-like token is not a share record: nothing is requested with it."""
    crafted = MARKED.replace("applied 00)", "applied 00, share ../../v2/users applied 11)")
    seen: list[str] = []

    def answer(_method: str, path: str) -> Answer:
        seen.append(path)
        if path.startswith("/api/v2/widgets"):
            return _json({"data": [], "meta": {"filtered_total": 0}})
        summary = {**SUMMARY, "description": crafted}
        if path.startswith("/api/v1/dashboard?"):
            return _json({"dashboards": [summary]})
        return _json({**summary, "layout_type": "ordered", "widgets": []})

    with answering(answer) as url:
        repo = make_workspace(tmp_path, url, copy_examples=False)
        repo.widgets.mkdir()
        (repo.widgets / "board.yaml").write_text(DASHBOARD)
        result = repo.wac("plan")
    assert not any("public" in path or "users" in path for path in seen), seen
    assert "was edited by hand" in result.output, "a marker in no form wac writes is a conflict"


def _summary(number: int) -> dict[str, Any]:
    return {**SUMMARY, "id": f"{number:03d}-aaa-bbb", "description": "", "title": f"Board {number}"}


def _pages(total: int | None, asked: list[int]) -> Any:
    """A dashboard list of `total` unmarked dashboards (None: it never ends), noting each page asked for."""

    def answer(_method: str, path: str) -> Answer:
        if path.startswith("/api/v2/"):
            return _json({"data": [], "meta": {"filtered_total": 0}, "included": []})
        if path.startswith("/api/v1/dashboard?"):
            query = dict(part.split("=", 1) for part in path.split("?", 1)[1].split("&"))
            start, count = int(query["start"]), int(query["count"])
            if "filter%5Bshared%5D" in query or "filter[shared]" in query:
                return _json({"dashboards": []})
            asked.append(start // count)
            end = start + count if total is None else min(total, start + count)
            return _json({"dashboards": [_summary(n) for n in range(start, end)]})
        return _json({"errors": ["Not found"]}, 404)

    return answer


def test_list_pages_after_a_full_first_one_are_read_a_few_at_a_time_and_stop_at_the_short_one(
    tmp_path: Path,
) -> None:
    asked: list[int] = []
    with answering(_pages(250, asked)) as url:
        repo = make_workspace(tmp_path, url, copy_examples=False)
        repo.widgets.mkdir()
        (repo.widgets / "board.yaml").write_text(DASHBOARD)
        result = repo.wac("plan")
    assert result.exit_code == 0, result.output
    # The plan lists twice (a create is looked for again before it is made): each listing alike.
    first = asked[: asked.index(0, 1)] if asked.count(0) > 1 else asked
    assert sorted(first)[:3] == [0, 1, 2], "every page up to the short one is read"
    assert len(first) <= 3 + 3, f"at most three pages past the end are asked for in vain: {asked}"


def test_a_list_that_never_ends_stops_the_run_in_one_sentence(tmp_path: Path) -> None:
    asked: list[int] = []
    with answering(_pages(None, asked)) as url:
        repo = make_workspace(tmp_path, url, copy_examples=False)
        repo.widgets.mkdir()
        (repo.widgets / "board.yaml").write_text(DASHBOARD)
        result = repo.wac("plan")
    assert result.exit_code == 1
    assert "did not end after 1,000 pages" in result.output and "Traceback" not in result.output
    assert len(asked) <= 1_000 + 3
