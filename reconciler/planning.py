"""The planner: manifests and remote widgets in, a list of typed changes out. Pure; no I/O."""

from __future__ import annotations

import copy
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from reconciler.diffing import FieldChange, field_changes
from reconciler.normalise import canonical_json, lookup, parse_path, without_ignored
from reconciler.resources import DesiredWidget, RemoteWidget, User, WidgetKey

PLAN_FORMAT_VERSION = 2


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class Reason(StrEnum):
    NEW = "missing remotely (never applied, or deleted outside git)"
    MANIFEST_CHANGED = "manifest changed"
    DRIFT = "changed outside git"
    BOTH_CHANGED = "manifest changed, and changed outside git"
    UNRECORDED = "differs from the manifest"
    ADOPT = "adopted: ownership tags added"
    REMOVED = "manifest removed"
    DUPLICATE = "duplicate of the kept widget"


@dataclass(frozen=True)
class Editor:
    """Who last changed a remote widget, and when."""

    handle: str
    name: str
    at: str


@dataclass(frozen=True)
class Change:
    """One write the apply will make, with the before and after a reviewer reads."""

    action: Action
    reason: Reason
    experience_type: str
    manifest_id: str
    title: str
    uuid: str | None = None
    # The full body the API receives (definition and tags); None for a delete.
    definition: dict[str, Any] | None = None
    tags: tuple[str, ...] = ()
    fields: tuple[FieldChange, ...] = ()
    editor: Editor | None = None
    remote_modified_at: str | None = None
    source: str | None = None
    # The tags the target widget carried when planned; apply refuses a write they do not allow.
    remote_tags: tuple[str, ...] | None = field(default=None, compare=False)
    # Both sides as compared (definition and user tags, ignored paths left out): what drift reads
    # to tell an edit outside git from a change in git.
    remote_content: dict[str, Any] | None = field(default=None, compare=False)
    desired_content: dict[str, Any] | None = field(default=None, compare=False)
    ignore: tuple[str, ...] = field(default=(), compare=False)

    @property
    def key(self) -> WidgetKey:
        return (self.experience_type, self.manifest_id)


@dataclass(frozen=True)
class Conflict:
    """A widget claimed twice (two wac-owner or two wac-id tags): nobody writes to it until a person decides."""

    experience_type: str
    uuid: str
    title: str
    owners: tuple[str, ...]
    manifest_ids: tuple[str, ...]

    def describe(self) -> str:
        claims = f"owners {', '.join(self.owners)}" if len(self.owners) > 1 else f"owner {self.owners[0]}"
        if self.manifest_ids:
            claims += f" and wac-ids {', '.join(self.manifest_ids)}"
        return (
            f"{self.experience_type} widget {self.uuid} ('{self.title}') carries {claims}; no owner updates or"
            " deletes it. Resolve it in the UI: keep the wac-owner and wac-id tags of the repository whose manifest"
            " should manage it and remove the others"
        )


@dataclass(frozen=True)
class Plan:
    owner: str
    changes: tuple[Change, ...]
    unchanged: int
    managed: int
    # Why deletes were held back, one sentence per experience type whose listing was incomplete.
    withheld_deletes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    # Digest of the (uuid, modified_at) of every managed widget seen: a saved plan is refused
    # when the remote no longer matches it.
    remote_fingerprint: str = ""
    targets: tuple[str, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    # Problems that make the whole plan unfit to apply (a refused adoption, for one).
    errors: tuple[str, ...] = ()

    def count(self, action: Action) -> int:
        return sum(1 for change in self.changes if change.action == action)

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)


@dataclass(frozen=True)
class Listing:
    """The owner's remote widgets, and per experience type whether the listing is provably complete."""

    widgets: tuple[RemoteWidget, ...]
    incomplete: dict[str, str] = field(default_factory=dict)
    # Unmanaged widgets named by a manifest's `adopt`, fetched one by one.
    adoptable: tuple[RemoteWidget, ...] = ()


def plan_changes(
    desired: Iterable[DesiredWidget],
    listing: Listing,
    owner: str,
    targets: Sequence[str] = (),
) -> Plan:
    """Everything needed to make the owner's remote widgets equal the manifests."""
    wanted = {w.key: w for w in desired}
    remote_by_key: dict[WidgetKey, list[RemoteWidget]] = defaultdict(list)
    warnings: list[str] = []
    claimed = [w for w in listing.widgets if owner in w.owners]
    conflicts = tuple(_conflict(w) for w in claimed if w.conflicted)
    # A manifest whose widget is in conflict waits for a person: creating another would only duplicate it.
    blocked = {(c.experience_type, manifest_id) for c in conflicts for manifest_id in c.manifest_ids}
    managed = [w for w in claimed if not w.conflicted]
    for widget in managed:
        if widget.manifest_id is None:
            warnings.append(
                f"{widget.experience_type} widget {widget.uuid} ('{widget.title}') has the owner tag but no"
                " wac-id tag; it is left alone"
            )
            continue
        remote_by_key[(widget.experience_type, widget.manifest_id)].append(widget)

    adoptable = {w.uuid: w for w in (*listing.adoptable, *listing.widgets)}
    errors = _shared_adoptions(wanted.values())
    chosen = set(targets)
    changes: list[Change] = []
    unchanged = 0
    for key in sorted(set(wanted) | set(remote_by_key)):
        if chosen and key[1] not in chosen:
            continue
        keeper, extras = _keeper(remote_by_key.get(key, []))
        changes.extend(_delete(extra, Reason.DUPLICATE) for extra in extras)
        if key in wanted:
            want = wanted[key]
            if keeper is None and want.adopt:
                found = adoptable.get(want.adopt)
                if found is None:
                    warnings.append(f"{want.source}: adopt {want.adopt}: no such widget; the manifest is created")
                else:
                    adopted, error = _adoption(want, found, owner)
                    if error:
                        errors.append(error)
                    elif adopted is not None:
                        changes.append(adopted)
                    continue
            if keeper is None and key in blocked:
                continue
            change = _reconcile(want, keeper, owner)
            if change is None:
                unchanged += 1
            else:
                changes.append(change)
        elif keeper is not None:
            changes.append(_delete(keeper, Reason.REMOVED))

    known = {k[1] for k in wanted} | {k[1] for k in remote_by_key} | {k[1] for k in blocked}
    errors += [
        f"--target {target}: no manifest and no widget of owner '{owner}' has this id"
        for target in sorted(chosen - known)
    ]
    withheld = tuple(
        f"{experience_type}: {why}; nothing is deleted until a complete listing is seen"
        for experience_type, why in sorted(listing.incomplete.items())
    )
    if withheld:
        changes = [c for c in changes if not (c.action == Action.DELETE and c.experience_type in listing.incomplete)]
    if not claimed and any(c.action == Action.CREATE for c in changes):
        warnings.append(
            f"owner '{owner}' manages no widgets yet, so every manifest is created. If these manifests were applied"
            " before under another owner (check --owner, WAC_OWNER and .wac.yaml), this makes duplicates; to take"
            " over existing widgets instead, run `wac export` and keep each manifest's `adopt:`"
        )
    return Plan(
        owner=owner,
        changes=tuple(sorted(changes, key=_order)),
        unchanged=unchanged,
        managed=len(managed),
        withheld_deletes=withheld,
        warnings=tuple(warnings),
        remote_fingerprint=fingerprint(claimed),
        targets=tuple(sorted(chosen)),
        conflicts=tuple(sorted(conflicts, key=lambda c: (c.experience_type, c.uuid))),
        errors=tuple(errors),
    )


def _conflict(widget: RemoteWidget) -> Conflict:
    return Conflict(widget.experience_type, widget.uuid, widget.title, widget.owners, widget.manifest_ids)


def _shared_adoptions(desired: Iterable[DesiredWidget]) -> list[str]:
    """Two manifests adopting one widget would flip its wac-id forever; validation says so too."""
    by_uuid: dict[str, list[DesiredWidget]] = defaultdict(list)
    for want in desired:
        if want.adopt:
            by_uuid[want.adopt].append(want)
    return [
        f"adopt {uuid} is named by {len(wants)} manifests ({', '.join(sorted(w.source for w in wants))});"
        " a widget can be adopted by one manifest only"
        for uuid, wants in sorted(by_uuid.items())
        if len(wants) > 1
    ]


def fingerprint(widgets: Iterable[RemoteWidget]) -> str:
    payload = canonical_json(sorted((w.uuid, w.modified_at) for w in widgets))
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def _order(change: Change) -> tuple[int, str, str, str]:
    # Creates and updates before deletes: a failure half-way never leaves less than before.
    rank = {Action.CREATE: 0, Action.UPDATE: 1, Action.DELETE: 2}[change.action]
    return (rank, change.experience_type, change.manifest_id, change.uuid or "")


def _keeper(candidates: list[RemoteWidget]) -> tuple[RemoteWidget | None, list[RemoteWidget]]:
    """Of several widgets with one wac-id, keep the oldest.

    Never the one matching the manifest: two applies of different manifest versions would then
    each keep their own copy and delete the other's, leaving none.
    """
    ordered = sorted(candidates, key=lambda w: (w.created_at, w.uuid))
    return (ordered[0] if ordered else None), ordered[1:]


def _reconcile(desired: DesiredWidget, remote: RemoteWidget | None, owner: str) -> Change | None:
    if remote is None:
        return Change(
            action=Action.CREATE,
            reason=Reason.NEW,
            experience_type=desired.experience_type,
            manifest_id=desired.manifest_id,
            title=desired.title,
            definition=desired.definition,
            tags=tuple(desired.tags_for(owner)),
            fields=field_changes({}, _comparable(desired.definition, desired.user_tags, ())),
            source=desired.source,
        )
    want = desired.digest()
    have = remote.digest(desired.ignore)
    if want == have:
        return None
    return _update(desired, remote, owner, _why(want, have, remote.applied_digest))


def _update(desired: DesiredWidget, remote: RemoteWidget, owner: str, reason: Reason) -> Change:
    before = _comparable(remote.definition, remote.user_tags, desired.ignore)
    after = _comparable(desired.definition, desired.user_tags, desired.ignore)
    return Change(
        action=Action.UPDATE,
        reason=reason,
        experience_type=desired.experience_type,
        manifest_id=desired.manifest_id,
        title=desired.title,
        uuid=remote.uuid,
        definition=keep_ignored_remote_values(desired.definition, remote.definition, desired.ignore),
        tags=tuple(desired.tags_for(owner)),
        fields=field_changes(before, after),
        editor=_editor(remote.modified_by, remote.modified_at),
        remote_modified_at=remote.modified_at,
        source=desired.source,
        remote_tags=remote.tags,
        remote_content=before,
        desired_content=after,
        ignore=desired.ignore,
    )


def comparable(definition: dict[str, Any], user_tags: Sequence[str], ignore: Sequence[str]) -> dict[str, Any]:
    """A widget's content as plans compare it: definition without ignored paths, and sorted user tags."""
    return _comparable(definition, user_tags, ignore)


def _adoption(desired: DesiredWidget, remote: RemoteWidget, owner: str) -> tuple[Change | None, str | None]:
    """Taking over an existing widget: an update that adds the ownership tags, never a second widget."""
    where = f"{desired.source}: adopt {remote.uuid}"
    if remote.experience_type != desired.experience_type:
        return None, f"{where} is a {remote.experience_type} widget, not {desired.experience_type}"
    if remote.conflicted:
        return None, f"{where} is claimed by owners {', '.join(remote.owners)}; resolve that in the UI first"
    if remote.owner is not None and remote.owner != owner:
        return None, (
            f"{where} is managed by owner '{remote.owner}'; refusing to take it over. Ask that owner to remove"
            " its manifest (or remove `adopt:` here to create a widget of your own)"
        )
    if remote.owner == owner:
        return None, (
            f"{where} is already managed by owner '{owner}' as id '{remote.manifest_id}'; remove `adopt:` from"
            f" this manifest, or rename its id to '{remote.manifest_id}'"
        )
    # Even when the content already matches, the ownership tags must be written.
    return _update(desired, remote, owner, Reason.ADOPT), None


def _why(want: str, have: str, applied: str | None) -> Reason:
    if applied is None:
        return Reason.UNRECORDED
    if applied == have:
        return Reason.MANIFEST_CHANGED
    if applied == want:
        return Reason.DRIFT
    return Reason.BOTH_CHANGED


def _delete(remote: RemoteWidget, reason: Reason) -> Change:
    return Change(
        action=Action.DELETE,
        reason=reason,
        experience_type=remote.experience_type,
        manifest_id=remote.manifest_id or "",
        title=remote.title,
        uuid=remote.uuid,
        fields=field_changes(_comparable(remote.definition, remote.user_tags, ()), {}),
        editor=_editor(remote.modified_by, remote.modified_at),
        remote_modified_at=remote.modified_at,
        remote_tags=remote.tags,
    )


def _editor(user: User | None, at: str) -> Editor | None:
    return Editor(handle=user.handle, name=user.name, at=at) if user else None


def _comparable(definition: dict[str, Any], user_tags: Sequence[str], ignore: Sequence[str]) -> dict[str, Any]:
    return {"definition": without_ignored(definition, ignore), "tags": sorted(set(user_tags))}


def keep_ignored_remote_values(
    desired: dict[str, Any], remote: dict[str, Any], ignore: Sequence[str]
) -> dict[str, Any]:
    """The body for a full-replacement PUT: the manifest, with the remote's values at ignored paths."""
    if not ignore:
        return desired
    result = copy.deepcopy(desired)
    for raw in ignore:
        path = parse_path(raw)
        found, value = lookup(remote, path)
        _assign(result, path, value, found)
    return result


def _assign(node: Any, path: list[str | int], value: Any, found: bool) -> None:
    located, parent = lookup(node, path[:-1])
    last = path[-1]
    if not located:
        return
    if isinstance(parent, dict) and isinstance(last, str):
        if found:
            parent[last] = value
        else:
            parent.pop(last, None)
    elif isinstance(parent, list) and isinstance(last, int) and last < len(parent) and found:
        parent[last] = value
