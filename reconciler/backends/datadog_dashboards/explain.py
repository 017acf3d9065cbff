"""Sentences for dashboard manifests' errors, and the manifest `wac export` writes for a dashboard."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from reconciler.backends.datadog_dashboards.permissions import is_permissions, permissions_document
from reconciler.backends.datadog_dashboards.schema import DashboardManifest, Permissions, Sharing
from reconciler.backends.datadog_dashboards.sharing import is_share, sharing_document
from reconciler.backends.datadog_dashboards.vocabulary import KIND, POLICY_SCOPE, SHARE_SCOPE, TEAM_TAG
from reconciler.core.resources import Remote

FIELDS = tuple(DashboardManifest.model_fields)


def data_path(loc: Sequence[str | int]) -> tuple[str | int, ...]:
    return tuple(loc)


def explain(data: Any, path: tuple[str | int, ...], name: str, error: ErrorDetails) -> str | None:
    if error["type"] == "extra_forbidden" and len(path) == 1:
        return f"unknown field '{path[-1]}'; a {KIND} manifest has only {', '.join(FIELDS)}"
    if error["type"] == "extra_forbidden" and path[0] == "dashboard":
        # A field of the dashboard body the v1 spec does not name: the schema wrote the sentence, with its guess.
        return error["msg"]
    return None


def manifest_document(
    dashboard: Remote, manifest_id: str, adopt: bool, children: Sequence[Remote] = ()
) -> tuple[dict[str, Any], tuple[str, ...]]:
    body = dict(dashboard.content.get("dashboard") or {})
    tags = [t for t in dashboard.content.get("tags") or [] if TEAM_TAG.fullmatch(t)]
    document = _head(manifest_id, tags, dashboard.remote_id if adopt else None)
    front = {k: body[k] for k in ("title", "description", "layout_type") if k in body}
    document["dashboard"] = {**front, **{k: v for k, v in body.items() if k not in front}}
    dropped = tuple(t for t in dashboard.content.get("tags") or [] if t not in tags)
    blocks = {"sharing": _sharing(body, children), "permissions": _permissions(children)}
    document.update({name: block for name, block in blocks.items() if block is not None})
    return document, dropped


def _head(manifest_id: str, tags: list[str], adopt: str | None) -> dict[str, Any]:
    document: dict[str, Any] = {"kind": KIND, "id": manifest_id}
    if tags:
        document["tags"] = tags
    if adopt:
        document["adopt"] = adopt
    return document


def _permissions(children: Sequence[Remote]) -> dict[str, Any] | None:
    """The `permissions:` block for the dashboard's restriction policy, when it has one a manifest can say."""
    locks = [c for c in children if c.scope == POLICY_SCOPE and is_permissions(c.content)]
    block = permissions_document(locks[0].content) if len(locks) == 1 else None
    try:
        return None if block is None else Permissions.model_validate(block).model_dump(exclude_defaults=True)
    except ValidationError:
        return None


def _sharing(body: dict[str, Any], children: Sequence[Remote]) -> dict[str, Any] | None:
    """The `sharing:` block for the dashboard's readable share, when a manifest can say it (not `embed`)."""
    shares = [c for c in children if c.scope == SHARE_SCOPE and is_share(c.content)]
    if len(shares) != 1:
        return None
    block = sharing_document(shares[0].content)
    try:
        Sharing.model_validate(block)
    except ValidationError:
        return None
    names = {v.get("name") for v in body.get("template_variables") or [] if isinstance(v, dict)}
    if any(v.get("name") not in names for v in block.get("selectable_template_vars") or []):
        return None
    return block
