"""Reading custom widgets: `list` filtered on `tags.wac-owner`, every page, checked for completeness."""

from __future__ import annotations

import asyncio
import math
from typing import Any

from reconciler.backends.spaceone_widgets.client import SpaceOneClient
from reconciler.backends.spaceone_widgets.codec import remote_from
from reconciler.backends.spaceone_widgets.vocabulary import CUSTOM_WIDGET_ID, ID_KEY, OWNER_KEY, PAGE_SIZE
from reconciler.core.backend import BackendError
from reconciler.core.resources import Remote

MALFORMED = "the API's answer is malformed, so nothing was planned from it"
_TEXT_FIELDS = ("widget_name", "title", "user_id", "created_at", "updated_at")
_STRUCT_FIELDS = ("options", "settings", "inherit_options", "tags")


async def list_widgets(client: SpaceOneClient, filters: list[dict[str, Any]]) -> tuple[list[Remote], str | None]:
    """Every widget matching `filters`, and why the listing may be incomplete (None when it is complete)."""

    def query(start: int) -> dict[str, Any]:
        page = {"start": start, "limit": PAGE_SIZE}
        return {"query": {"filter": filters, "page": page, "sort": {"key": "custom_widget_id"}}}

    first = await _page(client, query(1), 1)
    total = first.get("total_count")
    pages = [first]
    if isinstance(total, int) and total > PAGE_SIZE:
        rest = range(1, math.ceil(total / PAGE_SIZE))
        pages += await asyncio.gather(*(_page(client, query(1 + n * PAGE_SIZE), n + 1) for n in rest))
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
    if {p.get("total_count") for p in pages} != {total}:
        return "the number of widgets changed while the pages were read"
    if seen != total:
        return f"the listing returned {seen} widgets but the API counts {total}"
    return None
