"""Sentences for powerpack manifests' errors, and the manifest `wac export` writes for a powerpack."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from reconciler.backends.datadog_powerpacks.codec import BODY
from reconciler.backends.datadog_powerpacks.schema import Powerpack, PowerpackManifest
from reconciler.backends.datadog_powerpacks.vocabulary import KIND
from reconciler.core.resources import Remote

FIELDS = tuple(PowerpackManifest.model_fields)
# The order a person reads a powerpack in.
_ORDER = ("name", "description", "tags", "template_variables", "group_widget")


def data_path(loc: Sequence[str | int]) -> tuple[str | int, ...]:
    # pydantic names a function validator's step after the key; the document has only the key.
    return tuple(part for part in loc if not (isinstance(part, str) and part.startswith("function-")))


def explain(data: Any, path: tuple[str | int, ...], name: str, error: ErrorDetails) -> str | None:
    if error["type"] == "extra_forbidden" and len(path) == 1:
        return f"unknown field '{path[-1]}'; a {KIND} manifest has only {', '.join(FIELDS)}"
    if error["type"] == "extra_forbidden":
        return f"{name} is not a field the Powerpacks API knows here (Datadog would refuse or drop it)"
    return None


def manifest_document(
    powerpack: Remote, manifest_id: str, adopt: bool, children: Sequence[Remote] = ()
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The manifest for a powerpack; what no manifest may say (tags Datadog took but the manifest would refuse)
    is left out and named."""
    body = dict(powerpack.content.get(BODY) or {})
    dropped: list[str] = []
    tags = list(body.get("tags") or [])
    try:
        Powerpack.model_validate({**body, "tags": tags} if tags else body)
    except ValidationError:
        body.pop("tags", None)
        dropped = tags
    document: dict[str, Any] = {"kind": KIND, "id": manifest_id}
    if adopt:
        document["adopt"] = powerpack.remote_id
    document[BODY] = {k: body[k] for k in (*_ORDER, *body) if k in body}
    return document, tuple(dropped)
