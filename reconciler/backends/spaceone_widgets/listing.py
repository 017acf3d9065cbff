"""Reading custom widgets: `list` filtered on `tags.wac-owner`, every page, checked for completeness."""

from __future__ import annotations

import math
from typing import Any, Final

from reconciler.backends.http_client import read_pages
from reconciler.backends.spaceone_widgets.client import SpaceOneClient
from reconciler.backends.spaceone_widgets.codec import remote_from
from reconciler.backends.spaceone_widgets.vocabulary import CUSTOM_WIDGET_ID, ID_KEY, OWNER_KEY, PAGE_SIZE
from reconciler.core.backend import BackendError
from reconciler.core.resources import Remote

MALFORMED = "the API's answer is malformed, so nothing was planned from it"
# The most pages one listing asks for: 1,000,000 widgets at 1,000 a page, far past any real domain,
# so a server claiming a vast total_count cannot keep a run asking.
MAX_PAGES: Final = 1_000
_TEXT_FIELDS = ("widget_name", "title", "user_id", "created_at", "updated_at")
_STRUCT_FIELDS = ("options", "settings", "inherit_options", "tags")


async def list_widgets(client: SpaceOneClient, filters: list[dict[str, Any]]) -> tuple[list[Remote], str | None]:
    """Every widget matching `filters`, and why the listing may be incomplete (None when it is complete)."""

    def query(start: int) -> dict[str, Any]:
        page = {"start": start, "limit": PAGE_SIZE}
        return {"query": {"filter": filters, "page": page, "sort": {"key": "custom_widget_id"}}}

    async def read(index: int) -> dict[str, Any]:
        return await _page(client, query(1 + index * PAGE_SIZE), index + 1)

    first = await read(0)
    total = first.get("total_count")
    _check_total(client, total)
    pages = [first]
    # A short first page is the whole listing, whatever the total claims (the verdict says so).
    if isinstance(total, int) and total > PAGE_SIZE and _full(first):
        rest = range(1, math.ceil(total / PAGE_SIZE))
        pages += await read_pages(read, rest, client.parallelism, _full)
    found: dict[str, Remote] = {}
    for number, page in enumerate(pages, start=1):
        for index, item in enumerate(page["results"]):
            widget = remote_from(checked_info(item, f"list page {number}: results[{index}]"))
            found[widget.remote_id] = widget
    return list(found.values()), _completeness_problem(pages, total, len(found))


async def list_owned(client: SpaceOneClient, owner: str) -> tuple[list[Remote], str | None]:
    widgets, problem = await list_widgets(client, [{"k": f"tags.{OWNER_KEY}", "v": owner, "o": "eq"}])
    # `eq` ignores case on the server; nothing is touched unless the marker names exactly this owner.
    return [w for w in widgets if owner in w.claims.owners], problem


async def find(client: SpaceOneClient, owner: str, manifest_id: str) -> list[Remote]:
    filters = [{"k": f"tags.{OWNER_KEY}", "v": owner, "o": "eq"}, {"k": f"tags.{ID_KEY}", "v": manifest_id, "o": "eq"}]
    widgets, _ = await list_widgets(client, filters)
    return [w for w in widgets if w.claims.owned_as(owner, manifest_id)]


async def fetch(client: SpaceOneClient, custom_widget_id: str) -> Remote | None:
    info = await client.call("get", {"custom_widget_id": custom_widget_id})
    return None if info is None else remote_from(checked_info(info, f"get {custom_widget_id}"))


async def _page(client: SpaceOneClient, message: dict[str, Any], number: int) -> dict[str, Any]:
    answer = await client.call("list", message)
    if answer is None or not isinstance(answer.get("results"), list):
        raise BackendError(f"list page {number}: the answer has no `results` list; {MALFORMED}")
    return answer


def _full(page: dict[str, Any]) -> bool:
    return len(page["results"]) >= PAGE_SIZE


def _check_total(client: SpaceOneClient, total: Any) -> None:
    """A total_count that is not a count, or more than `MAX_PAGES` pages, ends the run before any other
    page is asked for; none at all makes the listing incomplete (the verdict says so)."""
    if total is None:
        return
    if not isinstance(total, int) or isinstance(total, bool) or total < 0:
        raise BackendError(f"list page 1: total_count from {client.host} is not a count of widgets; {MALFORMED}")
    if total > MAX_PAGES * PAGE_SIZE:
        raise BackendError(
            f"list page 1: {client.host} counts {total:,} custom widgets (total_count), more than the"
            f" {MAX_PAGES * PAGE_SIZE:,} ({MAX_PAGES:,} pages) a listing reads (the limit); nothing was planned"
            " from it. Check that the SpaceONE endpoint (--spaceone-endpoint) is right"
        )


def checked_info(item: Any, where: str) -> dict[str, Any]:
    """A CustomWidgetInfo, its shape checked field by field before any of it is used."""

    def refuse(what: str) -> BackendError:
        return BackendError(f"{where}{what}; {MALFORMED}")

    if not isinstance(item, dict):
        raise refuse(" is not an object")
    widget_id = item.get("custom_widget_id")
    if not isinstance(widget_id, str) or not CUSTOM_WIDGET_ID.fullmatch(widget_id):
        raise refuse(".custom_widget_id is missing or not a custom widget id")
    for name in _TEXT_FIELDS:
        if not isinstance(item.get(name, ""), str):
            raise refuse(f".{name} is not text")
    for name in _STRUCT_FIELDS:
        if not isinstance(item.get(name, {}), dict):
            raise refuse(f".{name} is not an object")
    labels = item.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise refuse(".labels is not a list of text")
    return item


def _completeness_problem(pages: list[dict[str, Any]], total: Any, seen: int) -> str | None:
    if not isinstance(total, int) or isinstance(total, bool):
        return "the API did not say how many widgets match (total_count is missing)"
    if any(p.get("total_count") != total for p in pages):  # not a set: a later page's value may be unhashable
        return "the number of widgets changed while the pages were read"
    if seen != total:
        return f"the listing returned {seen} widgets but the API counts {total}"
    return None
