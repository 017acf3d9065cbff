"""Who an emulated Datadog application key acts as, for restriction policies: shared by every emulator whose
writes a policy's editors may refuse (the policies themselves live in one table of the shared state file)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Final

# The organisation every key of the emulator belongs to, unless `--principals` says otherwise.
ORG: Final = "org:7f3a2d10-5b1e-11ef-9c2a-da7ad0900002"
_NAMESPACE: Final = uuid.UUID("0b6f3c2e-8d0a-4c7e-9d55-6a1e0c4b9f21")
# Restriction policies by resource id (`dashboard:abc-def-ghi`, `powerpack:<uuid>`): their bindings as last posted.
POLICY_TABLE: Final = """
CREATE TABLE IF NOT EXISTS datadog_restriction_policies (
    resource_id TEXT PRIMARY KEY,
    bindings TEXT NOT NULL
);
"""


def principals_of(app_key: str, configured: Mapping[str, Sequence[str]]) -> frozenset[str]:
    """Who a key acts as: what `--principals` names for it, else its own user (a UUID from the key) and the org."""
    if app_key in configured:
        return frozenset(configured[app_key])
    return frozenset({f"user:{uuid.uuid5(_NAMESPACE, app_key)}", ORG})


def editors(bindings: list[dict[str, Any]]) -> set[str]:
    return {p for b in bindings if b.get("relation") == "editor" for p in b.get("principals") or []}


def may_edit(bindings: list[dict[str, Any]], app_key: str, configured: Mapping[str, Sequence[str]]) -> bool:
    """False when the policy names editors and the key acts as none of them."""
    named = editors(bindings)
    return not named or bool(named & principals_of(app_key, configured))
