"""Dashboards as the API answers them, checked field by field before any of it is used."""

from __future__ import annotations

from typing import Any, Final

from reconciler.backends.datadog_dashboards.vocabulary import DASHBOARD_ID
from reconciler.core.backend import BackendError

MALFORMED: Final = "the API's answer is malformed, so nothing was planned from it"


def summary_fields(item: Any, where: str) -> tuple[str, str | None]:
    if not isinstance(item, dict):
        raise BackendError(f"{where} is not an object; {MALFORMED}")
    dashboard_id, description = item.get("id"), item.get("description")
    if not isinstance(dashboard_id, str) or not DASHBOARD_ID.fullmatch(dashboard_id):
        raise BackendError(f"{where}.id is missing or not a dashboard id; {MALFORMED}")
    if description is not None and not isinstance(description, str):
        raise BackendError(f"{where}.description is not text; {MALFORMED}")
    return dashboard_id, description


def checked_dashboard(body: Any, where: str, dashboard_id: str | None = None) -> dict[str, Any]:
    """A dashboard body, every field used checked; `dashboard_id` is the one asked for, which it must be."""
    if not isinstance(body, dict):
        raise BackendError(f"{where}: the answer is not an object; {MALFORMED}")
    found, _ = summary_fields(body, where)
    if dashboard_id is not None and found != dashboard_id:
        raise BackendError(f"{where}: the answer is dashboard {found}, not the one asked for; {MALFORMED}")
    if not isinstance(body.get("title"), str) or not isinstance(body.get("widgets"), list):
        raise BackendError(f"{where}: title or widgets missing; {MALFORMED}")
    tags = body.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise BackendError(f"{where}.tags is not a list of text; {MALFORMED}")
    for name in ("created_at", "modified_at", "author_handle"):
        if not isinstance(body.get(name, ""), str | None):
            raise BackendError(f"{where}.{name} is not text; {MALFORMED}")
    return body
