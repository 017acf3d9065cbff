"""Reading dashboards' edit locks: only of dashboards whose marker records one as wac's, one GET each."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace

from reconciler.backends.datadog_dashboards.client import DashboardsClient
from reconciler.backends.datadog_dashboards.listing import Summary
from reconciler.backends.datadog_dashboards.permissions import remote_permissions
from reconciler.backends.datadog_dashboards.vocabulary import POLICY_RESOURCE_TYPE
from reconciler.backends.datadog_restriction import Permissions, is_empty
from reconciler.core.resources import Remote


def resource_of(dashboard_id: str) -> str:
    return f"{POLICY_RESOURCE_TYPE}:{dashboard_id}"


async def read_lock(client: DashboardsClient, summary: Summary, recorded_only: bool = True) -> Remote | None:
    """The dashboard's policy under its claims (applied: the digest its marker records); None when the marker
    records none (`recorded_only`) or, otherwise, when the dashboard has no policy."""
    if recorded_only and summary.policy is None:
        return None
    content: Permissions = await client.restriction(summary.dashboard_id)
    if summary.policy is None and is_empty(content):
        return None
    claims = replace(summary.claims, applied=summary.policy)
    return remote_permissions(summary.dashboard_id, summary.title, content, claims)


async def locks_of(client: DashboardsClient, found: Sequence[Summary], recorded_only: bool = True) -> list[Remote]:
    """The policies of these dashboards: with `recorded_only`, of those whose marker records one (a plan's
    reads), else of every one (export, and a lock found before one is made)."""
    read = await asyncio.gather(*(read_lock(client, s, recorded_only) for s in found))
    return [remote for remote in read if remote is not None]
