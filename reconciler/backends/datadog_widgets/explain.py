"""Sentences for Datadog widget manifests' validation errors, where the generic wording says too little."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic_core import ErrorDetails

from reconciler.backends.datadog_widgets.schema import EXTRA_REQUIRED_FIELDS, MANIFEST_FIELDS
from reconciler.backends.datadog_widgets.vocabulary import EXPERIENCE_TYPES, TITLE_MAX_LENGTH, WIDGET_TYPES


def data_path(loc: Sequence[str | int]) -> tuple[str | int, ...]:
    """The error's location as a path in the data: the union's tag pydantic inserts is dropped."""
    path = list(loc)
    if len(path) >= 2 and path[0] == "definition" and path[1] in WIDGET_TYPES:
        del path[1]
    return tuple(path)


def explain(data: Any, path: tuple[str | int, ...], name: str, error: ErrorDetails) -> str | None:
    """A sentence for the errors a widget manifest has its own words for, or None."""
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    definition = data.get("definition") if isinstance(data, dict) else None
    widget_type = definition.get("type") if isinstance(definition, dict) else None
    if kind == "missing" and path[:1] == ("definition",) and len(path) == 2 and widget_type in WIDGET_TYPES:
        required = ["title", "requests", *EXTRA_REQUIRED_FIELDS.get(widget_type, {})]
        return f"{name} is required for a {widget_type} widget (it needs {', '.join(required)})"
    if kind == "extra_forbidden":
        return (
            f"unknown field '{path[-1]}'; a manifest has only {', '.join(MANIFEST_FIELDS)} (widget fields go"
            " under definition)"
        )
    if kind == "union_tag_invalid":
        return f"definition.type '{ctx.get('tag')}' is not a widget type; allowed: {', '.join(WIDGET_TYPES)}"
    if kind == "union_tag_not_found":
        return f"definition.type is required; allowed: {', '.join(WIDGET_TYPES)}"
    if kind == "literal_error" and path == ("experience_type",):
        return f"experience_type '{value}' is not allowed; use one of {', '.join(EXPERIENCE_TYPES)}"
    if kind == "string_too_long" and "max_length" not in ctx:
        return f"{name} is {len(value)} characters; at most {TITLE_MAX_LENGTH} are allowed"
    return None
