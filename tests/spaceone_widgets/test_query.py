"""`list` and `stat` with python-core's Query: every operator, dotted keys, pages from 1, sort, only, totals."""

from __future__ import annotations

from typing import Any

import pytest

from tests.spaceone_widgets.conftest import SpaceOne


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
        "aggregate": [
            {
                "group": {
                    "keys": [{"key": "tags.team", "name": "team"}],
                    "fields": [
                        {"name": "widgets", "operator": "count"},
                        {"key": "settings.n", "name": "total", "operator": "sum"},
                        {"key": "settings.n", "name": "most", "operator": "max"},
                        {"key": "settings.n", "name": "least", "operator": "min"},
                        {"key": "settings.n", "name": "mean", "operator": "average"},
                    ],
                }
            },
            {"sort": {"key": "team"}},
        ],
        "filter": [{"k": "tags.team", "v": True, "o": "exists"}],
        "page": {"start": 1, "limit": 10},
    }
    assert alice.ok("stat", query=query) == {
        "results": [
            {"team": "finops", "widgets": 2, "total": 10, "most": 7, "least": 3, "mean": 5.0},
            {"team": "sre", "widgets": 1, "total": 10, "most": 10, "least": 10, "mean": 10.0},
        ],
        "total_count": 2,
    }
    assert alice.ok("stat", query={"aggregate": [{"count": {"name": "all"}}]}) == {"results": [{"all": 4}]}
    missing = alice.call("stat", query={"filter": []})
    assert missing.status_code == 400 and missing.json()["detail"]["code"] == "ERROR_REQUIRED_PARAMETER"
    assert alice.call("stat").json()["detail"] == {
        "code": "ERROR_REQUIRED_PARAMETER",
        "message": "Required parameter. (key = query)",
    }


def test_stat_stages_and_distinct(alice: SpaceOne, seeded: Any) -> None:
    by_label = {
        "aggregate": [
            {"unwind": {"path": "labels"}},
            {"group": {"keys": [{"key": "labels", "name": "label"}], "fields": [{"name": "n", "operator": "count"}]}},
            {"sort": {"keys": [{"key": "n", "desc": True}, {"key": "label"}]}},
            {"skip": 1},
            {"limit": 1},
        ]
    }
    assert alice.ok("stat", query=by_label) == {"results": [{"label": "finops", "n": 1}]}
    assert alice.ok("stat", query={"distinct": "tags.team"}) == {"results": ["finops", "sre"]}
    # $count says nothing at all when nothing reaches it.
    nothing = {"aggregate": [{"count": {"name": "n"}}], "filter": [{"k": "title", "v": "none", "o": "eq"}]}
    assert alice.ok("stat", query=nothing) == {"results": []}


@pytest.mark.parametrize(
    ("aggregate", "reason"),
    [
        # MongoModel.stat runs the pipeline in one try: its errors come back as a failed query (500).
        ({"count": {"name": "n"}}, "Parameter type is invalid. (key = aggregate, type = list)"),
        ([{"count": {}}], "Required parameter. (key = aggregate.count.name)"),
        ([{"sort": {"name": "team"}}], "Required parameter. (key = aggregate.sort.key)"),
        ([{"group": {"keys": [{"key": "title", "name": "t"}], "fields": [{"name": "x", "operator": "avg"}]}}], "avg"),
    ],
)
def test_stat_pipeline_errors_are_failed_queries(alice: SpaceOne, seeded: Any, aggregate: Any, reason: str) -> None:
    response = alice.call("stat", query={"aggregate": aggregate})
    assert response.status_code == 500 and response.json()["detail"]["code"] == "ERROR_DB_QUERY"
    assert reason in response.json()["detail"]["message"]


def test_stat_takes_no_top_level_sort(alice: SpaceOne, seeded: Any) -> None:
    group = {"group": {"keys": [{"key": "widget_name", "name": "name"}]}}
    plain = alice.ok("stat", query={"aggregate": [group]})
    assert alice.ok("stat", query={"aggregate": [group], "sort": {"key": "name", "desc": True}}) == plain


# python-core 1.12 `service/utils.py` append_keyword_filter(['custom_widget_id', 'title']) on list and stat.
def test_keyword_is_split_on_spaces_into_one_contain_in_per_keyword_field(alice: SpaceOne, seeded: Any) -> None:
    # Any word in any keyword field: the whole string "zeta budget" is in no title.
    assert titles(alice, keyword="  zeta  BUDGET ") == ["Budget", "Zeta"]
    zeta_id = seeded["Zeta"]["custom_widget_id"]
    assert titles(alice, keyword=f"{zeta_id[-6:]} alpha") == ["Zeta", "alpha errors"]
    assert titles(alice, keyword="   ") == ["Budget", "Cost trend", "Zeta", "alpha errors"]
    # Spaces split it, other white space does not.
    assert titles(alice, keyword="cost\ttrend") == []


def test_keyword_conditions_join_filter_or_and_are_anded_with_filter(alice: SpaceOne, seeded: Any) -> None:
    # Appended to filter_or: a widget the user's filter_or matches is found without the keyword.
    either = {"filter_or": [{"k": "title", "v": "Cost trend", "o": "eq"}], "keyword": "zeta"}
    assert titles(alice, **either) == ["Cost trend", "Zeta"]
    # filter still holds for every result.
    both = {"filter": [{"k": "tags.team", "v": "finops", "o": "eq"}], "keyword": "zeta budget"}
    assert titles(alice, **both) == ["Budget"]


def test_keyword_in_stat_and_a_keyword_that_is_not_text(alice: SpaceOne, seeded: Any) -> None:
    counted = alice.ok("stat", query={"aggregate": [{"count": {"name": "n"}}], "keyword": "zeta budget"})
    assert counted == {"results": [{"n": 2}]}
    # The decorator calls .strip() on it; the transaction reports the AttributeError as ERROR_UNKNOWN.
    response = alice.call("list", query={"keyword": 5})
    assert response.status_code == 500
    assert response.json()["detail"] == {"code": "ERROR_UNKNOWN", "message": "'int' object has no attribute 'strip'"}


# python-core 1.12 `model/mongo_model/__init__.py` MongoModel.query: `sort.key`, else `sort.keys` in turn.
def test_sort_by_several_keys(alice: SpaceOne, seeded: Any) -> None:
    keys = [{"key": "tags.team"}, {"key": "title", "desc": True}]
    # Missing first, then finops (titles descending), then sre.
    assert titles(alice, sort={"keys": keys}) == ["Zeta", "Cost trend", "Budget", "alpha errors"]
    owner_then_name = [{"key": "tags.wac-owner", "desc": True}, {"key": "widget_name"}]
    assert titles(alice, sort={"keys": owner_then_name}) == ["Cost trend", "alpha errors", "Budget", "Zeta"]
    # `key` is read first; without either, the model's ordering (title) holds.
    assert titles(alice, sort={"key": "title", "desc": True, "keys": keys}) == [
        "alpha errors",
        "Zeta",
        "Cost trend",
        "Budget",
    ]
    no_orders: list[dict[str, Any]] = [{"keys": []}, {}, {"desc": True}]
    for no_order in no_orders:
        assert titles(alice, sort=no_order) == ["Budget", "Cost trend", "Zeta", "alpha errors"]


@pytest.mark.parametrize("keys", [[{"desc": True}], ["title"], {"key": "title"}])
def test_sort_keys_python_core_cannot_read_are_its_unknown_error(alice: SpaceOne, seeded: Any, keys: Any) -> None:
    response = alice.call("list", query={"sort": {"keys": keys}})
    assert response.status_code == 500 and response.json()["detail"]["code"] == "ERROR_UNKNOWN"


def test_sorting_by_id_as_wac_lists_answers_what_the_general_sort_answers(alice: SpaceOne, seeded: Any) -> None:
    """`sort: {key: custom_widget_id}` is read in the store's own order, one widget at a time; the same
    widgets in the same order as the general sort (here by two keys, the first deciding), filters and pages
    included."""
    for n in range(12):
        alice.create(f"Extra {n}", tags={"wac-owner": "team-a" if n % 3 else "team-b"})
    owner = [{"k": "tags.wac-owner", "v": "team-a", "o": "eq"}]
    for conditions in ([], owner):
        for page in ({"start": 1, "limit": 5}, {"start": 6, "limit": 5}, {"start": 1, "limit": 100}):
            streamed = alice.ok("list", query={"filter": conditions, "sort": {"key": "custom_widget_id"}, "page": page})
            general = alice.ok(
                "list",
                query={
                    "filter": conditions,
                    "sort": {"keys": [{"key": "custom_widget_id"}, {"key": "title"}]},
                    "page": page,
                },
            )
            assert streamed == general
            ids = [w["custom_widget_id"] for w in streamed["results"]]
            assert ids == sorted(ids) and ids
