"""The ownership marker of a powerpack: three tags, as on saved widgets, which every answer carries.

    wac-owner:team-a   wac-id:latency-pack   wac-applied:3c9e0a1b2c3d4e5f

The applied digest tells a manifest change from an edit in the UI without any state outside the powerpack.
A tag that looks like one of these but is not exactly one is an edited marker: a conflict nobody writes to.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final

from reconciler.core.resources import Claims, Marker

OWNER_PREFIX: Final = "wac-owner:"
ID_PREFIX: Final = "wac-id:"
APPLIED_PREFIX: Final = "wac-applied:"
RESERVED_PREFIXES: Final = (OWNER_PREFIX, ID_PREFIX, APPLIED_PREFIX)
MARKER_TAGS: Final = 3
_NAME: Final = r"[a-z0-9][a-z0-9_\-./]*"
EXACT: Final = re.compile(
    rf"^(?:wac-owner:(?P<owner>{_NAME})|wac-id:(?P<id>{_NAME})|wac-applied:(?P<applied>[0-9a-f]+))$"
)
# Anything a person would read as a marker tag: other case, spacing or separators.
_LOOKALIKE: Final = re.compile(r"wac\W*(owner|id|applied)", re.IGNORECASE)
EDITED: Final = "(edited marker)"
CONFLICT_HELP: Final = (
    "its wac-owner, wac-id or wac-applied tags were copied or edited by hand, so no owner updates or deletes it."
    " Edit the powerpack's tags in Datadog: keep exactly the three tags of the repository whose manifest should"
    " manage it, as wac wrote them, or none"
)


def marker_tags(marker: Marker) -> list[str]:
    return [OWNER_PREFIX + marker.owner, ID_PREFIX + marker.manifest_id, APPLIED_PREFIX + marker.applied]


def is_marker_tag(tag: str) -> bool:
    """True for every tag that is, or looks like, part of a marker: never a user's tag."""
    return EXACT.fullmatch(tag) is not None or _LOOKALIKE.search(tag) is not None


def user_tags(tags: Iterable[str]) -> list[str]:
    return sorted({tag for tag in tags if not is_marker_tag(tag)})


def claims_from(tags: Sequence[str]) -> Claims:
    """What the tags claim: one owner, id and digest when exact; anything else a conflict naming what it can."""
    owners: set[str] = set()
    ids: set[str] = set()
    applied: set[str] = set()
    edited = False
    for tag in tags:
        found = EXACT.fullmatch(tag)
        if found is None:
            edited = edited or _LOOKALIKE.search(tag) is not None
            continue
        owners |= {found["owner"]} if found["owner"] else set()
        ids |= {found["id"]} if found["id"] else set()
        applied |= {found["applied"]} if found["applied"] else set()
    if not owners and not ids and not applied and not edited:
        return Claims(resolve=CONFLICT_HELP)
    whole = len(owners) == len(ids) == len(applied) == 1
    if edited or not whole:
        # A marker missing a part, or with a part twice, is in doubt: every owner it may be is told of it.
        return Claims(tuple(sorted({*owners, EDITED})), tuple(sorted(ids)), None, CONFLICT_HELP)
    return Claims(tuple(owners), tuple(ids), applied.pop(), CONFLICT_HELP)
