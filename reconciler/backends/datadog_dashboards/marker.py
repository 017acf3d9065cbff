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

A dashboard whose restriction policy (its edit lock) wac manages says so there too, with the digest of the
policy as last applied (`…, permissions applied 5e4f3a2b1c0d9e8f): edit it in git.`): a policy has no free
text of its own, and this is how a plan knows which policies to read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from reconciler.backends.datadog_dashboards.lookalikes import skeleton
from reconciler.core.resources import Claims, Marker


@dataclass(frozen=True)
class ShareRef:
    """The dashboard's share as its marker records it: the token to reach it, and what was applied."""

    token: str
    applied: str


# Owner and id as wac writes them (the manifest id grammar, ASCII only): a look-alike letter in either is
# an edited marker, never a marker of another owner or id.
LINE: Final = re.compile(
    r"^Managed by widgets-as-code \(owner (?P<owner>[a-z0-9][a-z0-9_\-./]*), id (?P<id>[a-z0-9][a-z0-9_\-./]*),"
    r" applied (?P<applied>[0-9a-f]+)"
    r"(?:, share (?P<token>[a-z0-9]{1,32}-[0-9a-f]{32}) applied (?P<share_applied>[0-9a-f]+))?"
    r"(?:, permissions applied (?P<policy_applied>[0-9a-f]+))?"
    r"\): edit it in git\.$"
)
# What gives a line away as a marker, however it is spaced, listed or disguised (read through `skeleton`):
# the product's name, or the marker's own sentence.
_GIVEAWAYS: Final = re.compile(
    r"managed\W*by\W*widget|widgets\W*as\W*code\W*\(|owner\W+\S+\W+id\W+\S+\W+applied\W+[0-9a-f]{4}"
)
_LOOSE_OWNER: Final = re.compile(r"owner\W*(?P<owner>[a-z0-9][a-z0-9_\-./]*)")
_LOOSE_ID: Final = re.compile(r"\bid\W*(?P<id>[a-z0-9][a-z0-9_\-./]*)")
EDITED: Final = "(edited marker)"
EDITED_HELP: Final = (
    "its description's `Managed by widgets-as-code` line was edited by hand, or there are several, so no owner"
    " updates or deletes it. Edit the description in Datadog: leave exactly one such line, as wac wrote it, or none"
    " (the next apply of the owner whose manifest should manage it then takes it back with `adopt:`)"
)
COPIED_HELP: Final = (
    "its description's `Managed by widgets-as-code` line is also on another dashboard (a clone made in the UI"
    " copies it), so no owner updates or deletes either. Remove the line from the copy in Datadog"
)


def marker_line(marker: Marker, share: ShareRef | None = None, policy: str | None = None) -> str:
    shared = f", share {share.token} applied {share.applied}" if share else ""
    locked = f", permissions applied {policy}" if policy else ""
    return (
        f"Managed by widgets-as-code (owner {marker.owner}, id {marker.manifest_id}, applied {marker.applied}"
        f"{shared}{locked}): edit it in git."
    )


def looks_like_marker(text: str) -> bool:
    """True for any text a person would read as a marker: a list item, other spacing, look-alike letters."""
    return _GIVEAWAYS.search(skeleton(text)) is not None


@dataclass(frozen=True)
class _Lines:
    """A description's lines sorted out: the user's text, the exact markers, and those only like one."""

    kept: tuple[str, ...]
    exact: tuple[re.Match[str], ...]
    loose: tuple[str, ...]

    @property
    def single(self) -> re.Match[str] | None:
        """The one marker, when there is exactly one and nothing else looks like a marker."""
        return self.exact[0] if len(self.exact) == 1 and not self.loose else None


def _lines(description: str | None) -> _Lines:
    kept: list[str] = []
    exact: list[re.Match[str]] = []
    loose: list[str] = []
    for line in (description or "").split("\n"):
        found = LINE.fullmatch(line.strip())
        if found:
            exact.append(found)
        elif looks_like_marker(line):
            loose.append(line)
        else:
            kept.append(line)
    if not loose and looks_like_marker("".join(kept)):
        loose.append("".join(kept))  # a marker broken over several lines is no less a marker
    return _Lines(tuple(kept), tuple(exact), tuple(loose))


def share_ref(description: str | None) -> ShareRef | None:
    """The share recorded by the description's one exact marker, or None (also when the marker is in doubt)."""
    found = _lines(description).single
    if found is None or not found["token"]:
        return None
    return ShareRef(found["token"], found["share_applied"])


def policy_applied(description: str | None) -> str | None:
    """The digest of the restriction policy the description's one exact marker records as wac's, or None."""
    found = _lines(description).single
    return None if found is None else found["policy_applied"]


def split(description: str | None) -> tuple[str | None, Claims]:
    """The user's description (None when empty) and the claims of every marker line in it.

    Anything short of exactly one exact line among several that look like one is an edited marker: a claim
    of whichever owner and id it names (read through the disguise), and a conflict only a person resolves.
    """
    lines = _lines(description)
    text = "\n".join(lines.kept).rstrip("\n") or None
    if not lines.exact and not lines.loose:
        return text, Claims(copy_help=COPIED_HELP)
    owners = {m["owner"] for m in lines.exact}
    ids = {m["id"] for m in lines.exact}
    if lines.loose:
        # Read through the whole description: a disguised marker may be broken over lines.
        folded = skeleton(" ".join((description or "").split("\n")))
        owners |= {found["owner"] for found in _LOOSE_OWNER.finditer(folded)}
        ids |= {found["id"] for found in _LOOSE_ID.finditer(folded)}
    single = lines.single
    if single is not None:
        return text, Claims((single["owner"],), (single["id"],), single["applied"], copy_help=COPIED_HELP)
    return text, Claims(tuple(sorted({*owners, EDITED})), tuple(sorted(ids)), None, EDITED_HELP, COPIED_HELP)


def without_share(description: str | None) -> str | None:
    """The description with any share token taken out of its marker lines (owner, id and applied kept):
    what may be stored outside Datadog, such as the local cache."""
    if not description:
        return description

    def plain(line: str) -> str:
        found = LINE.fullmatch(line.strip())
        if not found or not found["token"]:
            return line
        return marker_line(Marker(found["owner"], found["id"], found["applied"]), policy=found["policy_applied"])

    return "\n".join(plain(line) for line in description.split("\n"))


def with_marker(
    description: str | None, marker: Marker, share: ShareRef | None = None, policy: str | None = None
) -> str:
    line = marker_line(marker, share, policy)
    text = (description or "").rstrip("\n")
    return f"{text}\n\n{line}" if text else line
