"""A remote widget as the manifest `wac export` writes for it: server fields left out, tags made valid."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from reconciler.backends.datadog_widgets.codec import definition_of, user_tags_of
from reconciler.backends.datadog_widgets.tags import tag_problem
from reconciler.core.resources import Remote


def manifest_document(
    widget: Remote, manifest_id: str, adopt: bool, children: Sequence[Remote] = ()
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The manifest's data, and the widget's tags left out because no manifest may carry them."""
    tags, dropped = _clean_tags(user_tags_of(widget))
    document: dict[str, Any] = {"id": manifest_id, "experience_type": widget.scope}
    if tags:
        document["tags"] = tags
    if adopt:
        document["adopt"] = widget.remote_id
    document["definition"] = _definition(definition_of(widget))
    return document, dropped


def _clean_tags(tags: Iterable[str]) -> tuple[list[str], tuple[str, ...]]:
    """Datadog lowercases tags; ones still invalid after that are left out (and reported)."""
    kept, dropped = [], []
    for tag in tags:
        lowered = tag.lower()
        if tag_problem(lowered) is None:
            kept.append(lowered)
        else:
            dropped.append(tag)
    return sorted(set(kept)), tuple(dropped)


def _definition(definition: dict[str, Any]) -> dict[str, Any]:
    # type and title first: that is how a person reads a widget.
    front: dict[str, Any] = {k: definition[k] for k in ("type", "title") if k in definition}
    return {**front, **{k: v for k, v in definition.items() if k not in front}}
