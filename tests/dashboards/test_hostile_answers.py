"""Every byte the Dashboards API returns is checked before use: a malformed answer is one sentence, nothing applied."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.dashboards.test_reconcile import DASHBOARD
from tests.hostile_servers import Answer, answering
from tests.reconcile.helpers import make_workspace


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
