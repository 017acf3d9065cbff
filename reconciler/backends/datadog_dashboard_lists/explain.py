"""Sentences for dashboard list manifests' errors, and the manifest `wac export` writes for a list."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic_core import ErrorDetails

from reconciler.backends.datadog_dashboard_lists.codec import members_of
from reconciler.backends.datadog_dashboard_lists.schema import DashboardListManifest
from reconciler.backends.datadog_dashboard_lists.vocabulary import DASHBOARD_ID, KIND
from reconciler.core.resources import Remote

FIELDS = tuple(DashboardListManifest.model_fields)


def data_path(loc: Sequence[str | int]) -> tuple[str | int, ...]:
    return tuple(loc)


def explain(data: Any, path: tuple[str | int, ...], name: str, error: ErrorDetails) -> str | None:
    if error["type"] == "extra_forbidden" and len(path) == 1:
        return f"unknown field '{path[-1]}'; a {KIND} manifest has only {', '.join(FIELDS)}"
    if error["type"] == "string_pattern_mismatch" and path == ("adopt",):
        return "adopt must be a dashboard list's id: a number, like `284061`"
    return None


def manifest_document(
    remote: Remote, manifest_id: str, adopt: bool, children: Sequence[Remote] = ()
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The list as a manifest; members a manifest cannot name (preset dashboards, whose ids are not custom
    dashboards' and which the API cannot add) are left out and named."""
    members = members_of(remote.content)
    document: dict[str, Any] = {"kind": KIND, "id": manifest_id}
    if adopt:
        document["adopt"] = remote.remote_id
    document["name"] = remote.content.get("name", "")
    document["dashboards"] = [m for m in members if DASHBOARD_ID.fullmatch(m)]
    dropped = tuple(m for m in members if not DASHBOARD_ID.fullmatch(m))
    return document, dropped
