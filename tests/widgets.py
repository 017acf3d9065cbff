"""Datadog widgets as the core's generic resources, built through the backend's own codec."""

from __future__ import annotations

from typing import Any

from reconciler.backends.datadog_widgets.backend import DatadogWidgets
from reconciler.backends.datadog_widgets.client import WidgetsClient
from reconciler.backends.datadog_widgets.codec import definition_of, desired_widget, remote_widget, request_body
from reconciler.core.backend import Backend
from reconciler.core.planning import Change
from reconciler.core.resources import Desired, Remote

__all__ = ["backends_of", "definition", "definition_of", "desired_widget", "remote_widget", "tags_for", "written_tags"]


def tags_for(want: Desired, owner: str) -> list[str]:
    """The tags a widget carries once `want` is applied by `owner`: user tags, then the marker's."""
    return list(request_body(want.content, want.marker(owner))["data"]["attributes"]["tags"])


def definition(resource: Desired | Change) -> dict[str, Any]:
    content = resource.content
    assert content is not None
    return dict(content["definition"])


def written_tags(change: Change) -> list[str]:
    assert change.content is not None and change.marker is not None
    return list(request_body(change.content, change.marker)["data"]["attributes"]["tags"])


def user_tags(resource: Desired | Remote) -> tuple[str, ...]:
    return tuple(resource.content.get("tags") or ())


def backends_of(client: WidgetsClient) -> dict[str, Backend]:
    """A run's backends over one Widgets client, as the CLI opens them."""
    backend = DatadogWidgets(client)
    return {backend.kind: backend}
