"""Who is behind each application key, as `wac emulator --users FILE` names them (the knobs are shared)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple


class UserProfile(NamedTuple):
    """A user's handle and name; a plain pair, so the dashboards emulator reads it without importing this one."""

    handle: str
    name: str


def load_users(path: Path) -> dict[str, UserProfile]:
    """`{app_key: {"handle": …, "name": …}}` from a JSON file; ValueError says what the file should be."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {key: UserProfile(handle=v["handle"], name=v.get("name", v["handle"])) for key, v in raw.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(
            f'{path}: expected a JSON object mapping application keys to {{"handle": ..., "name": ...}} ({exc})'
        ) from None
