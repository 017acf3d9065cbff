"""References between resources: a manifest field naming another managed resource by its manifest id.

A manifest writes `{ref: KIND/ID}` (`{ref: datadog/powerpack/latency-pack}`); the manifests layer puts a
token in its place, and the planner swaps each token for the target's remote id once it is known. Until the
target exists (it is created by the same apply) the token stays: it reads "(known after apply: …)" in a plan,
and the engine swaps it for the id the create answered right before the referrer is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

_PREFIX: Final = "(known after apply: "
TOKEN: Final = re.compile(r"^\(known after apply: ([a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*)/([^\s()/]+)\)$")
"""A reference's placeholder in content: the target's kind and manifest id."""
TARGET: Final = re.compile(r"^([a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*)/([^\s()/]+)$")
"""What `ref:` holds: KIND/ID, the kind's two words and the manifest id."""


_IN_TEXT: Final = re.compile(r"\(known after apply: ([a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*/[^\s()/]+)\)")


def as_written(text: str) -> str:
    """`text` with each token shown as the manifest wrote it (`{ref: KIND/ID}`): for sentences about a manifest."""
    return _IN_TEXT.sub(r"{ref: \1}", text) if _PREFIX in text else text


def token(kind: str, manifest_id: str) -> str:
    """The placeholder that stands for the remote id of the resource `kind`/`manifest_id`."""
    return f"{_PREFIX}{kind}/{manifest_id})"


def is_token(value: object) -> bool:
    """True for a reference's placeholder: what a backend's schema accepts where an id of another resource goes."""
    return isinstance(value, str) and value.startswith(_PREFIX) and TOKEN.match(value) is not None


def parse_target(text: str) -> tuple[str, str] | None:
    """(kind, manifest id) of a `ref:` value, or None when it is not KIND/ID."""
    found = TARGET.match(text)
    return (found.group(1), found.group(2)) if found else None


def targets_in(content: Any) -> tuple[tuple[str, str], ...]:
    """The (kind, manifest id) of every reference in `content`, in the order first met, once each."""
    found: dict[tuple[str, str], None] = {}
    for value in strings_in(content):
        match = TOKEN.match(value) if value.startswith(_PREFIX) else None
        if match:
            found[(match.group(1), match.group(2))] = None
    return tuple(found)


def resolved(content: Any, ids: Mapping[tuple[str, str], str]) -> Any:
    """`content` with each token (a value, or a mapping's key) whose target is in `ids` swapped for that remote
    id; others stay."""
    if isinstance(content, dict):
        return {_swapped(key, ids): resolved(value, ids) for key, value in content.items()}
    if isinstance(content, list):
        return [resolved(value, ids) for value in content]
    if isinstance(content, str):
        return _swapped(content, ids)
    return content


def _swapped(text: str, ids: Mapping[tuple[str, str], str]) -> str:
    match = TOKEN.match(text) if text.startswith(_PREFIX) else None
    return ids.get((match.group(1), match.group(2)), text) if match else text


def strings_in(content: Any) -> Iterable[str]:
    """Every text in `content`: its string values, and its mappings' keys (a set of members keyed by other
    resources' ids may name them there)."""
    if isinstance(content, str):
        yield content
    elif isinstance(content, dict):
        yield from (key for key in content if isinstance(key, str))
        for value in content.values():
            yield from strings_in(value)
    elif isinstance(content, list):
        for value in content:
            yield from strings_in(value)
