"""A powerpack's edit lock (its restriction policy) as generic resources, bound to this kind: the shared
restriction-policy code (`backends/datadog_restriction.py`) does the rest.

Keyed like a dashboard's lock: its remote id is the powerpack's id, its manifest id the powerpack's, and its
ownership the powerpack's marker (whose `wac-permissions:` tag records the digest of the policy as last applied).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reconciler.backends.datadog_powerpacks.vocabulary import KIND, POLICY_SCOPE, SCOPE
from reconciler.backends.datadog_restriction import (
    Permissions,
    access_cautions,
    desired_lock,
    is_permissions,
    permissions_document,
    remote_lock,
)
from reconciler.core.resources import Caution, Claims, Desired, Remote

__all__ = ["desired_permissions", "is_permissions", "lock_cautions", "permissions_document", "remote_permissions"]


def desired_permissions(manifest_id: str, block: Mapping[str, Sequence[str]], title: str, source: str) -> Desired:
    return desired_lock((KIND, SCOPE, manifest_id), POLICY_SCOPE, block, title, source)


def remote_permissions(powerpack_id: str, title: str, content: Permissions, claims: Claims) -> Remote:
    return remote_lock(KIND, (POLICY_SCOPE, SCOPE), powerpack_id, title, content, claims, "powerpack")


def lock_cautions(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, identity: Sequence[str]
) -> tuple[Caution, ...]:
    """What a lock change does to access, and its refusal when it would leave wac out of its own powerpack."""
    return access_cautions(before, after, identity, "powerpack")
