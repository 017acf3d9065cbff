"""Who each SpaceONE token is: its user and domain, as the identity service would say."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Caller:
    user_id: str
    # None: the token may act in any domain it names (an open emulator).
    domain_id: str | None = None


@dataclass(frozen=True)
class SpaceOneSettings:
    # When set, only these tokens are accepted, each bound to its user and domain.
    tokens: Mapping[str, Caller] | None = field(default=None, repr=False)

    def caller(self, token: str) -> Caller | None:
        if self.tokens is not None:
            return self.tokens.get(token)
        # A stable user per token that never shows the token itself.
        return Caller(f"user-{hashlib.sha256(token.encode()).hexdigest()[:10]}")
