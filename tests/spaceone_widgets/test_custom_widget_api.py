"""The CustomWidget API as the seed doc and the real service define it: every verb, its checks and errors."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.spaceone_widgets.conftest import DOMAIN, SpaceOne


def test_create_returns_the_whole_info_with_server_fields(alice: SpaceOne) -> None:
    made = alice.create(settings={"a": 1}, labels=["finops"], tags={"team": "finops"}, inherit_options={"x": {}})
    assert made["custom_widget_id"].startswith("custom-widget-") and len(made["custom_widget_id"]) <= 40
    assert made["widget_name"] == "costTrend" and made["title"] == "Monthly cost"
    assert made["options"] == {"granularity": "MONTHLY"} and made["settings"] == {"a": 1}
    assert made["labels"] == ["finops"] and made["tags"] == {"team": "finops"} and made["inherit_options"] == {"x": {}}
    assert made["user_id"] == "alice@example.com" and made["domain_id"] == DOMAIN
    assert made["created_at"].endswith("Z") and made["created_at"] == made["updated_at"]


def test_the_user_comes_from_the_token_never_from_the_body(alice: SpaceOne) -> None:
    response = alice.call("create", widget_name="w", title="t", options={}, user_id="mallory")
    assert response.status_code == 400
    assert response.json()["detail"]["code"] == "ERROR_INVALID_PARAMETER"


@pytest.mark.parametrize("missing", ["widget_name", "title", "options", "domain_id"])
def test_create_requires_its_fields(client_for: Callable[..., SpaceOne], missing: str) -> None:
    body = {"widget_name": "w", "title": "t", "options": {}, "domain_id": DOMAIN}
    del body[missing]
    response = client_for().http.post("/dashboard/v1/custom-widget/create", json=body)
    assert response.status_code == 400
    assert response.json() == {
        "detail": {"code": "ERROR_REQUIRED_PARAMETER", "message": f"Required parameter. (key = {missing})"}
    }


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [
        ("options", [1], "dict"),
        ("settings", "x", "dict"),
        ("inherit_options", 3, "dict"),
        ("tags", ["team:finops"], "dict"),
        ("labels", "finops", "list of str"),
        ("labels", ["ok", 1], "list of str"),
        ("title", 5, "str"),
    ],
)
def test_types_are_checked(alice: SpaceOne, field: str, value: object, kind: str) -> None:
    body = {"widget_name": "w", "title": "t", "options": {}, field: value}
    response = alice.call("create", body)
    assert response.status_code == 400
    assert response.json()["detail"] == {
        "code": "ERROR_INVALID_PARAMETER_TYPE",
        "message": f"Parameter type is invalid. (key = {field}, type = {kind})",
    }


def test_lengths_are_the_models(alice: SpaceOne) -> None:
    assert alice.call("create", widget_name="w" * 40, title="t" * 255, options={}).status_code == 200
    for field, value in (("widget_name", "w" * 41), ("title", "t" * 256)):
        response = alice.call("create", {"widget_name": "w", "title": "t", "options": {}, field: value})
        # The model refuses it when saving; python-core reports that as a failed query (INTERNAL).
        assert response.status_code == 500
        assert response.json()["detail"]["code"] == "ERROR_DB_QUERY" and field in response.json()["detail"]["message"]


def test_update_writes_only_given_fields_and_merges_settings_one_level(alice: SpaceOne) -> None:
    made = alice.create(settings={"keep": 1, "nested": {"a": 1}}, labels=["x"], tags={"team": "a"})
    updated = alice.ok(
        "update", custom_widget_id=made["custom_widget_id"], title="Renamed", settings={"nested": {"b": 2}, "new": 3}
    )
    assert updated["title"] == "Renamed" and updated["labels"] == ["x"] and updated["tags"] == {"team": "a"}
    # One level deep: `nested` is replaced whole, `keep` survives although the update did not name it.
    assert updated["settings"] == {"keep": 1, "nested": {"b": 2}, "new": 3}
    assert updated["updated_at"] >= made["updated_at"] and updated["created_at"] == made["created_at"]
    assert alice.ok("get", custom_widget_id=made["custom_widget_id"]) == updated


def test_widget_name_is_not_in_the_update_message(alice: SpaceOne) -> None:
    made = alice.create()
    response = alice.call("update", custom_widget_id=made["custom_widget_id"], widget_name="other")
    assert response.status_code == 400
    assert response.json()["detail"]["code"] == "ERROR_INVALID_PARAMETER"
    assert "widget_name is not a field of UpdateCustomWidgetRequest" in response.json()["detail"]["message"]
    assert alice.ok("get", custom_widget_id=made["custom_widget_id"])["widget_name"] == "costTrend"


def test_delete_is_hard_and_unknown_ids_are_not_found_a_404(alice: SpaceOne) -> None:
    made = alice.create()
    widget_id = made["custom_widget_id"]
    assert alice.ok("delete", custom_widget_id=widget_id) == {}
    for verb in ("get", "update", "delete"):
        response = alice.call(verb, custom_widget_id=widget_id)
        # python-core 1.12's ERROR_NOT_FOUND carries NOT_FOUND, which its REST layer answers as 404.
        assert response.status_code == 404, verb
        assert response.json() == {
            "detail": {
                "code": "ERROR_NOT_FOUND",
                "message": f"Value not found. (('custom_widget_id', 'domain_id') = ({widget_id!r}, {DOMAIN!r}))",
            }
        }
    assert alice.ok("list")["total_count"] == 0


def test_get_with_only(alice: SpaceOne) -> None:
    made = alice.create()
    assert alice.ok("get", custom_widget_id=made["custom_widget_id"], only=["title", "user_id"]) == {
        "title": "Monthly cost",
        "user_id": "alice@example.com",
    }


def test_auth_is_a_bearer_token_in_python_cores_error_body(client_for: Callable[..., SpaceOne]) -> None:
    for token in (None, "token-unknown"):
        response = client_for(token).call("list")
        assert response.status_code == 401
        assert response.json()["detail"]["code"] == "ERROR_AUTHENTICATE_FAILURE"
    basic = client_for("x")
    basic.http.headers["Authorization"] = "Basic dXNlcjpwYXNz"
    assert basic.call("list").status_code == 401


def test_domains_are_isolated_and_bound_to_the_token(client_for: Callable[..., SpaceOne]) -> None:
    alice = client_for("token-alice")
    made = alice.create()
    carol = client_for("token-other", domain_id="domain-other")
    assert carol.ok("list")["total_count"] == 0
    elsewhere = carol.call("get", custom_widget_id=made["custom_widget_id"])
    assert elsewhere.status_code == 404 and elsewhere.json()["detail"]["code"] == "ERROR_NOT_FOUND"
    sneaky = client_for("token-other", domain_id=DOMAIN)
    response = sneaky.call("list")
    assert response.status_code == 403 and response.json()["detail"]["code"] == "ERROR_PERMISSION_DENIED"


def test_bob_sees_alices_widgets_in_their_domain_and_is_the_user_of_his_writes(
    client_for: Callable[..., SpaceOne],
) -> None:
    made = client_for("token-alice").create()
    bob = client_for("token-bob")
    assert bob.ok("list")["total_count"] == 1
    assert bob.ok("update", custom_widget_id=made["custom_widget_id"], title="Bob's")["user_id"] == "alice@example.com"


def test_a_body_that_is_not_json_is_python_cores_parse_error(alice: SpaceOne) -> None:
    response = alice.http.post("/dashboard/v1/custom-widget/list", content=b"not json")
    assert response.status_code == 500
    assert response.json()["detail"] == {
        "code": "ERROR_UNKNOWN",
        "message": "JSON Parsing Error: Request body requires JSON format.",
    }


def test_only_post_and_the_six_verbs(alice: SpaceOne) -> None:
    assert alice.http.get("/dashboard/v1/custom-widget/list").status_code == 405
    unrouted = alice.http.post("/dashboard/v1/custom-widget/purge", json={})
    # FastAPI's own answer, with no service error code: nobody can read it as "the widget does not exist".
    assert unrouted.status_code == 404 and unrouted.json() == {"detail": "Not Found"}


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("no token", 401, "ERROR_AUTHENTICATE_FAILURE"),
        ("another domain", 403, "ERROR_PERMISSION_DENIED"),
        ("missing field", 400, "ERROR_REQUIRED_PARAMETER"),
        ("wrong type", 400, "ERROR_INVALID_PARAMETER_TYPE"),
        ("unknown field", 400, "ERROR_INVALID_PARAMETER"),
        ("list value for eq", 400, "ERROR_OPERATOR_VALUE_TYPE"),
        ("unknown widget", 404, "ERROR_NOT_FOUND"),
        ("unknown operator", 500, "ERROR_DB_QUERY"),
        ("not json", 500, "ERROR_UNKNOWN"),
    ],
)
def test_every_error_has_the_http_status_python_core_1_12_maps_its_grpc_status_to(
    client_for: Callable[..., SpaceOne], case: str, status: int, code: str
) -> None:
    alice = client_for("token-alice")
    calls: dict[str, Callable[[], httpx.Response]] = {
        "no token": lambda: client_for(None).call("list"),
        "another domain": lambda: client_for("token-other", domain_id=DOMAIN).call("list"),
        "missing field": lambda: alice.call("create", title="t", options={}),
        "wrong type": lambda: alice.call("create", widget_name="w", title="t", options=[]),
        "unknown field": lambda: alice.call("get", custom_widget_id="custom-widget-000000000000", name="x"),
        "list value for eq": lambda: alice.call("list", query={"filter": [{"k": "title", "v": ["t"], "o": "eq"}]}),
        "unknown widget": lambda: alice.call("get", custom_widget_id="custom-widget-000000000000"),
        "unknown operator": lambda: alice.call("list", query={"filter": [{"k": "title", "v": "t", "o": "like"}]}),
        "not json": lambda: alice.http.post("/dashboard/v1/custom-widget/get", content=b"{"),
    }
    response = calls[case]()
    assert (response.status_code, response.json()["detail"]["code"]) == (status, code)
