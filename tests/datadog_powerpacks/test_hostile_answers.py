"""Every byte the Powerpacks API returns is checked before use: a malformed, oversized or wrongly typed answer
is one sentence, and nothing is planned from it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.commands.helpers import make_workspace
from tests.datadog_powerpacks.test_reconcile import EXAMPLE
from tests.hostile_servers import Answer, answering

PACK = "5a1b2c3d-4e5f-11ee-8c90-0242ac120002"
GROUP = {"definition": {"type": "group", "layout_type": "ordered", "widgets": []}}
ITEM = {"type": "powerpack", "id": PACK, "attributes": {"name": "P", "group_widget": GROUP, "tags": []}}
PAGE = {"meta": {"pagination": {"offset": 0, "limit": 1000}}}
MALFORMED: dict[str, tuple[Any, str]] = {
    "no-data-list": ({"items": []}, "list powerpacks page 0: no `data` list"),
    "data-not-object": ({"data": ["x"]}, "data[0] is not an object"),
    "id-as-path": ({"data": [{**ITEM, "id": "../../v1/dashboard"}]}, "data[0].id is missing or not a powerpack id"),
    "name-not-text": (
        {"data": [{**ITEM, "attributes": {**ITEM["attributes"], "name": 7}}]},  # type: ignore[dict-item]
        "data[0].attributes.name is not text",
    ),
    "tags-not-text": (
        {"data": [{**ITEM, "attributes": {**ITEM["attributes"], "tags": [{"k": "v"}]}}]},  # type: ignore[dict-item]
        "data[0].attributes.tags is not a list of text",
    ),
    "no-group": (
        {"data": [{**ITEM, "attributes": {"name": "P"}}]},
        "data[0].attributes.group_widget is not a group of widgets",
    ),
    "total-not-a-count": ({"data": [], "meta": {"pagination": {"total": "many"}}}, "is not a count"),
    "vast-total": ({"data": [], "meta": {"pagination": {"total": 10**12}}}, "more than the 1,000,000"),
}


def _json(body: Any, status: int = 200) -> Answer:
    return status, {"content-type": "application/json"}, json.dumps(body).encode()


def _plan(tmp_path: Path, answer: Any) -> str:
    with answering(answer) as url:
        repo = make_workspace(tmp_path, url, copy_examples=False)
        (repo.widgets / "powerpacks").mkdir(parents=True)
        (repo.widgets / "powerpacks" / "latency-pack.yaml").write_text(EXAMPLE.read_text())
        result = repo.wac("plan", "--kind", "datadog/powerpack")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.output


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_a_malformed_answer_is_one_sentence(tmp_path: Path, case: str) -> None:
    listing, expected = MALFORMED[case]
    output = _plan(tmp_path, lambda _m, _p: _json({**PAGE, **listing}))
    assert expected in output, output


def test_an_answer_that_is_not_json_is_one_sentence(tmp_path: Path) -> None:
    output = _plan(tmp_path, lambda _m, _p: (200, {"content-type": "text/html"}, b"<html>login</html>"))
    assert "body that is not JSON" in output, output


def test_an_oversized_answer_is_one_sentence(tmp_path: Path) -> None:
    huge = json.dumps({"data": [], "padding": "x" * (70 * 2**20)}).encode()
    output = _plan(tmp_path, lambda _m, _p: (200, {"content-type": "application/json"}, huge))
    assert "the limit" in output and "--max-response-mb" in output, output


def test_a_server_that_ignores_the_offset_is_refused(tmp_path: Path) -> None:
    full = {"data": [{**ITEM, "id": f"5a1b2c3d-4e5f-11ee-8c90-{n:012x}"} for n in range(1000)], **PAGE}
    output = _plan(tmp_path, lambda _m, _p: _json(full))
    assert "list powerpacks page 1: the answer is for another offset" in output, output
