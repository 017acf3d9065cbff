"""Keys kept out of every line printed or logged, in each form a key can take in text."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable
from functools import cache
from urllib.parse import quote, quote_plus

MIN_SECRET_LENGTH = 4
MASK = "***"


@cache
def forms(secret: str) -> tuple[str, ...]:
    """The key as written, as `repr` and JSON escape it, URL-encoded, base64-encoded, and trimmed."""
    if len(secret.strip()) < MIN_SECRET_LENGTH:
        return ()
    raw = secret.encode("utf-8", "surrogatepass")
    found = {
        secret,
        secret.strip(),
        repr(secret)[1:-1],
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        quote(secret, safe=""),
        quote_plus(secret),
        base64.b64encode(raw).decode().rstrip("="),
        base64.urlsafe_b64encode(raw).decode().rstrip("="),
    }
    # Longest first, so a form that contains another is replaced whole.
    return tuple(sorted((f for f in found if len(f) >= MIN_SECRET_LENGTH), key=len, reverse=True))


def redact(text: str, secrets: Iterable[str], patterns: Iterable[re.Pattern[str]] = ()) -> str:
    """The text with each secret (in every form) and each match of `patterns` replaced by the mask."""
    for secret in secrets:
        for form in forms(secret):
            text = text.replace(form, MASK)
    for pattern in patterns:
        text = pattern.sub(MASK, text)
    return text
