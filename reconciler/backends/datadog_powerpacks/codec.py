"""Powerpacks to generic resources and back: what the server fills in never compared, the marker kept in tags.

A powerpack's comparable content is `{"powerpack": {name, description, group_widget, tags, template_variables}}`
with the user's tags only; the recordings show what the server adds (inner widget ids, new ones on every write;
empty descriptions, tag and variable lists), each taken out here so that it never makes a diff.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from reconciler.backends.datadog_powerpacks.marker import claims_from, marker_tags, user_tags
from reconciler.backends.datadog_powerpacks.vocabulary import KIND, SCOPE
from reconciler.core.resources import Desired, Marker, Remote, User

BODY: Final = "powerpack"
# What `PowerpackAttributes` names: anything else an answer carries is not compared.
ATTRIBUTES: Final = ("name", "description", "group_widget", "tags", "template_variables")
# Fields an update must send even when the manifest leaves them out: PATCH keeps what it is not sent.
CLEARED: Final[Mapping[str, Any]] = {"description": "", "template_variables": [], "tags": []}


def _without_nulls(value: Mapping[str, Any]) -> dict[str, Any]:
    return {key: item for key, item in value.items() if item is not None}


def _group_widget(value: Any) -> Any:
    """The group with its inner widgets' ids left out (the server makes new ones on every write)."""
    if not isinstance(value, dict):
        return value
    group = _without_nulls(value)
    definition = group.get("definition")
    if isinstance(definition, dict):
        definition = _without_nulls(definition)
        widgets = definition.get("widgets")
        if isinstance(widgets, list):
            definition["widgets"] = [
                {k: v for k, v in w.items() if k != "id"} if isinstance(w, dict) else w for w in widgets
            ]
        group["definition"] = definition
    return group


def normalised(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """A powerpack as compared: known attributes only, no inner widget ids, no marker tags, empties as absent."""
    result: dict[str, Any] = {}
    for name in ATTRIBUTES:
        value = attributes.get(name)
        if name == "tags":
            value = user_tags(t for t in value or () if isinstance(t, str))
        elif name == "group_widget":
            value = _group_widget(value)
        elif name == "template_variables" and isinstance(value, list):
            value = [_without_nulls(v) if isinstance(v, dict) else v for v in value]
        if value is None or value == "" or value == []:
            continue
        result[name] = value
    return result


def content_of(attributes: Mapping[str, Any]) -> dict[str, Any]:
    return {BODY: normalised(attributes)}


def desired_powerpack(
    manifest_id: str, body: Mapping[str, Any], ignore: Iterable[str] = (), source: str = "", adopt: str | None = None
) -> Desired:
    return Desired(
        kind=KIND,
        scope=SCOPE,
        manifest_id=manifest_id,
        title=str(body.get("name", "")),
        content=content_of(body),
        ignore=tuple(f"{BODY}.{path}" for path in ignore),
        source=source,
        adopt=adopt,
    )


def user_from(item: Mapping[str, Any]) -> User:
    """An `included` user (checked): Datadog names it by email, and by name when the profile has one."""
    attributes = item.get("attributes") or {}
    email = str(attributes.get("email") or "")
    return User(str(item["id"]), email, str(attributes.get("name") or email))


def author_id(data: Mapping[str, Any]) -> str | None:
    relationships = data.get("relationships")
    author = relationships.get("author") if isinstance(relationships, dict) else None
    linked = author.get("data") if isinstance(author, dict) else None
    found = linked.get("id") if isinstance(linked, dict) else None
    return found if isinstance(found, str) else None


def remote_from(data: Mapping[str, Any], users: Mapping[str, User]) -> Remote:
    """A powerpack from an answer's checked `data` item. The API names its author only: not who changed it last,
    nor when it was made or changed."""
    attributes = data["attributes"]
    author = users.get(author_id(data) or "")
    shown = author.name if author is not None else "unknown"
    return Remote(
        kind=KIND,
        scope=SCOPE,
        remote_id=str(data["id"]),
        title=str(attributes.get("name", "")),
        content=content_of(attributes),
        claims=claims_from(tuple(attributes.get("tags") or ())),
        created_by=author,
        modified_by=User(
            "", "", "", note=f"Datadog records only the powerpack's author ({shown}), not who changed it last or when"
        ),
    )


def request_body(
    content: Mapping[str, Any], marker: Marker, *, update: bool = False, policy: str | None = None
) -> dict[str, Any]:
    """The POST (or, `update`, the PATCH) body: the manifest's attributes, its tags, then the marker's three (and,
    with `policy`, the tag recording the edit lock as wac's)."""
    attributes = {**(CLEARED if update else {}), **content[BODY]}
    attributes["tags"] = [*user_tags(attributes.get("tags") or ()), *marker_tags(marker, policy)]
    return {"data": {"type": "powerpack", "attributes": attributes}}


def unmarked_body(attributes: Mapping[str, Any]) -> dict[str, Any]:
    """The PATCH body of a powerpack let go: everything as read, its marker tags taken out."""
    written = {**CLEARED, **normalised(attributes)}
    written["tags"] = user_tags(t for t in attributes.get("tags") or () if isinstance(t, str))
    return {"data": {"type": "powerpack", "attributes": written}}


def recorded_policy(attributes: Mapping[str, Any], policy: str | None) -> dict[str, Any]:
    """The PATCH body of a powerpack as read (its marker owned and whole), written back with `policy` (a digest)
    recorded as wac's edit lock (None: no lock); nothing else changes."""
    tags = [t for t in attributes.get("tags") or () if isinstance(t, str)]
    claims = claims_from(tags)
    assert claims.owner is not None and claims.manifest_id is not None and claims.applied is not None
    written = {**CLEARED, **normalised(attributes)}
    written["tags"] = [*user_tags(tags), *marker_tags(Marker(claims.owner, claims.manifest_id, claims.applied), policy)]
    return {"data": {"type": "powerpack", "attributes": written}}
