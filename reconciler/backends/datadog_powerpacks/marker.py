"""The ownership marker of a powerpack: three tags, as on saved widgets, which every answer carries.

    wac-owner:team-a   wac-id:latency-pack   wac-applied:3c9e0a1b2c3d4e5f

The applied digest tells a manifest change from an edit in the UI without any state outside the powerpack.
A tag that looks like one of these but is not exactly one is an edited marker: a conflict nobody writes to.

A powerpack whose restriction policy (its edit lock) wac manages carries a fourth tag, the digest of the policy as
last applied (`wac-permissions:5e4f3a2b1c0d9e8f`): a policy has no free text of its own, and this is how a plan
knows which policies to read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final

from reconciler.core.resources import Claims, Marker

OWNER_PREFIX: Final = "wac-owner:"
ID_PREFIX: Final = "wac-id:"
APPLIED_PREFIX: Final = "wac-applied:"
PERMISSIONS_PREFIX: Final = "wac-permissions:"
RESERVED_PREFIXES: Final = (OWNER_PREFIX, ID_PREFIX, APPLIED_PREFIX, PERMISSIONS_PREFIX)
MARKER_TAGS: Final = 3
# The tag recording a lock as wac's: one more of the powerpack's tags.
LOCK_TAGS: Final = 1
_NAME: Final = r"[a-z0-9][a-z0-9_\-./]*"
EXACT: Final = re.compile(
    rf"^(?:wac-owner:(?P<owner>{_NAME})|wac-id:(?P<id>{_NAME})|wac-applied:(?P<applied>[0-9a-f]+)"
    r"|wac-permissions:(?P<permissions>[0-9a-f]+))$"
)
# Anything a person would read as a marker tag: other case, spacing or separators.
_LOOKALIKE: Final = re.compile(r"wac\W*(owner|id|applied|permissions)", re.IGNORECASE)
EDITED: Final = "(edited marker)"
CONFLICT_HELP: Final = (
    "its wac-owner, wac-id, wac-applied or wac-permissions tags were copied or edited by hand, so no owner updates"
    " or deletes it. Edit the powerpack's tags in Datadog: keep exactly the marker tags of the repository whose"
    " manifest should manage it, as wac wrote them, or none"
)


def marker_tags(marker: Marker, policy: str | None = None) -> list[str]:
    """The marker's three tags, and with `policy` (a digest) the fourth recording the edit lock as wac's."""
    tags = [OWNER_PREFIX + marker.owner, ID_PREFIX + marker.manifest_id, APPLIED_PREFIX + marker.applied]
    return [*tags, PERMISSIONS_PREFIX + policy] if policy else tags


def policy_applied(tags: Sequence[str]) -> str | None:
    """The digest of the restriction policy the tags record as wac's: only of a whole, exact marker with exactly
    one such tag; None otherwise (also when the marker is in doubt)."""
    claims = claims_from(tags)
    if claims.conflicted or claims.owner is None or claims.manifest_id is None:
        return None
    found = [m["permissions"] for t in tags if (m := EXACT.fullmatch(t)) is not None and m["permissions"]]
    return found[0] if len(found) == 1 else None


def is_marker_tag(tag: str) -> bool:
    """True for every tag that is, or looks like, part of a marker: never a user's tag."""
    return EXACT.fullmatch(tag) is not None or _LOOKALIKE.search(tag) is not None


def user_tags(tags: Iterable[str]) -> list[str]:
    return sorted({tag for tag in tags if not is_marker_tag(tag)})


def _parts(tags: Sequence[str]) -> tuple[dict[str, set[str]], int, bool]:
    """What the exact marker tags name, part by part; how many record a lock; whether any tag only looks like one."""
    parts: dict[str, set[str]] = {"owner": set(), "id": set(), "applied": set()}
    locks = 0
    edited = False
    for tag in tags:
        found = EXACT.fullmatch(tag)
        if found is None:
            edited = edited or _LOOKALIKE.search(tag) is not None
            continue
        for name, values in parts.items():
            values |= {found[name]} if found[name] else set()
        locks += 1 if found["permissions"] else 0
    return parts, locks, edited


def claims_from(tags: Sequence[str]) -> Claims:
    """What the tags claim: one owner, id and digest when exact; anything else a conflict naming what it can."""
    parts, locks, edited = _parts(tags)
    owners, ids, applied = parts["owner"], parts["id"], parts["applied"]
    if not owners and not ids and not applied and not edited and not locks:
        return Claims(resolve=CONFLICT_HELP)
    whole = len(owners) == len(ids) == len(applied) == 1
    if edited or not whole or locks > 1:
        # A marker missing a part, or with a part twice, is in doubt: every owner it may be is told of it.
        return Claims(tuple(sorted({*owners, EDITED})), tuple(sorted(ids)), None, CONFLICT_HELP)
    return Claims(tuple(owners), tuple(ids), applied.pop(), CONFLICT_HELP)
