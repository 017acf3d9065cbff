"""Reading every powerpack: pages of the largest size the API allows, each item checked, with a verdict on
whether the listing is provably complete.

The API has no filter on tags, so the owner's powerpacks are picked from the whole listing. Its answers may say
how many powerpacks there are (`meta.pagination.total`, in the published OpenAPI; the recordings of the real API
carry none): when they do, a listing that saw fewer is incomplete; when they do not, a short page is the last.
"""

from __future__ import annotations

import math
from typing import Any, Final, NamedTuple

from reconciler.backends.datadog_powerpacks.answers import MALFORMED, checked_item, users_of
from reconciler.backends.datadog_powerpacks.client import PowerpacksClient
from reconciler.backends.datadog_powerpacks.codec import remote_from
from reconciler.backends.datadog_powerpacks.marker import policy_applied
from reconciler.backends.datadog_powerpacks.vocabulary import PAGE_LIMIT
from reconciler.backends.http_client import read_pages
from reconciler.core.backend import BackendError
from reconciler.core.resources import Remote

# A bound on pages, so a server that never ends its list cannot keep a run asking: 1,000,000 powerpacks.
MAX_PAGES: Final = 1_000


def _full(page: dict[str, Any]) -> bool:
    items = page.get("data")
    return isinstance(items, list) and len(items) >= PAGE_LIMIT


def _total(client: PowerpacksClient, page: dict[str, Any], where: str) -> int | None:
    """The count the page claims (None when it gives none); one that is not a count ends the run."""
    meta = page.get("meta")
    pagination = meta.get("pagination") if isinstance(meta, dict) else None
    raw = None
    if isinstance(pagination, dict):
        raw = pagination.get("total", pagination.get("total_count"))
    if raw is None:
        return None
    if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
        raise BackendError(f"{where}: meta.pagination.total from {client.host} is not a count; {MALFORMED}")
    if raw > MAX_PAGES * PAGE_LIMIT:
        raise BackendError(
            f"{where}: {client.host} counts {raw:,} powerpacks, more than the {MAX_PAGES * PAGE_LIMIT:,} a listing"
            " reads (the limit); nothing was planned from it. Check that --site names the right site"
        )
    return raw


async def _pages(client: PowerpacksClient) -> tuple[list[dict[str, Any]], int | None]:
    async def fetch(number: int) -> dict[str, Any]:
        page = await client.page(number * PAGE_LIMIT)
        meta = page.get("meta")
        pagination = meta.get("pagination") if isinstance(meta, dict) else None
        offset = pagination.get("offset", number * PAGE_LIMIT) if isinstance(pagination, dict) else number * PAGE_LIMIT
        if offset != number * PAGE_LIMIT:
            # A server that ignores page[offset] would hand the same page back until the page bound.
            raise BackendError(f"list powerpacks page {number}: the answer is for another offset; {MALFORMED}")
        return page

    first = await fetch(0)
    total = _total(client, first, "list powerpacks page 0")
    pages = [first]
    if not _full(first):
        return pages, total
    if total is not None:
        # The count says how many pages there are: they are read side by side.
        count = min(math.ceil(total / PAGE_LIMIT), MAX_PAGES)
        return pages + await read_pages(fetch, range(1, count), client.parallelism, _full), total
    for number in range(1, MAX_PAGES):
        pages.append(await fetch(number))
        if not _full(pages[-1]):
            return pages, total
    raise BackendError(
        f"the powerpack list of {client.host} did not end after {MAX_PAGES:,} pages ({MAX_PAGES * PAGE_LIMIT:,}"
        " powerpacks, the most one run reads); nothing was planned. Check --site"
    )


class Listed(NamedTuple):
    """Every powerpack; the digest of the edit lock each one's tags record as wac's (by powerpack id, only those
    that record one); and why the listing is not provably complete (None when it is)."""

    powerpacks: list[Remote]
    locks: dict[str, str]
    problem: str | None


def recorded_lock(item: dict[str, Any]) -> str | None:
    """The digest of the edit lock a checked `data` item's tags record as wac's, or None."""
    return policy_applied(tuple(item["attributes"].get("tags") or ()))


async def every(client: PowerpacksClient) -> Listed:
    """Every powerpack, the locks their tags record, and why the listing is not provably complete."""
    pages, total = await _pages(client)
    found: dict[str, Remote] = {}
    locks: dict[str, str] = {}
    listed = 0
    for number, page in enumerate(pages):
        where = f"list powerpacks page {number}"
        items = page.get("data")
        if not isinstance(items, list):
            raise BackendError(f"{where}: no `data` list; {MALFORMED}")
        users = users_of(page)
        for index, item in enumerate(items):
            checked = checked_item(item, f"{where}: data[{index}]")
            powerpack = remote_from(checked, users)
            found[powerpack.remote_id] = powerpack
            lock = recorded_lock(checked)
            if lock is not None:
                locks[powerpack.remote_id] = lock
            listed += 1
    return Listed(list(found.values()), locks, _problem(listed, len(found), total))


def _problem(listed: int, distinct: int, total: int | None) -> str | None:
    if listed != distinct:
        return "a powerpack was listed twice: the pages shifted while they were read"
    if total is not None and distinct != total:
        return f"the listing returned {distinct} powerpacks but the API counts {total}"
    return None


async def fetch(client: PowerpacksClient, powerpack_id: str) -> Remote | None:
    body = await client.get(powerpack_id)
    return None if body is None else remote_of(body, powerpack_id)


async def fetch_with_lock(client: PowerpacksClient, powerpack_id: str) -> tuple[Remote, str | None] | None:
    """The powerpack and the digest of the edit lock its tags record (None when they record none); None when gone."""
    body = await client.get(powerpack_id)
    if body is None:
        return None
    return remote_of(body, powerpack_id), recorded_lock(body["data"])


def remote_of(body: dict[str, Any], powerpack_id: str) -> Remote:
    """The powerpack a GET answered, checked to be the one asked for."""
    item = checked_item(body.get("data"), f"get powerpack {powerpack_id}: data", powerpack_id)
    return remote_from(item, users_of(body))
