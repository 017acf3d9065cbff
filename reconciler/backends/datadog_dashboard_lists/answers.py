"""Dashboard lists and their items as the API answers them, checked field by field before any of it is used."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from reconciler.backends.datadog_dashboard_lists.vocabulary import (
    DASHBOARD_TYPES,
    LIST_TYPE,
    MAX_LIST_ID,
    MAX_LISTS,
    MAX_MEMBERS,
    MAX_NAME,
    MEMBER_ID,
)
from reconciler.core.backend import BackendError

MALFORMED: Final = "the API's answer is malformed, so nothing was planned from it"


@dataclass(frozen=True)
class ListBody:
    """A list as the v1 API gives it: id, full name (with any marker), author, times, how many dashboards."""

    list_id: str
    name: str
    author_handle: str
    author_name: str
    created: str
    modified: str
    dashboard_count: int


@dataclass(frozen=True)
class Member:
    """A dashboard in a list, as the v2 items answer gives it."""

    dashboard_id: str
    type: str
    title: str


def _malformed(where: str, what: str) -> BackendError:
    return BackendError(f"{where}{what}; {MALFORMED}")


def list_id_of(value: Any, where: str) -> str:
    # bool is an int in Python; JSON's true is no list id.
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_LIST_ID:
        raise _malformed(where, ".id is missing or not a list id (a positive integer)")
    return str(value)


def _text(item: dict[str, Any], name: str, where: str, optional: bool = True) -> str:
    value = item.get(name)
    if value is None and optional:
        return ""
    if not isinstance(value, str) or len(value) > MAX_NAME:
        raise _malformed(where, f".{name} is not text of at most {MAX_NAME:,} characters")
    return value


def checked_list(item: Any, where: str, list_id: str | None = None) -> ListBody:
    """A v1 list, every field used checked; `list_id` is the one asked for, which it must be."""
    if not isinstance(item, dict):
        raise _malformed(where, " is not an object")
    found = list_id_of(item.get("id"), where)
    if list_id is not None and found != list_id:
        raise _malformed(where, f": the answer is list {found}, not the one asked for")
    if item.get("type", LIST_TYPE) != LIST_TYPE:
        raise _malformed(where, f".type is not {LIST_TYPE}")
    count = item.get("dashboard_count", 0)
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_MEMBERS:
        raise _malformed(where, f".dashboard_count is not a count up to {MAX_MEMBERS:,}")
    author = item.get("author") or {}
    if not isinstance(author, dict):
        raise _malformed(where, ".author is not an object")
    return ListBody(
        found,
        _text(item, "name", where, optional=False),
        _text(author, "handle", where + ".author"),
        _text(author, "name", where + ".author"),
        _text(item, "created", where),
        _text(item, "modified", where),
        count,
    )


def checked_lists(body: dict[str, Any], where: str) -> list[ListBody]:
    items = body.get("dashboard_lists")
    if not isinstance(items, list):
        raise _malformed(where, ": no `dashboard_lists` list")
    if len(items) > MAX_LISTS:
        raise BackendError(
            f"{where}: the answer holds {len(items):,} lists, more than the {MAX_LISTS:,} one run reads; nothing was"
            " planned. Check --site: no Datadog organisation has that many"
        )
    return [checked_list(item, f"{where}: dashboard_lists[{index}]") for index, item in enumerate(items)]


def checked_members(body: dict[str, Any], where: str) -> list[Member]:
    """The v2 items answer: each member's id and type checked, and as many as its `total` says (the endpoint
    has no pages, so fewer would be a membership read in part)."""
    items = body.get("dashboards")
    total = body.get("total")
    if not isinstance(items, list) or len(items) > MAX_MEMBERS:
        raise _malformed(where, f": no `dashboards` list of at most {MAX_MEMBERS:,}")
    if total is not None and (isinstance(total, bool) or not isinstance(total, int) or total != len(items)):
        raise _malformed(where, f": `total` is not the {len(items)} dashboards listed")
    return [_member(item, f"{where}: dashboards[{index}]") for index, item in enumerate(items)]


def _member(item: Any, at: str) -> Member:
    if not isinstance(item, dict):
        raise _malformed(at, " is not an object")
    dashboard_id, kind = item.get("id"), item.get("type")
    if not isinstance(dashboard_id, str) or not MEMBER_ID.fullmatch(dashboard_id):
        raise _malformed(at, ".id is missing or not a dashboard id")
    if kind not in DASHBOARD_TYPES:
        raise _malformed(at, f".type is not one of {', '.join(DASHBOARD_TYPES)}")
    return Member(dashboard_id, str(kind), _text(item, "title", at))
