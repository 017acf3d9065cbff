"""Reading dashboards: summaries page by page (they carry the marker), then one GET per dashboard needed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import Any

from reconciler.backends.datadog_dashboards.cache import DashboardCache
from reconciler.backends.datadog_dashboards.client import DashboardsClient
from reconciler.backends.datadog_dashboards.codec import remote_from
from reconciler.backends.datadog_dashboards.marker import COPIED, COPIED_HELP, ShareRef, share_ref, split
from reconciler.backends.datadog_dashboards.vocabulary import DASHBOARD_ID, PAGE_SIZE
from reconciler.core.backend import BackendError
from reconciler.core.resources import Claims, Remote

MALFORMED = "the API's answer is malformed, so nothing was planned from it"
# A bound on pages, so a server that never ends its list cannot keep a plan running.
MAX_PAGES = 10_000


@dataclass(frozen=True)
class Summary:
    """A dashboard as the list endpoint gives it: what its marker claims and records, and its version."""

    dashboard_id: str
    title: str
    claims: Claims
    modified_at: str
    share: ShareRef | None = None


async def summaries(client: DashboardsClient, shared: bool = False) -> list[Summary]:
    """Every live dashboard (with `shared`, every one Datadog reports shared): id, title, the claims its
    description's marker makes and the share it records, and its modified_at."""
    found: dict[str, Summary] = {}
    what = "list shared dashboards" if shared else "list dashboards"
    for number in range(MAX_PAGES):
        page = await client.page(number * PAGE_SIZE, shared=shared)
        items = page.get("dashboards")
        if not isinstance(items, list):
            raise BackendError(f"{what} page {number}: no `dashboards` list; {MALFORMED}")
        for index, item in enumerate(items):
            dashboard_id, description = _summary(item, f"{what} page {number}: dashboards[{index}]")
            modified, title = item.get("modified_at"), item.get("title")
            found[dashboard_id] = Summary(
                dashboard_id,
                title if isinstance(title, str) else "",
                split(description)[1],
                modified if isinstance(modified, str) else "",
                share_ref(description),
            )
        # The endpoint gives no total: a short page is the last one.
        if len(items) < PAGE_SIZE:
            return _copies_named(list(found.values()))
    raise BackendError(f"the dashboard list did not end after {MAX_PAGES} pages; {MALFORMED}")


def _copies_named(found: list[Summary]) -> list[Summary]:
    """A marker on two dashboards (a clone made in the UI copies the description) is a conflict, not a
    duplicate to delete: a person decides which one the manifest manages."""
    seen: dict[tuple[tuple[str, ...], tuple[str, ...]], int] = {}
    for summary in found:
        claims = summary.claims
        if claims.owners and claims.manifest_ids:
            key = (claims.owners, claims.manifest_ids)
            seen[key] = seen.get(key, 0) + 1
    result = []
    for summary in found:
        claims = summary.claims
        if seen.get((claims.owners, claims.manifest_ids), 0) > 1:
            copied = replace(claims, owners=tuple(sorted({*claims.owners, COPIED})), resolve=COPIED_HELP)
            # A copied marker's token belongs to the original's share, not this dashboard's.
            summary = replace(summary, claims=copied, share=None)
        result.append(summary)
    return result


async def fetch_all(
    client: DashboardsClient, wanted: list[tuple[str, str]], cache: DashboardCache | None = None
) -> list[Remote]:
    """The dashboards with these (id, modified_at): from the cache when it holds that version, else one
    GET each, concurrently (the client bounds and paces them)."""

    async def one(dashboard_id: str, modified_at: str) -> Remote | None:
        cached = cache.get(dashboard_id, modified_at) if cache is not None and modified_at else None
        if cached is not None:
            try:
                return remote_from(checked_dashboard(cached, f"cached dashboard {dashboard_id}"))
            except BackendError:
                pass  # a damaged entry is read again from the API
        body = await client.get(dashboard_id)
        if body is None:
            return None
        checked = checked_dashboard(body, f"get dashboard {dashboard_id}")
        if cache is not None:
            cache.put(checked)
        return remote_from(checked)

    found = await asyncio.gather(*(one(dashboard_id, modified) for dashboard_id, modified in wanted))
    return [remote for remote in found if remote is not None]


async def fetch(client: DashboardsClient, dashboard_id: str) -> Remote | None:
    body = await client.get(dashboard_id)
    return None if body is None else remote_from(checked_dashboard(body, f"get dashboard {dashboard_id}"))


def _summary(item: Any, where: str) -> tuple[str, str | None]:
    if not isinstance(item, dict):
        raise BackendError(f"{where} is not an object; {MALFORMED}")
    dashboard_id, description = item.get("id"), item.get("description")
    if not isinstance(dashboard_id, str) or not DASHBOARD_ID.fullmatch(dashboard_id):
        raise BackendError(f"{where}.id is missing or not a dashboard id; {MALFORMED}")
    if description is not None and not isinstance(description, str):
        raise BackendError(f"{where}.description is not text; {MALFORMED}")
    return dashboard_id, description


def checked_dashboard(body: Any, where: str) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BackendError(f"{where}: the answer is not an object; {MALFORMED}")
    _summary(body, where)
    if not isinstance(body.get("title"), str) or not isinstance(body.get("widgets"), list):
        raise BackendError(f"{where}: title or widgets missing; {MALFORMED}")
    tags = body.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise BackendError(f"{where}.tags is not a list of text; {MALFORMED}")
    for name in ("created_at", "modified_at", "author_handle"):
        if not isinstance(body.get(name, ""), str | None):
            raise BackendError(f"{where}.{name} is not text; {MALFORMED}")
    return body
