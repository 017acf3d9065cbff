"""Search: every filter, sort and page boundary, the meta totals and the included users."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import BOB, InProcessEmulator, widget_body

BASE = "/api/v2/widgets/ccm_reports"


def titles(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [w["attributes"]["definition"]["title"] for w in response.json()["data"]]


@pytest.fixture()
def bob(in_process: InProcessEmulator) -> httpx.Client:
    return in_process.client(BOB)


@pytest.fixture()
def seeded(api: httpx.Client, bob: httpx.Client) -> dict[str, str]:
    """Five widgets: three of Alice's, two of Bob's, made in this order."""
    ids = {}
    for client, title, widget_type, tags in [
        (api, "Charlie costs", "bar_chart", ["team:a", "env:prod"]),
        (api, "alpha errors", "toplist", ["team:a"]),
        (bob, "Bravo funnel", "funnel", ["team:b", "env:prod"]),
        (api, "Delta costs", "bar_chart", ["env:prod"]),
        (bob, "echo", "treemap", []),
    ]:
        ids[title] = client.post(BASE, json=widget_body(title, widget_type, tags)).json()["data"]["id"]
    api.get(BASE)  # a read never changes what is listed
    return ids


def test_default_order_is_creation_order(api: httpx.Client, seeded: dict[str, str]) -> None:
    assert titles(api.get(BASE)) == list(seeded)


def test_filter_widget_type(api: httpx.Client, seeded: dict[str, str]) -> None:
    assert titles(api.get(BASE, params={"filter[widgetType]": "bar_chart"})) == ["Charlie costs", "Delta costs"]


def test_filter_creator_handle(api: httpx.Client, bob: httpx.Client, seeded: dict[str, str]) -> None:
    handle = next(u["attributes"]["handle"] for u in bob.get(BASE, params={"filter[title]": "echo"}).json()["included"])
    assert titles(api.get(BASE, params={"filter[creatorHandle]": handle})) == ["Bravo funnel", "echo"]
    assert titles(api.get(BASE, params={"filter[creatorHandle]": "nobody@example.com"})) == []


def test_filter_title_is_a_case_insensitive_substring(api: httpx.Client, seeded: dict[str, str]) -> None:
    assert titles(api.get(BASE, params={"filter[title]": "COSTS"})) == ["Charlie costs", "Delta costs"]
    assert titles(api.get(BASE, params={"filter[title]": "ph"})) == ["alpha errors"]


def test_filter_tags_needs_every_listed_tag(api: httpx.Client, seeded: dict[str, str]) -> None:
    assert titles(api.get(BASE, params={"filter[tags]": "[env:prod]"})) == [
        "Charlie costs",
        "Bravo funnel",
        "Delta costs",
    ]
    assert titles(api.get(BASE, params={"filter[tags]": "[team:a,env:prod]"})) == ["Charlie costs"]
    assert titles(api.get(BASE, params={"filter[tags]": "[team:a, env:prod]"})) == ["Charlie costs"]
    assert titles(api.get(BASE, params={"filter[tags]": "[team:zzz]"})) == []
    assert titles(api.get(BASE, params={"filter[tags]": "[team]"})) == [], "tags match whole, not by prefix"


def test_filters_combine(api: httpx.Client, seeded: dict[str, str]) -> None:
    params = {"filter[tags]": "[env:prod]", "filter[widgetType]": "bar_chart", "filter[title]": "delta"}
    assert titles(api.get(BASE, params=params)) == ["Delta costs"]


def test_favorites_filter_sort_and_totals(api: httpx.Client, bob: httpx.Client, seeded: dict[str, str]) -> None:
    for title in ("Delta costs", "echo"):
        assert api.put(f"/_emulator/favorites/ccm_reports/{seeded[title]}").status_code == 204
    favourites = api.get(BASE, params={"filter[isFavorited]": "true"})
    assert titles(favourites) == ["Delta costs", "echo"]
    assert all(w["attributes"]["is_favorited"] for w in favourites.json()["data"])
    assert titles(api.get(BASE, params={"sort": "is_favorited"}))[:2] == ["Delta costs", "echo"]
    assert titles(api.get(BASE, params={"sort": "-is_favorited"}))[:2] == ["Delta costs", "echo"]
    assert api.get(BASE).json()["meta"]["favorited_by_you_total"] == 2
    assert bob.get(BASE).json()["meta"]["favorited_by_you_total"] == 0, "favourites are per user"
    assert not any(w["attributes"]["is_favorited"] for w in bob.get(BASE).json()["data"])
    assert api.get(f"{BASE}/{seeded['echo']}").json()["data"]["attributes"]["is_favorited"] is True
    api.delete(f"/_emulator/favorites/ccm_reports/{seeded['echo']}")
    assert titles(api.get(BASE, params={"filter[isFavorited]": "true"})) == ["Delta costs"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("title", ["alpha errors", "Bravo funnel", "Charlie costs", "Delta costs", "echo"]),
        ("-title", ["echo", "Delta costs", "Charlie costs", "Bravo funnel", "alpha errors"]),
        ("created_at", ["Charlie costs", "alpha errors", "Bravo funnel", "Delta costs", "echo"]),
        ("-created_at", ["echo", "Delta costs", "Bravo funnel", "alpha errors", "Charlie costs"]),
    ],
)
def test_sort(api: httpx.Client, seeded: dict[str, str], sort: str, expected: list[str]) -> None:
    assert titles(api.get(BASE, params={"sort": sort})) == expected


def test_sort_modified_at_follows_edits(api: httpx.Client, seeded: dict[str, str]) -> None:
    api.put(f"{BASE}/{seeded['alpha errors']}", json=widget_body("alpha errors", "toplist"))
    assert titles(api.get(BASE, params={"sort": "-modified_at"}))[0] == "alpha errors"
    assert titles(api.get(BASE, params={"sort": "modified_at"}))[-1] == "alpha errors"


def test_meta_totals(api: httpx.Client, seeded: dict[str, str]) -> None:
    meta = api.get(BASE, params={"filter[tags]": "[env:prod]", "page[size]": 1}).json()["meta"]
    assert meta == {
        "filtered_total": 3,
        "created_by_you_total": 2,
        "favorited_by_you_total": 0,
        "created_by_anyone_total": 5,
    }


def test_included_lists_each_user_once(api: httpx.Client, seeded: dict[str, str]) -> None:
    body = api.get(BASE).json()
    referenced = {w["relationships"][r]["data"]["id"] for w in body["data"] for r in ("created_by", "modified_by")}
    assert sorted(u["id"] for u in body["included"]) == sorted(referenced)
    assert len(referenced) == 2


def test_pagination_is_zero_indexed_and_exact(api: httpx.Client) -> None:
    for i in range(205):
        api.post(BASE, json=widget_body(f"w{i:03d}"))
    pages = [titles(api.get(BASE, params={"page[size]": 100, "page[number]": n})) for n in range(4)]
    assert [len(p) for p in pages] == [100, 100, 5, 0]
    assert [t for p in pages for t in p] == [f"w{i:03d}" for i in range(205)]
    assert api.get(BASE, params={"page[size]": 100}).json()["meta"]["filtered_total"] == 205
    assert len(titles(api.get(BASE, params={"page[size]": 1, "page[number]": 204}))) == 1
    assert len(titles(api.get(BASE))) == 50, "the default page size"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"page[size]": 101}, "page[size]: must be between 1 and 100"),
        ({"page[size]": 0}, "page[size]: must be between 1 and 100"),
        ({"page[number]": -1}, "page[number]: must be 0 or more"),
        ({"page[number]": "two"}, "page[number]: must be an integer"),
        ({"sort": "owner"}, "sort: invalid value"),
        ({"filter[widgetType]": "pie"}, "filter[widgetType]: invalid value"),
        ({"filter[isFavorited]": "maybe"}, "filter[isFavorited]: must be true or false"),
    ],
)
def test_bad_search_parameters_are_400(api: httpx.Client, params: dict[str, object], message: str) -> None:
    response = api.get(BASE, params=params)  # type: ignore[arg-type]
    assert response.status_code == 400
    assert any(message in e for e in response.json()["errors"]), response.json()
