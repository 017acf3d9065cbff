"""Dashboards to generic resources and back: server fields and defaults never compared, the marker
kept out of the description that is compared."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from reconciler.backends.datadog_dashboards.marker import ShareRef, policy_applied, split, with_marker
from reconciler.backends.datadog_dashboards.vocabulary import KIND, SCOPE, SERVER_FIELDS
from reconciler.core.resources import Desired, Marker, Remote, User

# What the server fills in when the request left it out (the recordings show each).
_DEFAULTS: Mapping[str, Any] = {"description": None, "template_variables": None, "notify_list": None}
_EMPTY_DEFAULTS: Mapping[str, Any] = {"restricted_roles": []}


def _without_widget_ids(widgets: Any) -> Any:
    if not isinstance(widgets, list):
        return widgets
    result = []
    for widget in widgets:
        if isinstance(widget, dict):
            widget = {k: v for k, v in widget.items() if k != "id"}
            definition = widget.get("definition")
            if isinstance(definition, dict) and "widgets" in definition:
                widget["definition"] = {**definition, "widgets": _without_widget_ids(definition["widgets"])}
        result.append(widget)
    return result


def normalised(body: Mapping[str, Any]) -> dict[str, Any]:
    """A dashboard as compared: no server fields, no widget ids, no server-filled nulls or empties,
    notify_list in order, tags apart."""
    result: dict[str, Any] = {}
    for name, value in body.items():
        if name in SERVER_FIELDS or name == "tags":
            continue
        if name in _DEFAULTS and value is None:
            continue
        if name == "description" and isinstance(value, str):
            # Trailing line breaks (a YAML block scalar's) do not survive the marker line written after them.
            value = value.rstrip("\n")
            if not value:
                continue  # no description, whichever way it is written
        if name in _EMPTY_DEFAULTS and value == _EMPTY_DEFAULTS[name]:
            continue
        if name == "widgets":
            value = _without_widget_ids(value)
        if name == "notify_list" and isinstance(value, list):
            value = sorted(value, key=str)
        result[name] = value
    return result


def content_of(body: Mapping[str, Any], tags: Iterable[str]) -> dict[str, Any]:
    return {"dashboard": normalised(body), "tags": sorted(set(tags))}


def desired_dashboard(
    manifest_id: str, dashboard: Mapping[str, Any], tags: Iterable[str] = (), ignore: Iterable[str] = (),
    source: str = "", adopt: str | None = None,
) -> Desired:  # fmt: skip
    return Desired(
        kind=KIND,
        scope=SCOPE,
        manifest_id=manifest_id,
        title=str(dashboard.get("title", "")),
        content=content_of(dashboard, tags),
        ignore=tuple(f"dashboard.{path}" for path in ignore),
        source=source,
        adopt=adopt,
    )


def remote_from(body: Mapping[str, Any]) -> Remote:
    """A dashboard from a checked GET answer. Datadog records its author, not who changed it last."""
    description, claims = split(body.get("description"))
    author = str(body.get("author_handle") or "")
    shown = {**body, "description": description}
    return Remote(
        kind=KIND,
        scope=SCOPE,
        remote_id=str(body["id"]),
        title=str(body.get("title", "")),
        content=content_of(shown, body.get("tags") or ()),
        claims=claims,
        created_at=str(body.get("created_at", "")),
        modified_at=str(body.get("modified_at", "")),
        created_by=User(author, author, str(body.get("author_name") or author)) if author else None,
        modified_by=User(
            "",
            "",
            "",
            note=f"Datadog records only the dashboard's author ({author or 'unknown'}), not who changed it last",
        ),
    )


def request_body(
    content: Mapping[str, Any], marker: Marker, share: ShareRef | None = None, policy: str | None = None
) -> dict[str, Any]:
    dashboard = dict(content["dashboard"])
    dashboard["description"] = with_marker(dashboard.get("description"), marker, share, policy)
    if content.get("tags"):
        dashboard["tags"] = list(content["tags"])
    return dashboard


def unmarked(body: Mapping[str, Any]) -> dict[str, Any]:
    """A dashboard as read, to be written back without its marker line (and the share it records): let go."""
    written = {name: value for name, value in body.items() if name not in SERVER_FIELDS}
    written["description"] = split(body.get("description"))[0] or None
    return written


def recorded(body: Mapping[str, Any], share: ShareRef | None) -> dict[str, Any]:
    """A dashboard as read (its marker owned and well-formed), to be written back with `share` recorded in
    the marker (None: no share); nothing else changes (the policy it records stays)."""
    return _remarked(body, share, policy_applied(body.get("description")))


def recorded_policy(body: Mapping[str, Any], share: ShareRef | None, policy: str | None) -> dict[str, Any]:
    """A dashboard as read, written back with `policy` (a digest) recorded as wac's lock (None: no lock)."""
    return _remarked(body, share, policy)


def _remarked(body: Mapping[str, Any], share: ShareRef | None, policy: str | None) -> dict[str, Any]:
    description, claims = split(body.get("description"))
    assert claims.owner is not None and claims.manifest_id is not None and claims.applied is not None
    written = {name: value for name, value in body.items() if name not in SERVER_FIELDS}
    marker = Marker(claims.owner, claims.manifest_id, claims.applied)
    written["description"] = with_marker(description, marker, share, policy)
    return written
