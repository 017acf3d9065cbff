"""Sentences for dashboard manifests' errors, and the manifest `wac export` writes for a dashboard."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic_core import ErrorDetails

from reconciler.backends.datadog_dashboards.schema import DashboardManifest
from reconciler.backends.datadog_dashboards.vocabulary import KIND, TEAM_TAG
from reconciler.core.resources import Remote

FIELDS = tuple(DashboardManifest.model_fields)


def data_path(loc: Sequence[str | int]) -> tuple[str | int, ...]:
    return tuple(loc)


def explain(data: Any, path: tuple[str | int, ...], name: str, error: ErrorDetails) -> str | None:
    if error["type"] == "extra_forbidden" and len(path) == 1:
        return f"unknown field '{path[-1]}'; a {KIND} manifest has only {', '.join(FIELDS)}"
    return None


def manifest_document(dashboard: Remote, manifest_id: str, adopt: bool) -> tuple[dict[str, Any], tuple[str, ...]]:
    body = dict(dashboard.content.get("dashboard") or {})
    tags = [t for t in dashboard.content.get("tags") or [] if TEAM_TAG.fullmatch(t)]
    document: dict[str, Any] = {"kind": KIND, "id": manifest_id}
    if tags:
        document["tags"] = tags
    if adopt:
        document["adopt"] = dashboard.remote_id
    front = {k: body[k] for k in ("title", "description", "layout_type") if k in body}
    document["dashboard"] = {**front, **{k: v for k, v in body.items() if k not in front}}
    dropped = tuple(t for t in dashboard.content.get("tags") or [] if t not in tags)
    return document, dropped
