"""SpaceONE custom widgets to generic resources and back; ownership is three keys of the tags mapping.

The comparable content is the widget's own fields (`widget_name`, `title`, `options`, `settings`,
`inherit_options`, `labels`, and the user's tags); the server's `custom_widget_id`, `version`,
`user_id`, `domain_id` and timestamps never take part.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from reconciler.backends.spaceone_widgets.vocabulary import (
    APPLIED_KEY,
    CONTENT_FIELDS,
    ID_KEY,
    KIND,
    OWNER_KEY,
    RESERVED_PREFIX,
    SCOPE,
)
from reconciler.core.resources import Claims, Desired, Marker, Remote, User

_DEFAULTS: dict[str, Any] = {"options": {}, "settings": {}, "inherit_options": {}, "labels": [], "tags": {}}


def content_of(fields: Mapping[str, Any]) -> dict[str, Any]:
    """The fields compared, server defaults filled in and ownership keys left out of the tags."""
    content = {name: fields.get(name, _DEFAULTS.get(name)) for name in CONTENT_FIELDS}
    tags = content["tags"] if isinstance(content["tags"], dict) else {}
    content["tags"] = {k: v for k, v in sorted(tags.items()) if not k.startswith(RESERVED_PREFIX)}
    return content


CONFLICT_HELP: Final = (
    "no owner updates or deletes it. Resolve it in SpaceONE: keep the wac-owner and wac-id tags of the repository"
    " whose manifest should manage it and remove the others"
)


def claims_from(tags: Mapping[str, Any]) -> Claims:
    def values(key: str) -> tuple[str, ...]:
        value = tags.get(key)
        return (value,) if isinstance(value, str) else ()

    applied = tags.get(APPLIED_KEY)
    return Claims(values(OWNER_KEY), values(ID_KEY), applied if isinstance(applied, str) else None, CONFLICT_HELP)


def desired_widget(
    manifest_id: str, fields: Mapping[str, Any], ignore: Iterable[str] = (), source: str = "", adopt: str | None = None
) -> Desired:
    return Desired(
        kind=KIND,
        scope=SCOPE,
        manifest_id=manifest_id,
        title=str(fields.get("title", "")),
        content=content_of(fields),
        ignore=tuple(ignore),
        source=source,
        adopt=adopt,
        # The update message has no widget_name, and it merges settings into the stored ones.
        immutable=("widget_name",),
        merged=("settings",),
    )


def remote_from(info: Mapping[str, Any]) -> Remote:
    """A widget from a checked CustomWidgetInfo. The service records who created it, not who changed it."""
    creator = str(info.get("user_id", ""))
    return Remote(
        kind=KIND,
        scope=SCOPE,
        remote_id=str(info["custom_widget_id"]),
        title=str(info.get("title", "")),
        content=content_of(info),
        claims=claims_from(info.get("tags") or {}),
        created_at=str(info.get("created_at", "")),
        modified_at=str(info.get("updated_at", "")),
        created_by=User(creator, creator, creator) if creator else None,
        modified_by=User(
            "", "", "", note=f"SpaceONE records only the creator ({creator or 'unknown'}), not who changed it last"
        ),
    )


def tags_with(content: Mapping[str, Any], marker: Marker) -> dict[str, Any]:
    return {
        **(content.get("tags") or {}),
        OWNER_KEY: marker.owner,
        ID_KEY: marker.manifest_id,
        APPLIED_KEY: marker.applied,
    }


def unmarked_update_body(custom_widget_id: str, content: Mapping[str, Any], domain_id: str) -> dict[str, Any]:
    """The update of a widget let go: its fields and the user's tags, no ownership keys."""
    body = {name: content[name] for name in CONTENT_FIELDS if name != "widget_name"}
    return {
        "custom_widget_id": custom_widget_id,
        **body,
        "tags": dict(content.get("tags") or {}),
        "domain_id": domain_id,
    }


def create_body(content: Mapping[str, Any], marker: Marker, domain_id: str) -> dict[str, Any]:
    return {
        **{name: content[name] for name in CONTENT_FIELDS},
        "tags": tags_with(content, marker),
        "domain_id": domain_id,
    }


def update_body(custom_widget_id: str, content: Mapping[str, Any], marker: Marker, domain_id: str) -> dict[str, Any]:
    """Everything but widget_name, which the update message cannot carry (a change there is a replace)."""
    body = {name: content[name] for name in CONTENT_FIELDS if name != "widget_name"}
    return {"custom_widget_id": custom_widget_id, **body, "tags": tags_with(content, marker), "domain_id": domain_id}
