"""Reading the owner's widgets: search filtered on the owner tag, every page, checked for completeness."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable
from typing import Any, Final

from reconciler.backends.datadog_widgets.client import ApiError, WidgetsClient
from reconciler.backends.datadog_widgets.codec import KIND, remote_from, user_from
from reconciler.backends.datadog_widgets.tags import id_tag, owner_tag
from reconciler.backends.datadog_widgets.vocabulary import PAGE_SIZE_MAX, WIDGET_UUID
from reconciler.backends.http_client import read_pages
from reconciler.core.backend import Listing
from reconciler.core.resources import Remote, User

# The most pages one listing asks for: 1,000,000 widgets of an experience type at 100 a page, far
# past any real account, so a server claiming a vast total cannot keep a run asking.
MAX_PAGES: Final = 10_000


async def list_owned(client: WidgetsClient, owner: str, experience_types: Iterable[str]) -> Listing:
    """Every widget tagged for `owner`, all experience types concurrently, each with a completeness verdict."""
    results = await asyncio.gather(*(_list_type(client, t, [owner_tag(owner)], owner) for t in experience_types))
    widgets: list[Remote] = []
    incomplete: dict[tuple[str, str], str] = {}
    for experience_type, (found, problem) in zip(experience_types, results, strict=True):
        widgets.extend(found)
        if problem:
            incomplete[(KIND, experience_type)] = problem
    return Listing(tuple(widgets), incomplete)


async def list_all(client: WidgetsClient, experience_type: str) -> tuple[list[Remote], str | None]:
    """Every widget of the experience type, managed or not (for drift's unmanaged report and export)."""
    return await _list_type(client, experience_type, [], None)


async def list_every_type(client: WidgetsClient, experience_types: Iterable[str]) -> list[Remote]:
    """Every widget of these experience types, managed or not, the types read concurrently."""
    listings = await asyncio.gather(*(list_all(client, t) for t in experience_types))
    return [widget for widgets, _ in listings for widget in widgets]


async def fetch_widgets(client: WidgetsClient, wanted: Iterable[tuple[str, str]]) -> list[Remote]:
    """The widgets with these (experience_type, uuid), one GET each; missing ones are skipped."""

    async def one(experience_type: str, uuid: str) -> Remote | None:
        body = await client.get(experience_type, uuid)
        if body is None:
            return None
        item = checked_item(body.get("data"), f"get {experience_type}/{uuid}: data")
        return remote_from(experience_type, item, _users(body))

    found = await asyncio.gather(*(one(t, u) for t, u in wanted))
    return [w for w in found if w is not None]


async def find_by_manifest_id(
    client: WidgetsClient, owner: str, experience_type: str, manifest_id: str
) -> list[Remote]:
    """The owner's widgets carrying this wac-id: how a create whose answer was lost is looked up."""
    found, _ = await _list_type(client, experience_type, [owner_tag(owner), id_tag(manifest_id)], owner)
    return [w for w in found if w.claims.manifest_id == manifest_id]


async def _list_type(
    client: WidgetsClient, experience_type: str, tags: list[str], owner: str | None
) -> tuple[list[Remote], str | None]:
    def params(page: int) -> dict[str, str | int]:
        query: dict[str, str | int] = {"page[size]": PAGE_SIZE_MAX, "page[number]": page}
        if tags:
            query["filter[tags]"] = "[" + ",".join(tags) + "]"
        return query

    async def search(number: int) -> dict[str, Any]:
        return await client.search(experience_type, params(number))

    first = await search(0)
    total = _checked_total(client, first, f"search {experience_type} page 0")
    pages = [first]
    # A short first page is the whole listing, whatever the total claims (the verdict says so).
    if total is not None and total > PAGE_SIZE_MAX and _full(first):
        count = math.ceil(total / PAGE_SIZE_MAX)
        pages += await read_pages(search, range(1, count), client.parallelism, _full)
    by_uuid: dict[str, Remote] = {}
    for number, page in enumerate(pages):
        users = _users(page)
        items = page.get("data")
        where = f"search {experience_type} page {number}"
        if not isinstance(items, list):
            raise ApiError(f"{where}: the answer has no `data` list; {MALFORMED}")
        for index, item in enumerate(items):
            widget = remote_from(experience_type, checked_item(item, f"{where}: data[{index}]"), users)
            by_uuid[widget.remote_id] = widget
    widgets = list(by_uuid.values())
    problem = _completeness_problem(pages, total, len(widgets))
    if owner is not None:
        # The server filtered on the tag; nothing is touched unless the tag is really there. Widgets
        # that also carry another owner's tag stay in, so the planner can name the conflict.
        widgets = [w for w in widgets if owner in w.claims.owners]
    return widgets, problem


MALFORMED = "the API's answer is malformed, so nothing was planned from it"


def checked_item(item: Any, where: str) -> dict[str, Any]:
    """A widget from an answer, its shape checked field by field before any of it is used."""

    def refuse(what: str) -> ApiError:
        return ApiError(f"{where}{what}; {MALFORMED}")

    if not isinstance(item, dict):
        raise refuse(" is not an object")
    uuid = item.get("id")
    if not isinstance(uuid, str) or not WIDGET_UUID.fullmatch(uuid):
        raise refuse(".id is missing or not a UUID")
    attributes = item.get("attributes")
    if not isinstance(attributes, dict):
        raise refuse(".attributes is not an object")
    if not isinstance(attributes.get("definition"), dict):
        raise refuse(".attributes.definition is not an object")
    tags = attributes.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise refuse(".attributes.tags is not a list of text")
    for name in ("created_at", "modified_at"):
        if not isinstance(attributes.get(name, ""), str):
            raise refuse(f".attributes.{name} is not text")
    relationships = item.get("relationships", {})
    if relationships is not None and not isinstance(relationships, dict):
        raise refuse(".relationships is not an object")
    return item


def _full(page: dict[str, Any]) -> bool:
    items = page.get("data")
    return isinstance(items, list) and len(items) >= PAGE_SIZE_MAX


def _raw_total(page: dict[str, Any]) -> Any:
    meta = page.get("meta")
    return meta.get("filtered_total") if isinstance(meta, dict) else None


def _total(page: dict[str, Any]) -> int | None:
    value = _raw_total(page)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _checked_total(client: WidgetsClient, page: dict[str, Any], where: str) -> int | None:
    """The total the first page claims, None when it gives none (an incomplete listing); one that is
    not a count, or more than `MAX_PAGES` pages, ends the run before any other page is asked for."""
    raw = _raw_total(page)
    if raw is None:
        return None
    total = _total(page)
    if total is None or total < 0:
        raise ApiError(f"{where}: meta.filtered_total from {client.host} is not a count of widgets; {MALFORMED}")
    if total > MAX_PAGES * PAGE_SIZE_MAX:
        raise ApiError(
            f"{where}: {client.host} counts {total:,} widgets (meta.filtered_total), more than the"
            f" {MAX_PAGES * PAGE_SIZE_MAX:,} ({MAX_PAGES:,} pages) a listing reads (the limit); nothing was"
            " planned from it. Check that --site names the right site"
        )
    return total


def _completeness_problem(pages: list[dict[str, Any]], total: int | None, seen: int) -> str | None:
    if total is None:
        return "the API did not say how many widgets match (meta.filtered_total is missing)"
    totals = {_total(p) for p in pages}
    if totals != {total}:
        return "the number of widgets changed while the pages were read"
    if seen != total:
        return f"the listing returned {seen} widgets but the API counts {total}"
    return None


def _users(page: dict[str, Any]) -> dict[str, User]:
    """The users an answer includes; an entry of another shape is passed over (it only names editors)."""
    users = {}
    included = page.get("included")
    for item in included if isinstance(included, list) else []:
        if not isinstance(item, dict) or item.get("type") != "users" or not isinstance(item.get("attributes"), dict):
            continue
        user = user_from(item)
        if user is not None:
            users[user.id] = user
    return users
