"""Reading lists: every list in the one v1 answer (it carries the marker in the name), then the v2 items of
only the lists needed, concurrently; a list the v1 answer counts empty needs no items read."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace

from reconciler.backends.datadog_dashboard_lists.answers import (
    ListBody,
    Member,
    checked_list,
    checked_lists,
    checked_members,
)
from reconciler.backends.datadog_dashboard_lists.client import DashboardListsClient
from reconciler.backends.datadog_dashboard_lists.codec import remote_from
from reconciler.backends.datadog_dashboard_lists.marker import EDITED, split
from reconciler.core.resources import Claims, Remote


async def every_list(client: DashboardListsClient) -> list[ListBody]:
    """Every list of the organisation: the endpoint has no pages and no filter, so one answer is all of them."""
    return checked_lists(await client.lists(), "list dashboard lists")


def claims_for(body: ListBody, owner: str) -> Claims | None:
    """The list's claims as `owner` must see them: its own, a conflict naming it, or an edited marker naming no
    owner readably (which may be anyone's, so every owner is told of it); None when it is not this owner's."""
    claims = split(body.name)[1]
    if owner in claims.owners:
        return claims
    if claims.owners == (EDITED,):
        return replace(claims, owners=(EDITED, owner))
    return None


async def members(client: DashboardListsClient, body: ListBody) -> list[Member] | None:
    """The list's dashboards; None when the list is gone. No call when the list says it holds none."""
    if body.dashboard_count == 0:
        return []
    answer = await client.items(body.list_id)
    return None if answer is None else checked_members(answer, f"get items of dashboard list {body.list_id}")


async def read_all(
    client: DashboardListsClient, bodies: Sequence[ListBody], claims: Sequence[Claims | None] = ()
) -> list[Remote]:
    """Each list with its items (and, when given, the claims as its owner sees them); a list deleted while it
    was read is left out."""
    found = await asyncio.gather(*(members(client, body) for body in bodies))
    remotes = []
    for index, (body, listed) in enumerate(zip(bodies, found, strict=True)):
        if listed is None:
            continue
        remote = remote_from(body, listed)
        seen = claims[index] if index < len(claims) else None
        remotes.append(replace(remote, claims=seen) if seen is not None else remote)
    return remotes


async def fetch(client: DashboardListsClient, list_id: str) -> Remote | None:
    answer = await client.get(list_id)
    if answer is None:
        return None
    found = await read_all(client, [checked_list(answer, f"get dashboard list {list_id}", list_id)])
    return found[0] if found else None
