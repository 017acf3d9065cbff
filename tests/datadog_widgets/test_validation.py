"""Bad requests are 400s whose errors say what is wrong; never a 500."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.conftest import widget_body

BASE = "/api/v2/widgets/ccm_reports"


def with_definition(**changes: Any) -> dict[str, Any]:
    body = widget_body()
    definition = body["data"]["attributes"]["definition"]
    for key, value in changes.items():
        if value is ...:
            definition.pop(key)
        else:
            definition[key] = value
    return body


BAD_BODIES = {
    "malformed-json": (b'{"data": ', "Malformed JSON"),
    "not-an-object": (b"[1, 2]", "data: required"),
    "no-data": (b"{}", "data: required"),
    "no-resource-type": (
        json.dumps({"data": {"attributes": with_definition()["data"]["attributes"]}}).encode(),
        "data.type: required, must be a string",
    ),
    "no-attributes": (json.dumps({"data": {"type": "widgets"}}).encode(), "data.attributes: required"),
    "no-definition": (
        json.dumps({"data": {"type": "widgets", "attributes": {"tags": []}}}).encode(),
        "definition: required",
    ),
    "no-title": (json.dumps(with_definition(title=...)).encode(), "title: required"),
    "empty-title": (json.dumps(with_definition(title="")).encode(), "1 to 100 characters, got 0"),
    "long-title": (json.dumps(with_definition(title="x" * 101)).encode(), "1 to 100 characters, got 101"),
    "numeric-title": (json.dumps(with_definition(title=7)).encode(), "title: required, must be a string"),
    "unknown-type": (json.dumps(with_definition(type="pie_chart")).encode(), 'invalid value "pie_chart"'),
    "no-type": (json.dumps(with_definition(type=...)).encode(), "definition.type: invalid value null"),
    "tags-not-list": (
        json.dumps(widget_body(tags="a,b")).encode(),  # type: ignore[arg-type]
        "tags: must be a list of strings",
    ),
    "tags-not-strings": (
        json.dumps(widget_body(tags=[1, 2])).encode(),  # type: ignore[list-item]
        "tags: must be a list of strings",
    ),
    "not-utf8": (b"\xff\xfe\x00", "Malformed JSON"),
    "nan": (b'{"data": {"type": "widgets", "attributes": {"definition": {"title": NaN}}}}', "NaN is not valid JSON"),
}


@pytest.mark.parametrize("name", sorted(BAD_BODIES))
@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_bad_bodies_are_400_with_a_reason(api: httpx.Client, name: str, method: str) -> None:
    existing = api.post(BASE, json=widget_body()).json()["data"]["id"]
    raw, expected = BAD_BODIES[name]
    path = BASE if method == "POST" else f"{BASE}/{existing}"
    response = api.request(method, path, content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    errors = response.json()["errors"]
    assert any(expected in e for e in errors), errors


def test_every_problem_is_listed_at_once(api: httpx.Client) -> None:
    body = {"data": {"type": 7, "attributes": {"definition": {"title": "", "type": "pie"}, "tags": [3]}}}
    errors = api.post(BASE, json=body).json()["errors"]
    assert len(errors) == 4


def test_title_of_exactly_100_characters_is_accepted(api: httpx.Client) -> None:
    assert api.post(BASE, json=with_definition(title="x" * 100)).status_code == 200


@pytest.mark.parametrize(
    "widget_type",
    [
        "bar_chart",
        "change",
        "cloud_cost_summary",
        "cohort",
        "funnel",
        "geomap",
        "list_stream",
        "query_table",
        "query_value",
        "retention_curve",
        "sankey",
        "sunburst",
        "timeseries",
        "toplist",
        "treemap",
    ],
)
def test_every_allowed_widget_type_is_accepted(api: httpx.Client, widget_type: str) -> None:
    assert api.post(BASE, json=widget_body(widget_type=widget_type)).status_code == 200


def test_null_tags_mean_none(api: httpx.Client) -> None:
    body = widget_body()
    body["data"]["attributes"]["tags"] = None
    assert api.post(BASE, json=body).json()["data"]["attributes"]["tags"] == []


def test_a_refused_write_changes_nothing(api: httpx.Client) -> None:
    existing = api.post(BASE, json=widget_body("Before")).json()["data"]
    api.put(f"{BASE}/{existing['id']}", json=with_definition(title=""))
    assert api.get(f"{BASE}/{existing['id']}").json()["data"] == existing
    assert api.get(BASE).json()["meta"]["filtered_total"] == 1
