"""Every byte the Dashboard Lists API returns is checked before use: a malformed answer is one sentence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.commands.helpers import make_workspace
from tests.hostile_servers import Answer, answering


def _json(body: Any, status: int = 200) -> Answer:
    return status, {"content-type": "application/json"}, json.dumps(body).encode()


MANIFEST = "kind: datadog/dashboard-list\nid: checkout\nname: Checkout\ndashboards: [abc-def-ghi]\n"
MARKED = {"id": 7, "name": "Checkout [wac: owner default, id checkout, applied 0123456789abcdef]", "dashboard_count": 1}
ITEM = {"id": "abc-def-ghi", "type": "custom_timeboard", "title": "Orders"}
MALFORMED: dict[str, tuple[Any, Any, str]] = {
    "no-lists": ({"lists": []}, {}, "list dashboard lists: no `dashboard_lists` list"),
    "id-as-path": ({"dashboard_lists": [{**MARKED, "id": "../../v2/users"}]}, {}, "is missing or not a list id"),
    "id-as-bool": ({"dashboard_lists": [{**MARKED, "id": True}]}, {}, "is missing or not a list id"),
    "name-not-text": ({"dashboard_lists": [{**MARKED, "name": ["x"]}]}, {}, "dashboard_lists[0].name is not text"),
    "count-negative": ({"dashboard_lists": [{**MARKED, "dashboard_count": -1}]}, {}, ".dashboard_count is not a"),
    "item-type-unknown": (
        {"dashboard_lists": [MARKED]},
        {"dashboards": [{**ITEM, "type": "x"}], "total": 1},
        "get items of dashboard list 7: dashboards[0].type is not one of",
    ),
    "total-not-the-items": (
        {"dashboard_lists": [MARKED]},
        {"dashboards": [ITEM], "total": 5},
        "`total` is not the 1 dashboards listed",
    ),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_answer_is_one_sentence(tmp_path: Path, case: str) -> None:
    lists, items, expected = MALFORMED[case]

    def answer(_method: str, path: str) -> Answer:
        if path.startswith("/api/v2/dashboard/lists"):
            return _json(items)
        return _json(lists)

    with answering(answer) as url:
        repo = make_workspace(tmp_path, url, copy_examples=False)
        repo.widgets.mkdir()
        (repo.widgets / "list.yaml").write_text(MANIFEST)
        result = repo.wac("plan", "--kind", "datadog/dashboard-list")
    assert result.exit_code == 1, result.output
    assert expected in result.output, result.output
    assert "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) <= 2, result.output


def test_duplicate_members_are_a_located_error(tmp_path: Path) -> None:
    repo = make_workspace(tmp_path, "http://127.0.0.1:9", copy_examples=False)
    repo.widgets.mkdir()
    text = "kind: datadog/dashboard-list\nid: checkout\nname: Checkout\ndashboards:\n  - abc-def-ghi\n  - abc-def-ghi\n"
    (repo.widgets / "list.yaml").write_text(text)
    result = repo.wac("validate")
    assert result.exit_code == 1
    assert "list.yaml:6:" in result.output and "listed already at dashboards[0]" in result.output, result.output
