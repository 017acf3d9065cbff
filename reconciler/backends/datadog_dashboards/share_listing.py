"""Reading shares: each through the token its dashboard's marker records (there is no other way to
find one), and the list of shared dashboards to catch shares no marker records."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Final

from reconciler.backends.datadog_dashboards.answers import MALFORMED
from reconciler.backends.datadog_dashboards.client import DashboardsClient
from reconciler.backends.datadog_dashboards.listing import Summary, summaries
from reconciler.backends.datadog_dashboards.sharing import remote_share, unreadable_share
from reconciler.core.backend import BackendError
from reconciler.core.resources import Remote

UNRECORDED: Final = "(share not recorded in the marker)"
UNRECORDED_HELP: Final = (
    "Datadog reports this dashboard shared, but its marker records no share of it (it was shared in the UI, or"
    " the answer to a share was lost), so wac can neither read nor revoke that share. Revoke it in Datadog (the"
    " dashboard's Share menu); the next apply then shares it as the manifest says, or not at all"
)
MAX_INVITATION_PAGES: Final = 1_000
_SHARE_FIELD_TYPES: Final[dict[str, type]] = {
    "global_time": dict, "selectable_template_vars": list, "expiration": str,
    "global_time_selectable_enabled": bool, "embeddable_domains": list, "status": str,
}  # fmt: skip


async def shared_ids(client: DashboardsClient) -> set[str]:
    return {summary.dashboard_id for summary in await summaries(client, shared=True)}


async def read_share(client: DashboardsClient, summary: Summary) -> Remote | None:
    """The share the summary's marker records, or None when it records none or another's; a share revoked
    outside wac is a share with no content (its dead token is still in the marker, for a revoke to clear)."""
    ref = summary.share
    if ref is None:
        return None
    body = await client.share(ref.token)
    if body is None:
        dead = unreadable_share(summary.dashboard_id, summary.title, replace(summary.claims, applied=ref.applied))
        return replace(dead, stale=True)
    where = f"shared dashboard of {summary.dashboard_id}"
    share = checked_share(body, where)
    if share["dashboard_id"] != summary.dashboard_id:
        return None  # a token copied into this marker by hand: not this dashboard's share
    invited = await invitations(client, ref.token, where) if share.get("share_type") == "invite" else []
    claims = replace(summary.claims, applied=ref.applied)
    return remote_share(summary.dashboard_id, summary.title, share, invited, claims)


async def shares_of(client: DashboardsClient, found: Sequence[Summary], shared: set[str]) -> list[Remote]:
    """The shares of these dashboards: read through their markers, and those Datadog reports but no
    marker records (unreadable, claimed as their dashboard is plus a conflict)."""
    read = await asyncio.gather(*(read_share(client, s) for s in found if s.share is not None))
    result = [remote for remote in read if remote is not None]
    # A dead token in a marker reads as a stale share: it hides no live share Datadog reports.
    live = {remote.remote_id for remote in result if not remote.stale}
    for summary in found:
        if summary.dashboard_id in shared and summary.dashboard_id not in live:
            claims = replace(summary.claims, resolve=UNRECORDED_HELP)
            if claims.owners:
                claims = replace(claims, owners=tuple(sorted({*claims.owners, UNRECORDED})))
            result.append(unreadable_share(summary.dashboard_id, summary.title, claims))
    return result


async def invitations(client: DashboardsClient, token: str, where: str) -> list[str]:
    """Every email with an invitation to the share, page by page until the total is seen."""
    found: list[str] = []
    for number in range(MAX_INVITATION_PAGES):
        page = await client.invitation_page(token, number)
        data, total = page.get("data"), _total(page)
        if not isinstance(data, list) or total is None:
            raise BackendError(f"invitations of the {where}: no `data` list or total; {MALFORMED}")
        for index, item in enumerate(data):
            attributes = item.get("attributes") if isinstance(item, dict) else None
            email = attributes.get("email") if isinstance(attributes, dict) else None
            if not isinstance(email, str):
                raise BackendError(f"invitations of the {where}: data[{index}] has no email; {MALFORMED}")
            found.append(email)
        if len(found) >= total or not data:
            return found
    raise BackendError(f"invitations of the {where} did not end after {MAX_INVITATION_PAGES} pages; {MALFORMED}")


def _total(page: dict[str, Any]) -> int | None:
    meta = page.get("meta")
    paging = meta.get("page") if isinstance(meta, dict) else None
    total = paging.get("total_count") if isinstance(paging, dict) else None
    return total if isinstance(total, int) and not isinstance(total, bool) else None


def checked_share(body: Any, where: str) -> dict[str, Any]:
    if not isinstance(body, dict) or not isinstance(body.get("dashboard_id"), str):
        raise BackendError(f"{where}: the answer is not a shared dashboard; {MALFORMED}")
    if not isinstance(body.get("share_type", "open"), str | None):
        raise BackendError(f"{where}.share_type is not text; {MALFORMED}")
    listed = body.get("share_list") or []
    if not isinstance(listed, list) or not all(isinstance(e, str) for e in listed):
        raise BackendError(f"{where}.share_list is not a list of emails; {MALFORMED}")
    for name, allowed in _SHARE_FIELD_TYPES.items():
        value = body.get(name)
        if value is not None and not isinstance(value, allowed):
            raise BackendError(f"{where}.{name} is not a {allowed.__name__}; {MALFORMED}")
    domains = body.get("embeddable_domains") or []
    if not all(isinstance(domain, str) for domain in domains):
        raise BackendError(f"{where}.embeddable_domains is not a list of domains; {MALFORMED}")
    return body
