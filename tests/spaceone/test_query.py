"""`list` and `stat` with python-core's Query: every operator, dotted keys, pages from 1, sort, only, totals."""

from __future__ import annotations

from typing import Any

import pytest

from tests.spaceone.conftest import SpaceOne


@pytest.fixture()
def seeded(alice: SpaceOne) -> dict[str, dict[str, Any]]:
    """Four widgets with tags, labels and numbers to query."""
    rows = [
        ("Cost trend", "costTrend", {"team": "finops", "wac-owner": "team-a"}, ["finops", "monthly"], {"n": 3}),
        ("alpha errors", "errors", {"team": "sre", "wac-owner": "team-a"}, ["sre"], {"n": 10}),
        ("Budget", "budget", {"team": "finops"}, [], {"n": 7}),
        ("Zeta", "zeta", {}, ["monthly"], {}),
    ]
    return {
        title: alice.create(title, widget_name=name, tags=tags, labels=labels, settings=settings)
        for title, name, tags, labels, settings in rows
    }


def titles(alice: SpaceOne, **query: Any) -> list[str]:
    return [w["title"] for w in alice.ok("list", query=query)["results"]]


def test_default_order_is_by_title(alice: SpaceOne, seeded: Any) -> None:
    assert titles(alice) == ["Budget", "Cost trend", "Zeta", "alpha errors"]


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"k": "tags.wac-owner", "v": "team-a", "o": "eq"}, ["Cost trend", "alpha errors"]),
        ({"key": "tags.wac-owner", "value": "TEAM-A", "operator": "eq"}, ["Cost trend", "alpha errors"]),
        ({"k": "tags.team", "v": "finops", "o": "not"}, ["Zeta", "alpha errors"]),
        ({"k": "tags.team", "v": ["sre", "finops"], "o": "in"}, ["Budget", "Cost trend", "alpha errors"]),
        ({"k": "tags.team", "v": ["finops"], "o": "not_in"}, ["Zeta", "alpha errors"]),
        ({"k": "title", "v": "COST", "o": "contain"}, ["Cost trend"]),
        ({"k": "title", "v": "T", "o": "not_contain"}, ["alpha errors"]),
        ({"k": "title", "v": ["zet", "budg"], "o": "contain_in"}, ["Budget", "Zeta"]),
        # One `not contain` per value, ORed: a title lacking any of them matches.
        ({"k": "title", "v": ["e", "t"], "o": "not_contain_in"}, ["alpha errors"]),
        ({"k": "tags.wac-owner", "v": True, "o": "exists"}, ["Cost trend", "alpha errors"]),
        ({"k": "tags.wac-owner", "v": False, "o": "exists"}, ["Budget", "Zeta"]),
        ({"k": "settings.n", "v": 7, "o": "lt"}, ["Cost trend"]),
        ({"k": "settings.n", "v": 7, "o": "lte"}, ["Budget", "Cost trend"]),
        ({"k": "settings.n", "v": 7, "o": "gt"}, ["alpha errors"]),
        ({"k": "settings.n", "v": 7, "o": "gte"}, ["Budget", "alpha errors"]),
        ({"k": "widget_name", "v": "^(cost|zet)", "o": "regex"}, ["Cost trend", "Zeta"]),
        ({"k": "widget_name", "v": ["^BUD", "rors$"], "o": "regex_in"}, ["Budget", "alpha errors"]),
        ({"k": "labels", "v": "monthly", "o": "eq"}, ["Cost trend", "Zeta"]),
        (
            {"k": "created_at", "v": "2000-01-01T00:00:00Z", "o": "datetime_gt"},
            ["Budget", "Cost trend", "Zeta", "alpha errors"],
        ),
        ({"k": "created_at", "v": "2000-01-01T00:00:00Z", "o": "datetime_lt"}, []),
        ({"k": "updated_at", "v": "now-1h", "o": "timediff_gte"}, ["Budget", "Cost trend", "Zeta", "alpha errors"]),
        ({"k": "updated_at", "v": "now/d + 1d", "o": "timediff_gt"}, []),
        ({"k": "created_at", "v": "now", "o": "timediff_lte"}, ["Budget", "Cost trend", "Zeta", "alpha errors"]),
    ],
)
def test_every_operator(alice: SpaceOne, seeded: Any, condition: dict[str, Any], expected: list[str]) -> None:
    assert titles(alice, filter=[condition]) == expected


def test_filter_and_filter_or_combine(alice: SpaceOne, seeded: Any) -> None:
    query = {
        "filter": [{"k": "tags.team", "v": "finops", "o": "eq"}],
        "filter_or": [{"k": "title", "v": "Budget", "o": "eq"}, {"k": "labels", "v": "monthly", "o": "eq"}],
    }
    assert titles(alice, **query) == ["Budget", "Cost trend"]


def test_pages_start_at_one_and_total_counts_every_match(alice: SpaceOne, seeded: Any) -> None:
    first = alice.ok("list", query={"page": {"start": 1, "limit": 3}})
    second = alice.ok("list", query={"page": {"start": 4, "limit": 3}})
    assert [w["title"] for w in first["results"]] == ["Budget", "Cost trend", "Zeta"]
    assert [w["title"] for w in second["results"]] == ["alpha errors"]
    assert first["total_count"] == second["total_count"] == 4
    assert [w["title"] for w in alice.ok("list", query={"page": {"start": 0, "limit": 1}})["results"]] == ["Budget"]


def test_sort_only_minimal_count_only_and_keyword(alice: SpaceOne, seeded: Any) -> None:
    assert titles(alice, sort={"key": "settings.n", "desc": True}) == ["alpha errors", "Budget", "Cost trend", "Zeta"]
    only = alice.ok("list", query={"only": ["title"], "page": {"limit": 1}})["results"]
    assert only == [{"title": "Budget"}]
    minimal = alice.ok("list", query={"minimal": True, "page": {"limit": 1}})["results"][0]
    assert set(minimal) == {"custom_widget_id", "widget_name", "title", "user_id", "domain_id"}
    assert alice.ok("list", query={"count_only": True}) == {"results": [], "total_count": 4}
    assert titles(alice, keyword="TREND") == ["Cost trend"]


def test_the_requests_equality_fields(alice: SpaceOne, seeded: Any) -> None:
    one = seeded["Zeta"]["custom_widget_id"]
    assert [w["title"] for w in alice.ok("list", custom_widget_id=one)["results"]] == ["Zeta"]
    assert [w["title"] for w in alice.ok("list", widget_name="BUDGET")["results"]] == ["Budget"]
    assert alice.ok("list", user_id="someone-else")["total_count"] == 0


@pytest.mark.parametrize(
    ("condition", "status", "code"),
    [
        ({"k": "title", "v": "x", "o": "like"}, 500, "ERROR_DB_QUERY"),
        ({"k": "title", "v": ["x"], "o": "eq"}, 400, "ERROR_OPERATOR_VALUE_TYPE"),
        ({"k": "title", "v": "x", "o": "in"}, 400, "ERROR_OPERATOR_LIST_VALUE_TYPE"),
        ({"k": "title", "v": "yes", "o": "exists"}, 400, "ERROR_OPERATOR_BOOLEAN_TYPE"),
        ({"k": "created_at", "v": "yesterday", "o": "datetime_gt"}, 500, "ERROR_DB_QUERY"),
        ({"k": "created_at", "v": "now-3y", "o": "timediff_gt"}, 500, "ERROR_DB_QUERY"),
        ({"v": "x", "o": "eq"}, 500, "ERROR_DB_QUERY"),
    ],
)
def test_bad_conditions_are_refused_as_python_core_refuses_them(
    alice: SpaceOne, condition: dict[str, Any], status: int, code: str
) -> None:
    response = alice.call("list", query={"filter": [condition]})
    assert response.status_code == status and response.json()["detail"]["code"] == code


def test_stat_groups_counts_and_sums(alice: SpaceOne, seeded: Any) -> None:
    query = {
        "aggregate": {
            "group": {
                "keys": [{"key": "tags.team", "name": "team"}],
                "fields": [
                    {"name": "widgets", "operator": "count"},
                    {"key": "settings.n", "name": "total", "operator": "sum"},
                    {"key": "settings.n", "name": "most", "operator": "max"},
                    {"key": "settings.n", "name": "least", "operator": "min"},
                    {"key": "settings.n", "name": "mean", "operator": "avg"},
                ],
            }
        },
        "filter": [{"k": "tags.team", "v": True, "o": "exists"}],
        "sort": {"name": "team"},
        "page": {"start": 1, "limit": 10},
    }
    assert alice.ok("stat", query=query) == {
        "results": [
            {"team": "finops", "widgets": 2, "total": 10, "most": 7, "least": 3, "mean": 5.0},
            {"team": "sre", "widgets": 1, "total": 10, "most": 10, "least": 10, "mean": 10.0},
        ],
        "total_count": 2,
    }
    assert alice.ok("stat", query={"aggregate": {"count": {"name": "all"}}}) == {"results": [{"all": 4}]}
    missing = alice.call("stat", query={"filter": []})
    assert missing.status_code == 400 and missing.json()["detail"]["code"] == "ERROR_REQUIRED_PARAMETER"
    assert alice.call("stat").json()["detail"] == {
        "code": "ERROR_REQUIRED_PARAMETER",
        "message": "Required parameter. (key = query)",
    }
