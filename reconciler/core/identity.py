"""What names may be in every backend: manifest ids, owners, kinds, scopes and remote ids. Pure."""

from __future__ import annotations

import re
from typing import Final

MANIFEST_ID: Final = re.compile(r"^[a-z0-9][a-z0-9_\-./]*$")
# Sized so `wac-id:<id>` and `wac-owner:<owner>` fit in a Datadog tag (200 characters), the
# tightest place any backend keeps its ownership marker.
MANIFEST_ID_MAX_LENGTH: Final = 193
OWNER_MAX_LENGTH: Final = 190
# Any backend's remote id as a plan file may hold it; each client checks its own exact form before
# the id becomes part of a request path.
REMOTE_ID: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$")


def id_problem(manifest_id: str) -> str | None:
    """Why `manifest_id` cannot be a manifest id, or None when it can."""
    if len(manifest_id) > MANIFEST_ID_MAX_LENGTH:
        return f"id is {len(manifest_id)} characters; at most {MANIFEST_ID_MAX_LENGTH} are allowed"
    if not MANIFEST_ID.fullmatch(manifest_id):
        return (
            f"id '{manifest_id}' is not allowed: use lowercase letters, digits, '_', '-', '.' and '/',"
            " starting with a letter or digit"
        )
    return None


def owner_problem(owner: str) -> str | None:
    if len(owner) > OWNER_MAX_LENGTH or not MANIFEST_ID.fullmatch(owner):
        return (
            f"owner '{owner}' is not allowed: use at most {OWNER_MAX_LENGTH} lowercase letters, digits,"
            " '_', '-', '.' and '/', starting with a letter or digit"
        )
    return None
