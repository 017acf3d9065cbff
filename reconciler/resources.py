"""The two sides the planner compares: widgets as the manifests want them, and as the API has them."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from reconciler.normalise import content_digest, without_ignored
from reconciler.tags import (
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

WidgetKey = tuple[str, str]
"""(experience_type, manifest id): how a manifest and its remote widget find each other."""


@dataclass(frozen=True)
class User:
    id: str
    handle: str
    name: str


@dataclass(frozen=True)
class DesiredWidget:
    experience_type: str
    manifest_id: str
    definition: dict[str, Any]
    user_tags: tuple[str, ...]
    ignore: tuple[str, ...]
    source: str
    adopt: str | None = None

    @property
    def key(self) -> WidgetKey:
        return (self.experience_type, self.manifest_id)

    @property
    def title(self) -> str:
        return str(self.definition.get("title", ""))

    def digest(self) -> str:
        return self._digest

    @cached_property
    def _digest(self) -> str:
        # Asked for several times per plan; a frozen dataclass may still cache in its __dict__.
        return content_digest(without_ignored(self.definition, self.ignore), self.user_tags)

    def tags_for(self, owner: str) -> list[str]:
        """The tags sent to the API: the user's, then ownership and the applied digest."""
        return [*sorted(set(self.user_tags)), owner_tag(owner), id_tag(self.manifest_id), applied_tag(self.digest())]


@dataclass(frozen=True)
class RemoteWidget:
    uuid: str
    experience_type: str
    definition: dict[str, Any]
    tags: tuple[str, ...]
    created_at: str
    modified_at: str
    created_by: User | None
    modified_by: User | None

    @cached_property
    def owners(self) -> tuple[str, ...]:
        """Every distinct wac-owner value: more than one is a conflict nobody may resolve by writing."""
        return reserved_values(self.tags, OWNER_PREFIX)

    @cached_property
    def manifest_ids(self) -> tuple[str, ...]:
        return reserved_values(self.tags, ID_PREFIX)

    @property
    def conflicted(self) -> bool:
        return len(self.owners) > 1 or len(self.manifest_ids) > 1

    @property
    def owner(self) -> str | None:
        """The one owner, or None when the widget has none or several."""
        return self.owners[0] if len(self.owners) == 1 else None

    @property
    def manifest_id(self) -> str | None:
        return self.manifest_ids[0] if len(self.manifest_ids) == 1 else None

    def owned_as(self, owner: str, manifest_id: str) -> bool:
        """Whether the tags carry exactly this owner and this wac-id: the check before every write."""
        return self.owners == (owner,) and self.manifest_ids == (manifest_id,)

    @cached_property
    def applied_digest(self) -> str | None:
        return reserved_value(self.tags, APPLIED_PREFIX)

    @cached_property
    def user_tags(self) -> tuple[str, ...]:
        return tuple(sorted({tag for tag in self.tags if not is_reserved(tag)}))

    @property
    def title(self) -> str:
        return str(self.definition.get("title", ""))

    def digest(self, ignore: tuple[str, ...] = ()) -> str:
        return content_digest(without_ignored(self.definition, ignore), self.user_tags)


def user_from(included: dict[str, Any] | None) -> User | None:
    if not included:
        return None
    attributes = included.get("attributes") or {}
    return User(str(included.get("id", "")), str(attributes.get("handle", "")), str(attributes.get("name", "")))


def remote_from(experience_type: str, data: dict[str, Any], users: dict[str, User]) -> RemoteWidget:
    """A widget from an API response's `data` item, with its users resolved from `included`."""
    attributes = data.get("attributes") or {}
    relationships = data.get("relationships") or {}

    def related(name: str) -> User | None:
        link = relationships.get(name)
        data = link.get("data") if isinstance(link, dict) else None
        ref = data.get("id") if isinstance(data, dict) else None
        return users.get(ref) if isinstance(ref, str) else None

    return RemoteWidget(
        uuid=str(data["id"]),
        experience_type=experience_type,
        definition=dict(attributes.get("definition") or {}),
        tags=tuple(attributes.get("tags") or ()),
        created_at=str(attributes.get("created_at", "")),
        modified_at=str(attributes.get("modified_at", "")),
        created_by=related("created_by"),
        modified_by=related("modified_by"),
    )
