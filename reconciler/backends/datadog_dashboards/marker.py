"""The ownership marker of a dashboard: one line at the end of its description, written for people.

Dashboards have no free-form tags (only `team:` ones), so ownership is written where the list
endpoint returns it: the description's last line,

    Managed by widgets-as-code (owner team-a, id checkout-overview, applied 3c9e0a1b2c3d4e5f): edit it in git.

Plans compare the description without this line, so it never shows in a diff.

A dashboard shared by the reconciler also carries its share's token there (the API has no way to
find a dashboard's share but by its token), and the digest of the share as last applied:

    Managed by widgets-as-code (owner team-a, id checkout-overview, applied 3c9e0a1b2c3d4e5f,
    share fasjyydbcgwwc2uc-6b73…8c2b applied 9a8b7c6d5e4f3a2b): edit it in git.

(on one line). Why that is safe is written in the README, "Shared dashboards".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from reconciler.core.resources import Claims, Marker


@dataclass(frozen=True)
class ShareRef:
    """The dashboard's share as its marker records it: the token to reach it, and what was applied."""

    token: str
    applied: str


LINE: Final = re.compile(
    r"^Managed by widgets-as-code \(owner (?P<owner>[^,\s]+), id (?P<id>[^,\s]+),"
    r" applied (?P<applied>[0-9a-f]+)"
    r"(?:, share (?P<token>[a-z0-9]{1,32}-[0-9a-f]{32}) applied (?P<share_applied>[0-9a-f]+))?"
    r"\): edit it in git\.$"
)
_ANY_MARKER: Final = re.compile(r"^Managed by widgets-as-code\b")
_LOOSE_OWNER: Final = re.compile(r"owner (?P<owner>[a-z0-9][a-z0-9_\-./]*)")
_LOOSE_ID: Final = re.compile(r"\bid (?P<id>[a-z0-9][a-z0-9_\-./]*)")
EDITED: Final = "(edited marker)"
COPIED: Final = "(marker copied to another dashboard)"
EDITED_HELP: Final = (
    "its description's `Managed by widgets-as-code` line was edited by hand, or there are several, so no owner"
    " updates or deletes it. Edit the description in Datadog: leave exactly one such line, as wac wrote it, or none"
    " (the next apply of the owner whose manifest should manage it then takes it back with `adopt:`)"
)
COPIED_HELP: Final = (
    "its description's `Managed by widgets-as-code` line is also on another dashboard (a clone made in the UI"
    " copies it), so no owner updates or deletes either. Remove the line from the copy in Datadog"
)


def marker_line(marker: Marker, share: ShareRef | None = None) -> str:
    shared = f", share {share.token} applied {share.applied}" if share else ""
    return (
        f"Managed by widgets-as-code (owner {marker.owner}, id {marker.manifest_id}, applied {marker.applied}"
        f"{shared}): edit it in git."
    )


def share_ref(description: str | None) -> ShareRef | None:
    """The share recorded by the description's one well-formed marker, or None."""
    found = [LINE.fullmatch(line.strip()) for line in (description or "").split("\n")]
    lines = [match for match in found if match]
    if len(lines) != 1 or not lines[0]["token"]:
        return None
    return ShareRef(lines[0]["token"], lines[0]["share_applied"])


def split(description: str | None) -> tuple[str | None, Claims]:
    """The user's description (None when empty) and the claims of every marker line in it."""
    if not description:
        return None, Claims()
    kept: list[str] = []
    owners: set[str] = set()
    ids: set[str] = set()
    applied: str | None = None
    for line in description.split("\n"):
        found = LINE.fullmatch(line.strip())
        if found:
            owners.add(found["owner"])
            ids.add(found["id"])
            applied = found["applied"]
        elif _ANY_MARKER.match(line.strip()):
            # A marker someone edited by hand: still a claim (of the owner it names, if any), but a
            # conflict that only a person can resolve.
            owners.add(EDITED)
            named = _LOOSE_OWNER.search(line)
            if named:
                owners.add(named["owner"])
            claimed_id = _LOOSE_ID.search(line)
            if claimed_id:
                ids.add(claimed_id["id"])
        else:
            kept.append(line)
    text = "\n".join(kept).rstrip("\n")
    resolve = EDITED_HELP if EDITED in owners or len(owners) > 1 or len(ids) > 1 else ""
    return (text or None), Claims(tuple(sorted(owners)), tuple(sorted(ids)), applied, resolve)


def without_share(description: str | None) -> str | None:
    """The description with any share token taken out of its marker lines (owner, id and applied kept):
    what may be stored outside Datadog, such as the local cache."""
    if not description:
        return description

    def plain(line: str) -> str:
        found = LINE.fullmatch(line.strip())
        if not found or not found["token"]:
            return line
        return marker_line(Marker(found["owner"], found["id"], found["applied"]))

    return "\n".join(plain(line) for line in description.split("\n"))


def with_marker(description: str | None, marker: Marker, share: ShareRef | None = None) -> str:
    line = marker_line(marker, share)
    return f"{description}\n\n{line}" if description else line
