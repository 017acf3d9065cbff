"""Which principals each application key acts as, as `wac emulator --principals FILE` names them."""

from __future__ import annotations

import json
from pathlib import Path

from reconciler.backends.datadog_dashboards.emulator.policies import PRINCIPAL


def load_principals(path: Path) -> dict[str, tuple[str, ...]]:
    """`{app_key: ["user:<uuid>", "role:<uuid>", "team:<uuid>", "org:<uuid>"]}` from a JSON file; a ValueError
    says what the file should hold."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        found = {str(key): tuple(str(p) for p in values) for key, values in raw.items() if isinstance(values, list)}
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"{path}: expected a JSON object mapping application keys to principals ({exc})") from None
    bad = [p for values in found.values() for p in values if not PRINCIPAL.fullmatch(p)]
    if bad or len(found) != len(raw):
        raise ValueError(
            f'{path}: expected a JSON object mapping application keys to lists like ["user:<uuid>", "role:<uuid>"]'
        )
    return found
