"""Create, get, full-replacement update and soft delete, as the Widgets API documents them."""

from __future__ import annotations

import re
import uuid

import httpx

from tests.conftest import widget_body

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
BASE = "/api/v2/widgets/ccm_reports"


def create(api: httpx.Client, **kwargs: object) -> dict:
    response = api.post(BASE, json=widget_body(**kwargs))  # type: ignore[arg-type]
    assert response.status_code == 200, response.text
    return response.json()["data"]


def test_create_returns_documented_shape(api: httpx.Client) -> None:
    body = api.post(BASE, json=widget_body("AWS spend", tags=["team:finops"])).json()
    data = body["data"]
    uuid.UUID(data["id"])
    assert data["type"] == "widgets"
    attributes = data["attributes"]
    assert attributes["definition"]["title"] == "AWS spend"
    assert attributes["tags"] == ["team:finops"]
    assert attributes["is_favorited"] is False
    assert ISO.match(attributes["created_at"]) and attributes["created_at"] == attributes["modified_at"]
    creator = data["relationships"]["created_by"]["data"]
    assert creator["type"] == "users" and data["relationships"]["modified_by"]["data"] == creator
    assert body["included"] == [
        {
            "id": creator["id"],
            "type": "users",
            "attributes": {
                "handle": body["included"][0]["attributes"]["handle"],
                "name": body["included"][0]["attributes"]["name"],
            },
        }
    ]


def test_get_returns_what_was_created(api: httpx.Client) -> None:
    created = create(api, title="Errors by status")
    fetched = api.get(f"{BASE}/{created['id']}")
    assert fetched.status_code == 200
    assert fetched.json()["data"] == created


def test_unknown_definition_fields_are_stored_verbatim(api: httpx.Client) -> None:
    extra = {
        "time": {"type": "live", "unit": "day", "value": 30},
        "custom_links": [{"label": "x", "link": "y"}],
        "nested": {"deep": [1, 2.5, None, True, "s"]},
    }
    created = create(api, **extra)
    fetched = api.get(f"{BASE}/{created['id']}").json()["data"]["attributes"]["definition"]
    for key, value in extra.items():
        assert fetched[key] == value


def test_put_is_full_replacement_and_keeps_identity(api: httpx.Client) -> None:
    created = create(api, title="Old", tags=["a:1", "b:2"], legend="x")
    replacement = widget_body("New", widget_type="toplist", tags=["c:3"])
    updated = api.put(f"{BASE}/{created['id']}", json=replacement)
    assert updated.status_code == 200
    attributes = updated.json()["data"]["attributes"]
    assert updated.json()["data"]["id"] == created["id"]
    assert "legend" not in attributes["definition"], "a field left out of a PUT is removed"
    assert attributes["definition"]["type"] == "toplist"
    assert attributes["tags"] == ["c:3"]
    assert attributes["created_at"] == created["attributes"]["created_at"]
    assert attributes["modified_at"] > created["attributes"]["modified_at"]


def test_soft_delete_hides_the_widget_everywhere(api: httpx.Client) -> None:
    created = create(api)
    kept = create(api, title="Kept")
    assert api.delete(f"{BASE}/{created['id']}").status_code == 204
    assert api.get(f"{BASE}/{created['id']}").status_code == 404
    assert api.put(f"{BASE}/{created['id']}", json=widget_body()).status_code == 404
    assert api.delete(f"{BASE}/{created['id']}").status_code == 404
    listed = api.get(BASE).json()
    assert [w["id"] for w in listed["data"]] == [kept["id"]]
    assert listed["meta"]["created_by_anyone_total"] == 1


def test_experience_types_are_isolated(api: httpx.Client) -> None:
    created = create(api)
    assert api.get(f"/api/v2/widgets/logs_reports/{created['id']}").status_code == 404
    assert api.delete(f"/api/v2/widgets/logs_reports/{created['id']}").status_code == 404
    assert api.get("/api/v2/widgets/logs_reports").json()["data"] == []
    assert api.get("/api/v2/widgets/logs_reports").json()["meta"]["created_by_anyone_total"] == 0
    for experience_type in ("ccm_reports", "logs_reports", "csv_reports", "product_analytics"):
        assert api.post(f"/api/v2/widgets/{experience_type}", json=widget_body()).status_code == 200


def test_unknown_experience_type_is_an_error(api: httpx.Client) -> None:
    response = api.post("/api/v2/widgets/dashboards", json=widget_body())
    assert response.status_code == 400
    assert "experience_type" in response.json()["errors"][0]


def test_missing_widget_is_404_with_errors_body(api: httpx.Client) -> None:
    missing = str(uuid.uuid4())
    for method in ("GET", "DELETE"):
        response = api.request(method, f"{BASE}/{missing}")
        assert response.status_code == 404
        assert response.json() == {"errors": [f"Widget {missing} not found"]}


def test_malformed_uuid_is_a_400(api: httpx.Client) -> None:
    response = api.get(f"{BASE}/not-a-uuid")
    assert response.status_code == 400
    assert "uuid" in response.json()["errors"][0]


def test_unknown_route_and_method_answer_in_the_errors_shape(api: httpx.Client) -> None:
    assert api.get("/api/v2/nothing").json() == {"errors": ["Not Found"]}
    response = api.patch(BASE)
    assert response.status_code == 405 and response.json() == {"errors": ["Method Not Allowed"]}
