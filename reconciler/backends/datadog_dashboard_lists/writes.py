"""Writing a list: its name (v1) and its membership (v2), each write re-checked against the list's marker
read right before it is sent; a member's type (what a v2 write must name) is learnt, never guessed."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from reconciler.backends.datadog_dashboard_lists.answers import ListBody, Member, checked_list, checked_members
from reconciler.backends.datadog_dashboard_lists.client import DashboardListsClient
from reconciler.backends.datadog_dashboard_lists.marker import split
from reconciler.backends.datadog_dashboard_lists.vocabulary import DASHBOARD_ID, TYPE_BY_LAYOUT
from reconciler.core.backend import BackendError, Gone
from reconciler.core.references import is_token


async def owned_list(
    client: DashboardListsClient, list_id: str, owner: str, manifest_id: str, adopting: bool = False
) -> ListBody:
    """The list read afresh, when its marker names exactly this owner and id (or, `adopting`, when it has no
    marker at all); Gone when it does not exist, a BackendError when it is not ours."""
    answer = await client.get(list_id)
    if answer is None:
        raise Gone(f"dashboard list {list_id} was deleted since the plan", status=404)
    body = checked_list(answer, f"get dashboard list {list_id}", list_id)
    claims = split(body.name)[1]
    if not (claims.owned_as(owner, manifest_id) or (adopting and claims.unowned)):
        raise BackendError(
            f"refused: dashboard list {list_id}'s name no longer carries exactly owner '{owner}' and id"
            f" '{manifest_id}' (it carries {claims.describe()}); nothing was written"
        )
    return body


async def current_members(client: DashboardListsClient, body: ListBody) -> list[Member]:
    if body.dashboard_count == 0:
        return []
    answer = await client.items(body.list_id)
    if answer is None:
        raise Gone(f"dashboard list {body.list_id} was deleted since the plan", status=404)
    return checked_members(answer, f"get items of dashboard list {body.list_id}")


async def _type_of(client: DashboardListsClient, dashboard_id: str) -> str:
    """A dashboard's type for a list, from its layout, read just before the write."""
    answer = await client.dashboard(dashboard_id)
    if answer is None:
        raise BackendError(
            f"dashboard {dashboard_id} does not exist (or was deleted), so no list can hold it; take it out of"
            " the list's `dashboards:` or restore the dashboard; nothing was written"
        )
    layout = answer.get("layout_type")
    if layout not in TYPE_BY_LAYOUT:
        raise BackendError(
            f"get dashboard {dashboard_id}: its layout_type is not one of {', '.join(TYPE_BY_LAYOUT)}, so its type"
            " in a list is unknown; nothing was written"
        )
    return TYPE_BY_LAYOUT[str(layout)]


async def typed(
    client: DashboardListsClient, wanted: Sequence[str], current: Sequence[Member]
) -> list[tuple[str, str]]:
    """Each wanted member with its type: the one the list's items give it when it is a member already,
    else read from the dashboard itself (one GET each, concurrently)."""
    known = {m.dashboard_id: m.type for m in current}
    for dashboard_id in wanted:
        if is_token(dashboard_id):
            raise BackendError(f"refused: member {dashboard_id} was never resolved to a dashboard id")
        if dashboard_id not in known and not DASHBOARD_ID.fullmatch(dashboard_id):
            raise BackendError(f"refused: {dashboard_id[:60]!r} is not a dashboard id like `abc-def-ghi`")
    missing = [d for d in wanted if d not in known]
    learnt = await asyncio.gather(*(_type_of(client, d) for d in missing))
    known.update(zip(missing, learnt, strict=True))
    return [(d, known[d]) for d in wanted]
