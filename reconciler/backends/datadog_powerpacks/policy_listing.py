"""Reading powerpacks' edit locks: only of powerpacks whose tags record one as wac's, one GET each."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import replace

from reconciler.backends.datadog_powerpacks.client import PowerpacksClient
from reconciler.backends.datadog_powerpacks.permissions import remote_permissions
from reconciler.backends.datadog_restriction import Permissions, is_empty
from reconciler.core.resources import Remote


async def read_lock(
    client: PowerpacksClient, powerpack: Remote, recorded: str | None, recorded_only: bool = True
) -> Remote | None:
    """The powerpack's policy under its claims (applied: the digest its tags record); None when the tags record
    none (`recorded_only`) or, otherwise, when the powerpack has no policy."""
    if recorded_only and recorded is None:
        return None
    content: Permissions = await client.restriction(powerpack.remote_id)
    if recorded is None and is_empty(content):
        return None
    claims = replace(powerpack.claims, applied=recorded)
    return remote_permissions(powerpack.remote_id, powerpack.title, content, claims)


async def locks_of(
    client: PowerpacksClient, found: Sequence[Remote], locks: Mapping[str, str], recorded_only: bool = True
) -> list[Remote]:
    """The policies of these powerpacks (`locks`: the digest each one's tags record, by id): with `recorded_only`,
    of those that record one (a plan's reads), else of every one (a lock looked for before one is made)."""
    usable = [p for p in found if not p.claims.conflicted]
    read = await asyncio.gather(*(read_lock(client, p, locks.get(p.remote_id), recorded_only) for p in usable))
    return [remote for remote in read if remote is not None]
