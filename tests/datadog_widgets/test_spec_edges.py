"""The emulator's answers where Datadog's published spec is exact: 405 with Allow, int64 pages, JSON only."""

from __future__ import annotations

import json

import httpx
import pytest

BASE = "/api/v2/widgets/ccm_reports"
ITEM = BASE + "/0b5e5a52-9c6c-4c0e-9d3e-2f3c1a7b8e01"


@pytest.mark.parametrize(
    ("path", "allowed"), [(BASE, {"GET", "POST", "HEAD"}), (ITEM, {"GET", "PUT", "DELETE", "HEAD"})]
)
def test_a_405_says_which_methods_are_allowed(api: httpx.Client, path: str, allowed: set[str]) -> None:
    response = api.request("PATCH", path, json={})
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["allow"].split(",")} == allowed


@pytest.mark.parametrize(
    "query",
    [
        {"filter[widgetType]": ""},
        {"page[size]": ""},
        {"page[number]": ""},
        {"page[number]": str(2**63)},
        {"page[number]": "1e3"},
        {"page[size]": "٣"},
    ],
)
def test_empty_or_out_of_range_parameters_are_refused(api: httpx.Client, query: dict[str, str]) -> None:
    response = api.get(BASE, params=query)
    assert response.status_code == 400, response.text
    assert response.json()["errors"]


def test_a_body_nested_a_thousand_deep_is_a_400_not_a_500(api: httpx.Client) -> None:
    body = '{"data": {"type": "widgets", "attributes": {"definition": ' + '{"a": ' * 5000 + "1" + "}" * 5000 + "}}}"
    response = api.post(BASE, content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["errors"][0]


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_writes_must_be_json(api: httpx.Client, content_type: str | None) -> None:
    body = json.dumps(
        {"data": {"type": "widgets", "attributes": {"definition": {"type": "toplist", "title": "T"}, "tags": []}}}
    )
    headers = {"content-type": content_type} if content_type else {}
    response = api.post(BASE, content=body, headers=headers)
    assert response.status_code == 400
    assert "Content-Type must be application/json" in response.json()["errors"][0]
