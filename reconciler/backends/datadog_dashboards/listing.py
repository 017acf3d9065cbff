"""Reading dashboards: summaries page by page (they carry the marker), then one GET per dashboard needed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from typing import Any

from reconciler.backends.datadog_dashboards.answers import MALFORMED, checked_dashboard, summary_fields
from reconciler.backends.datadog_dashboards.cache import DashboardCache
from reconciler.backends.datadog_dashboards.client import DashboardsClient
from reconciler.backends.datadog_dashboards.codec import remote_from
from reconciler.backends.datadog_dashboards.marker import EDITED, ShareRef, policy_applied, share_ref, split
from reconciler.backends.datadog_dashboards.vocabulary import PAGE_SIZE
from reconciler.backends.http_client import read_pages
from reconciler.core.backend import BackendError
from reconciler.core.resources import Claims, Remote

# A bound on pages, so a server that never ends its list cannot keep a plan running: 100,000 dashboards.
MAX_PAGES = 1_000
# List pages asked for at once after a full first page: the list gives no total, so each one past the end
# costs a request; four cut a listing's wall time about fourfold for at most three requests more.
SPECULATIVE = 4


@dataclass(frozen=True)
class Summary:
    """A dashboard as the list endpoint gives it: what its marker claims and records, and its version."""

    dashboard_id: str
    title: str
    claims: Claims
    modified_at: str
    share: ShareRef | None = None
    # The digest of the restriction policy its marker records as wac's: only such policies are read.
    policy: str | None = None


async def summaries(client: DashboardsClient, shared: bool = False) -> list[Summary]:
    """Every live dashboard (with `shared`, every one Datadog reports shared): id, title, the claims its
    description's marker makes and the share it records, and its modified_at."""
    what = "list shared dashboards" if shared else "list dashboards"

    async def page(number: int) -> list[Any]:
        items = (await client.page(number * PAGE_SIZE, shared=shared)).get("dashboards")
        if not isinstance(items, list):
            raise BackendError(f"{what} page {number}: no `dashboards` list; {MALFORMED}")
        return items

    pages = [await page(0)]
    # The endpoint gives no total: a short page is the last one. After a full first page the next ones are
    # asked for a few at a time, and none after the first short one (at most SPECULATIVE - 1 asked in vain).
    if len(pages[0]) >= PAGE_SIZE:
        workers = min(SPECULATIVE, client.parallelism)
        pages += await read_pages(page, range(1, MAX_PAGES), workers, lambda items: len(items) >= PAGE_SIZE)
        if len(pages[-1]) >= PAGE_SIZE:
            raise BackendError(
                f"the dashboard list of {client.host} did not end after {MAX_PAGES:,} pages"
                f" ({MAX_PAGES * PAGE_SIZE:,} dashboards, the most one run reads); nothing was planned. Check"
                " --site: no Datadog organisation lists that many"
            )
    found: dict[str, Summary] = {}
    for number, items in enumerate(pages):
        for index, item in enumerate(items):
            summary = summary_of(item, f"{what} page {number}: dashboards[{index}]")
            found[summary.dashboard_id] = summary
    return list(found.values())


def summary_of(item: Any, where: str) -> Summary:
    dashboard_id, description = summary_fields(item, where)
    modified, title = item.get("modified_at"), item.get("title")
    return Summary(
        dashboard_id,
        title if isinstance(title, str) else "",
        split(description)[1],
        modified if isinstance(modified, str) else "",
        share_ref(description),
        policy_applied(description),
    )


def claimed_by(summary: Summary, owner: str) -> Summary | None:
    """The summary as `owner` must see it: its own, a conflict naming it, or an edited marker that names no
    owner readably (which may be anyone's, so every owner is told of it); None when it is not this owner's."""
    owners = summary.claims.owners
    if owner in owners:
        return summary
    if owners == (EDITED,):
        return replace(summary, claims=replace(summary.claims, owners=(EDITED, owner)))
    return None


async def fetch_all(
    client: DashboardsClient, wanted: list[tuple[str, str]], cache: DashboardCache | None = None
) -> list[Remote]:
    """The dashboards with these (id, modified_at): from the cache when it holds that version, else one
    GET each, concurrently (the client bounds and paces them)."""

    async def one(dashboard_id: str, modified_at: str) -> Remote | None:
        cached = cache.get(dashboard_id, modified_at) if cache is not None and modified_at else None
        if cached is not None:
            return remote_from(cached)
        body = await client.get(dashboard_id)
        if body is None:
            return None
        checked = checked_dashboard(body, f"get dashboard {dashboard_id}", dashboard_id)
        if cache is not None:
            cache.put(checked)
        return remote_from(checked)

    found = await asyncio.gather(*(one(dashboard_id, modified) for dashboard_id, modified in wanted))
    return [remote for remote in found if remote is not None]


async def fetch(client: DashboardsClient, dashboard_id: str) -> Remote | None:
    body = await client.get(dashboard_id)
    return None if body is None else remote_from(checked_dashboard(body, f"get dashboard {dashboard_id}", dashboard_id))
