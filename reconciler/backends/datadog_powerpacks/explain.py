"""Sentences for powerpack manifests' errors, and the manifest `wac export` writes for a powerpack."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from reconciler.backends.datadog_powerpacks.codec import BODY
from reconciler.backends.datadog_powerpacks.permissions import is_permissions, permissions_document
from reconciler.backends.datadog_powerpacks.schema import (
    LOCKED_USER_TAGS,
    Powerpack,
    PowerpackManifest,
    PowerpackPermissions,
)
from reconciler.backends.datadog_powerpacks.vocabulary import KIND, POLICY_SCOPE
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
    permissions = _permissions(children)
    try:
        Powerpack.model_validate({**body, "tags": tags} if tags else body)
        if permissions is not None and len(tags) > LOCKED_USER_TAGS:
            raise ValueError("no room for the tag recording the lock")
    except (ValidationError, ValueError):
        body.pop("tags", None)
        dropped = tags
    document: dict[str, Any] = {"kind": KIND, "id": manifest_id}
    if adopt:
        document["adopt"] = powerpack.remote_id
    document[BODY] = {k: body[k] for k in (*_ORDER, *body) if k in body}
    if permissions is not None:
        document["permissions"] = permissions
    return document, tuple(dropped)


def _permissions(children: Sequence[Remote]) -> dict[str, Any] | None:
    """The `permissions:` block for the powerpack's restriction policy, when it has one a manifest can say."""
    locks = [c for c in children if c.scope == POLICY_SCOPE and is_permissions(c.content)]
    block = permissions_document(locks[0].content) if len(locks) == 1 else None
    try:
        return None if block is None else PowerpackPermissions.model_validate(block).model_dump(exclude_defaults=True)
    except ValidationError:
        return None
