"""Datadog's tag rules and the ownership tags the reconciler adds to every widget it manages."""

from __future__ import annotations

import re
from typing import Final

OWNER_PREFIX: Final = "wac-owner:"
ID_PREFIX: Final = "wac-id:"
# The digest of what was last applied, like kubectl's last-applied annotation: it tells a
# manifest change from an out-of-band edit without any state outside the widget.
APPLIED_PREFIX: Final = "wac-applied:"
RESERVED_PREFIXES: Final = (OWNER_PREFIX, ID_PREFIX, APPLIED_PREFIX)
TAG_MAX_LENGTH: Final = 200

# Datadog converts tags to lowercase; requiring lowercase in manifests avoids an endless diff.
_TAG = re.compile(r"^[a-z][a-z0-9_\-:./]*$")


def tag_problem(tag: str) -> str | None:
    """Why `tag` is not a valid user tag, in a sentence, or None when it is."""
    if tag.startswith(RESERVED_PREFIXES):
        return f"tag '{tag}' uses a reserved prefix ({', '.join(RESERVED_PREFIXES)}); the reconciler sets those itself"
    if len(tag) > TAG_MAX_LENGTH:
        return f"tag '{tag[:40]}…' is {len(tag)} characters; at most {TAG_MAX_LENGTH} are allowed"
    if tag.endswith(":"):
        return f"tag '{tag}' ends with ':'; a tag's value may not be empty"
    if not _TAG.fullmatch(tag):
        return (
            f"tag '{tag}' is not a valid Datadog tag: it must start with a lowercase letter and contain only"
            " lowercase letters, digits, '_', '-', ':', '.' and '/'"
        )
    return None


def owner_tag(owner: str) -> str:
    return OWNER_PREFIX + owner


def id_tag(manifest_id: str) -> str:
    return ID_PREFIX + manifest_id


def applied_tag(digest: str) -> str:
    return APPLIED_PREFIX + digest


def is_reserved(tag: str) -> bool:
    return tag.startswith(RESERVED_PREFIXES)


def reserved_value(tags: list[str] | tuple[str, ...], prefix: str) -> str | None:
    """The value of the first tag with `prefix`, or None."""
    return next((tag[len(prefix) :] for tag in tags if tag.startswith(prefix)), None)


def reserved_values(tags: list[str] | tuple[str, ...], prefix: str) -> tuple[str, ...]:
    """The distinct values of every tag with `prefix`, sorted."""
    return tuple(sorted({tag[len(prefix) :] for tag in tags if tag.startswith(prefix)}))
