"""Datadog widget bodies to generic resources and back; ownership is kept in the widget's tags.

A widget's comparable content is `{"definition": …, "tags": [user tags, sorted]}`; `wac-owner`,
`wac-id` and `wac-applied` tags are the ownership marker and never part of the content.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Final

from reconciler.backends.datadog_widgets.tags import (
    APPLIED_PREFIX,
    ID_PREFIX,
    OWNER_PREFIX,
    applied_tag,
    id_tag,
    is_reserved,
    owner_tag,
    reserved_value,
    reserved_values,
)
from reconciler.core.resources import Claims, Desired, Marker, Remote, User

KIND: Final = "datadog/widget"
# Manifest `ignore:` paths are written inside the definition; in the content they sit under this key.
DEFINITION: Final = "definition"


def content_of(definition: dict[str, Any], user_tags: Iterable[str]) -> dict[str, Any]:
    return {DEFINITION: definition, "tags": sorted(set(user_tags))}


CONFLICT_HELP: Final = (
    "no owner updates or deletes it. Resolve it in the UI: keep the wac-owner and wac-id tags of the repository"
    " whose manifest should manage it and remove the others"
)


def claims_from(tags: Sequence[str]) -> Claims:
    return Claims(
        owners=reserved_values(tuple(tags), OWNER_PREFIX),
        manifest_ids=reserved_values(tuple(tags), ID_PREFIX),
        applied=reserved_value(tuple(tags), APPLIED_PREFIX),
        resolve=CONFLICT_HELP,
    )


def ignore_paths(ignore: Iterable[str]) -> tuple[str, ...]:
    """Manifest ignore paths (inside the definition) as paths inside the content."""
    return tuple(f"{DEFINITION}.{path}" if not path.startswith("[") else f"{DEFINITION}{path}" for path in ignore)


def desired_widget(
    experience_type: str,
    manifest_id: str,
    definition: dict[str, Any],
    user_tags: Iterable[str] = (),
    ignore: Iterable[str] = (),
    source: str = "",
    adopt: str | None = None,
) -> Desired:
    return Desired(
        kind=KIND,
        scope=experience_type,
        manifest_id=manifest_id,
        title=str(definition.get("title", "")),
        content=content_of(definition, user_tags),
        ignore=ignore_paths(ignore),
        source=source,
        adopt=adopt,
    )


def remote_widget(
    uuid: str,
    experience_type: str,
    definition: dict[str, Any],
    tags: Sequence[str] = (),
    created_at: str = "",
    modified_at: str = "",
    created_by: User | None = None,
    modified_by: User | None = None,
) -> Remote:
    return Remote(
        kind=KIND,
        scope=experience_type,
        remote_id=uuid,
        title=str(definition.get("title", "")),
        content=content_of(definition, (t for t in tags if not is_reserved(t))),
        claims=claims_from(tags),
        created_at=created_at,
        modified_at=modified_at,
        created_by=created_by,
        modified_by=modified_by,
    )


def user_from(included: dict[str, Any] | None) -> User | None:
    if not included:
        return None
    attributes = included.get("attributes") or {}
    return User(str(included.get("id", "")), str(attributes.get("handle", "")), str(attributes.get("name", "")))


def remote_from(experience_type: str, data: dict[str, Any], users: dict[str, User]) -> Remote:
    """A widget from an API response's `data` item (already shape-checked), its users from `included`."""
    attributes = data.get("attributes") or {}
    relationships = data.get("relationships") or {}

    def related(name: str) -> User | None:
        link = relationships.get(name)
        data = link.get("data") if isinstance(link, dict) else None
        ref = data.get("id") if isinstance(data, dict) else None
        return users.get(ref) if isinstance(ref, str) else None

    return remote_widget(
        uuid=str(data["id"]),
        experience_type=experience_type,
        definition=dict(attributes.get("definition") or {}),
        tags=tuple(attributes.get("tags") or ()),
        created_at=str(attributes.get("created_at", "")),
        modified_at=str(attributes.get("modified_at", "")),
        created_by=related("created_by"),
        modified_by=related("modified_by"),
    )


def request_body(content: dict[str, Any], marker: Marker) -> dict[str, Any]:
    """The POST/PUT body: the definition, the user's tags, then ownership and the applied digest."""
    tags = [*sorted(set(content.get("tags") or ())), owner_tag(marker.owner), id_tag(marker.manifest_id)]
    tags.append(applied_tag(marker.applied))
    return {"data": {"type": "widgets", "attributes": {"definition": content[DEFINITION], "tags": tags}}}


def unmarked_body(content: dict[str, Any]) -> dict[str, Any]:
    """The PUT body of a widget let go: its definition and the user's tags, no ownership tags."""
    tags = sorted(set(content.get("tags") or ()))
    return {"data": {"type": "widgets", "attributes": {"definition": content[DEFINITION], "tags": tags}}}


def definition_of(resource: Remote) -> dict[str, Any]:
    definition = resource.content.get(DEFINITION)
    return definition if isinstance(definition, dict) else {}


def user_tags_of(resource: Remote) -> tuple[str, ...]:
    return tuple(resource.content.get("tags") or ())
