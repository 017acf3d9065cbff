"""Who each SpaceONE token is: its user and domain, as the identity service would say (`wac emulator
--spaceone-tokens FILE`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


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


def load_tokens(path: Path) -> SpaceOneSettings:
    """`{token: {"user_id": …, "domain_id": …}}` from a JSON file; ValueError says what the file should be."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        tokens = {token: Caller(str(v["user_id"]), str(v["domain_id"])) for token, v in raw.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        # The exception's type only: its text could quote a token.
        raise ValueError(
            f'{path}: expected a JSON object mapping tokens to {{"user_id": ..., "domain_id": ...}}'
            f" ({type(exc).__name__})"
        ) from None
    return SpaceOneSettings(tokens=tokens)
