"""The two sides the planner compares, for every backend alike: resources as the manifests want them,
and as an API has them. A backend's codec builds both; the core never reads an API's shapes."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from reconciler.core.normalise import content_digest, without_ignored

ResourceKey = tuple[str, str, str]
"""(kind, scope, manifest id): how a manifest and its remote resource find each other."""


@dataclass(frozen=True)
class User:
    """Who did something, as the API names them; `note` says why the API cannot (then `handle` is empty)."""

    id: str
    handle: str
    name: str
    note: str = ""


@dataclass(frozen=True)
class Caution:
    """A sentence a reviewer must not miss about one change; `widens` when it gives more people access."""

    text: str
    widens: bool = True
    # The change must not be applied at all (an edit lock that would shut wac out of its own resource): the
    # plan carries it as an error naming the change. Said of an edit outside git, it only describes that edit.
    refuses: bool = False


@dataclass(frozen=True)
class Marker:
    """The ownership a write carries: who manages the resource, as which manifest, and what was applied."""

    owner: str
    manifest_id: str
    applied: str
    # The id the resource's marker carries now, when this write renames it (`moved_from`): what a backend
    # re-checks right before writing, instead of `manifest_id`.
    renamed_from: str | None = None
    # The write takes over a resource that carries no marker (`adopt:`): only then may the resource, read right
    # before the write, carry none. Every other write finds exactly this owner and id there, or is refused.
    adopting: bool = False

    @property
    def current_id(self) -> str:
        return self.renamed_from or self.manifest_id


@dataclass(frozen=True)
class Claims:
    """What a remote resource's ownership marker says, as each backend's codec decoded it.

    Several owners or ids mean someone copied or edited the marker: nobody may write to it.
    """

    owners: tuple[str, ...] = ()
    manifest_ids: tuple[str, ...] = ()
    applied: str | None = None
    # How a person resolves a conflict on this resource, in the backend's words (empty: the generic advice).
    resolve: str = ""
    # Set where a marker can be copied with its resource (a clone made in the UI copies a description):
    # several resources with one marker are then duplicates to repair only while each is exactly as
    # applied, and otherwise a conflict this sentence explains.
    copy_help: str = ""

    @property
    def conflicted(self) -> bool:
        return len(self.owners) > 1 or len(self.manifest_ids) > 1

    @property
    def owner(self) -> str | None:
        """The one owner, or None when there is none or several."""
        return self.owners[0] if len(self.owners) == 1 else None

    @property
    def manifest_id(self) -> str | None:
        return self.manifest_ids[0] if len(self.manifest_ids) == 1 else None

    @property
    def unowned(self) -> bool:
        return not self.owners and not self.manifest_ids

    def owned_as(self, owner: str, manifest_id: str) -> bool:
        """Exactly this owner and this id: the check before every write."""
        return self.owners == (owner,) and self.manifest_ids == (manifest_id,)

    def describe(self) -> str:
        """The claims in plain words ("owners a, b and id x"); the names in parentheses say why, not who."""
        return describe_claims(self.owners, self.manifest_ids)


def describe_claims(owners: tuple[str, ...], manifest_ids: tuple[str, ...]) -> str:
    named = [o for o in owners if not o.startswith("(")]
    parts = []
    if named:
        parts.append(("owners " if len(named) > 1 else "owner ") + ", ".join(named))
    if manifest_ids:
        parts.append(("ids " if len(manifest_ids) > 1 else "id ") + ", ".join(manifest_ids))
    return " and ".join(parts) if parts else "no ownership marker"


@dataclass(frozen=True)
class Desired:
    """A manifest as the planner takes it; `content` is what is compared, `ignore` paths within it."""

    kind: str
    scope: str
    manifest_id: str
    title: str
    content: dict[str, Any]
    ignore: tuple[str, ...]
    source: str
    adopt: str | None = None
    # Content paths an update cannot change: a difference there is planned as a replace.
    immutable: tuple[str, ...] = ()
    # Content paths holding mappings an update merges into (one level deep): a key removed from
    # one can only be removed by a replace.
    merged: tuple[str, ...] = ()
    # The resource this one belongs to (a dashboard's share belongs to the dashboard): written after it,
    # deleted before it, and left alone while it is in conflict.
    parent: ResourceKey | None = None
    # Ids the manifest was known by before (`moved_from:`): a resource carrying one is renamed, not recreated.
    moved_from: tuple[str, ...] = ()
    # Content paths holding lists whose order means nothing (a set of members): sorted again once references
    # in them are swapped for remote ids, so only membership is compared.
    unordered: tuple[str, ...] = ()
    # The (kind, manifest id) of each resource the content names by a reference token (`{ref: KIND/ID}`):
    # planned before this one, and its remote id swapped in (see `core.references`).
    references: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> ResourceKey:
        return (self.kind, self.scope, self.manifest_id)

    def digest(self) -> str:
        return self._digest

    @cached_property
    def _digest(self) -> str:
        # Asked for several times per plan; a frozen dataclass may still cache in its __dict__.
        return content_digest(without_ignored(self.content, self.ignore))

    def marker(self, owner: str) -> Marker:
        return Marker(owner, self.manifest_id, self.digest())


@dataclass(frozen=True)
class Remote:
    """A resource as an API has it: its comparable content, its ownership claims, and who changed it when."""

    kind: str
    scope: str
    remote_id: str
    title: str
    content: dict[str, Any]
    claims: Claims
    created_at: str = ""
    modified_at: str = ""
    created_by: User | None = None
    modified_by: User | None = None
    parent: ResourceKey | None = None
    # Why this resource cannot be taken over as it is (empty when it can), in the backend's words.
    unadoptable: str = ""
    # Only a dead reference is left (a share revoked outside wac whose token a marker still holds): a manifest
    # that wants the resource creates it anew, and one that does not has the reference cleared by a delete.
    stale: bool = False

    def digest(self, ignore: tuple[str, ...] = ()) -> str:
        return content_digest(without_ignored(self.content, ignore))
