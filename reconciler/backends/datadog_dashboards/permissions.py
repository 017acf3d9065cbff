"""A dashboard's edit lock (its restriction policy) to generic resources and back, and what a change to it
does to who may edit or view the dashboard, in the sentences a reviewer reads first.

Keyed like the share: its remote id is the dashboard's id, its manifest id the dashboard's, and its
ownership the dashboard's marker (which records the digest of the policy as last applied).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from reconciler.backends.datadog_dashboards.vocabulary import KIND, POLICY_SCOPE, SCOPE
from reconciler.backends.datadog_restriction import Permissions, access_cautions, is_empty, permissions_content
from reconciler.core.resources import Caution, Claims, Desired, Remote, User

NOT_RECORDED: Final = (
    "Datadog records neither who changed a restriction policy nor when (its Audit Trail may: search it for"
    " the dashboard's id)"
)


def is_permissions(content: Mapping[str, Any]) -> bool:
    return set(content) == {"editors", "viewers"}


def desired_permissions(manifest_id: str, block: Mapping[str, Sequence[str]], title: str, source: str) -> Desired:
    return Desired(
        kind=KIND,
        scope=POLICY_SCOPE,
        manifest_id=manifest_id,
        title=title,
        content=permissions_content(block.get("editors") or (), block.get("viewers") or ()),
        ignore=(),
        source=source,
        parent=(KIND, SCOPE, manifest_id),
    )


def remote_permissions(dashboard_id: str, title: str, content: Permissions, claims: Claims) -> Remote:
    """A policy as read, under its dashboard's id and claims (`applied` the digest its marker records)."""
    return Remote(
        kind=KIND,
        scope=POLICY_SCOPE,
        remote_id=dashboard_id,
        title=title,
        content=dict(content),
        claims=claims,
        modified_by=User("", "", "", note=NOT_RECORDED),
        parent=(KIND, SCOPE, claims.manifest_id or ""),
    )


def permissions_document(content: Mapping[str, Sequence[str]]) -> dict[str, list[str]] | None:
    """The `permissions:` block `wac export` writes (None for a dashboard without a policy)."""
    if is_empty(content):
        return None
    return {name: list(content.get(name) or []) for name in ("editors", "viewers") if content.get(name)}


def lock_cautions(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, identity: Sequence[str]
) -> tuple[Caution, ...]:
    """What a lock change does to access, and its refusal when it would leave wac out of its own dashboard."""
    return access_cautions(before, after, identity, "dashboard")
