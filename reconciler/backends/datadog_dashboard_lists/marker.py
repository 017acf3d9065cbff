"""The ownership marker of a dashboard list: a short suffix on its name, the only text a list has.

    Checkout [wac: owner team-a, id checkout, applied 3c9e0a1b2c3d4e5f]

Every user sees it, in the list's title: it says who manages the list and that edits belong in git. The
applied digest rides along (16 hex digits) so a plan tells "the manifest changed" from "changed in the UI"
without a state file. Plans compare the name without the suffix, so it never shows in a diff.

A suffix edited by hand, or a second one, is an edited marker: a conflict of whichever owner and id it
still names (every owner, when it names none readably), which no owner writes to until a person repairs it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from reconciler.core.resources import Claims, Marker

_ID: Final = r"[a-z0-9][a-z0-9_\-./]*"
# `\Z`, not `$`: a name ending in a newline after the marker is an edited marker, not this one.
SUFFIX: Final = re.compile(
    rf" \[wac: owner (?P<owner>{_ID}), id (?P<id>{_ID}), applied (?P<applied>[0-9a-f]{{16}})\]\Z"
)
# What gives text away as a marker however it is spaced or disguised (read folded: look-alike letters and
# full-width brackets become ASCII): the bracket and the word, or the product's name.
_GIVEAWAYS: Final = re.compile(r"\[\W*wac\b|\bwac\W*:|widgets\W*as\W*code")
_LOOSE_OWNER: Final = re.compile(rf"owner\W*(?P<owner>{_ID})")
_LOOSE_ID: Final = re.compile(rf"\bid\W*(?P<id>{_ID})")
EDITED: Final = "(edited marker)"
EDITED_HELP: Final = (
    "its name's `[wac: owner …, id …, applied …]` suffix was edited by hand, or there are several, so no owner"
    " renames, fills or deletes it. Rename the list in Datadog: leave exactly one suffix, as wac wrote it, or none"
    " (the owner whose manifest should manage it then takes it back with `adopt: <list id>`)"
)
COPIED_HELP: Final = (
    "its name's `[wac: …]` suffix is also on another list (a copy of the name), so no owner writes to either."
    " Remove the suffix from the copy in Datadog"
)


def suffix(marker: Marker) -> str:
    return f" [wac: owner {marker.owner}, id {marker.manifest_id}, applied {marker.applied}]"


def marked(name: str, marker: Marker) -> str:
    """The name as written to Datadog: the user's name and the marker suffix."""
    return name + suffix(marker)


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def looks_like_marker(text: str) -> bool:
    """True for any text a person would read as wac's suffix: other spacing, case or look-alike letters."""
    return _GIVEAWAYS.search(_folded(text)) is not None


def split(full: str) -> tuple[str, Claims]:
    """The user's name and the claims its suffix makes: exactly one exact suffix and nothing else like one is
    an owner's marker; anything else that looks like one is an edited marker, a conflict."""
    found = SUFFIX.search(full)
    name = full[: found.start()] if found else full
    if found and not looks_like_marker(name):
        return name, Claims((found["owner"],), (found["id"],), found["applied"], copy_help=COPIED_HELP)
    if not found and not looks_like_marker(full):
        return full, Claims(copy_help=COPIED_HELP)
    folded = _folded(full)
    owners = {m["owner"] for m in _LOOSE_OWNER.finditer(folded)}
    ids = {m["id"] for m in _LOOSE_ID.finditer(folded)}
    return name, Claims(tuple(sorted({*owners, EDITED})), tuple(sorted(ids)), None, EDITED_HELP, COPIED_HELP)
