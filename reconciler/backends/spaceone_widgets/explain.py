"""Sentences for SpaceONE custom widget manifests' validation errors, and their export form."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic_core import ErrorDetails

from reconciler.backends.spaceone_widgets.codec import content_of
from reconciler.backends.spaceone_widgets.schema import CustomWidgetManifest
from reconciler.backends.spaceone_widgets.vocabulary import KIND, RESERVED_PREFIX
from reconciler.core.resources import Remote

FIELDS = tuple(CustomWidgetManifest.model_fields)


def data_path(loc: Sequence[str | int]) -> tuple[str | int, ...]:
    return tuple(loc)


def explain(data: Any, path: tuple[str | int, ...], name: str, error: ErrorDetails) -> str | None:
    if error["type"] == "extra_forbidden" and len(path) == 1:
        return f"unknown field '{path[-1]}'; a {KIND} manifest has only {', '.join(FIELDS)}"
    if error["type"] == "missing" and path == ("kind",):
        return f"kind is required: {KIND}"
    return None


def manifest_document(
    widget: Remote, manifest_id: str, adopt: bool, children: Sequence[Remote] = ()
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The manifest `wac export` writes; tags no manifest may carry are left out and named."""
    content = content_of(widget.content)
    kept = {
        k: v
        for k, v in content["tags"].items()
        if isinstance(v, str) and "." not in k and k.strip() and not k.startswith(RESERVED_PREFIX)
    }
    dropped = tuple(sorted(f"{k}: {v}" for k, v in content["tags"].items() if k not in kept))
    document: dict[str, Any] = {"kind": KIND, "id": manifest_id, "widget_name": content["widget_name"]}
    document["title"] = content["title"]
    if adopt:
        document["adopt"] = widget.remote_id
    document["options"] = content["options"]
    for name in ("settings", "inherit_options", "labels"):
        if content[name]:
            document[name] = content[name]
    if kept:
        document["tags"] = kept
    return document, dropped
