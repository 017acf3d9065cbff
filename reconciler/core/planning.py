"""The planner: desired and remote resources in, a list of typed changes out. Pure; no I/O."""

from __future__ import annotations

import copy
import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from reconciler.core.backend import Listing
from reconciler.core.diffing import FieldChange, field_changes
from reconciler.core.normalise import canonical_json, lookup, parse_path, without_ignored
from reconciler.core.resolving import Resolver, reference_order, still_named
from reconciler.core.resources import Caution, Claims, Desired, Marker, Remote, ResourceKey, User, describe_claims


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    # Create the new resource, then delete the old: for what an update cannot change.
    REPLACE = "replace"
    DELETE = "delete"
    # Remove this owner's marker and leave the resource as it is: it is no longer managed, never deleted.
    FORGET = "forget"


class Reason(StrEnum):
    NEW = "missing remotely (never applied, or deleted outside git)"
    MANIFEST_CHANGED = "manifest changed"
    DRIFT = "changed outside git"
    BOTH_CHANGED = "manifest changed, and changed outside git"
    UNRECORDED = "differs from the manifest"
    ADOPT = "adopted: ownership marker added"
    REMOVED = "manifest removed"
    DUPLICATE = "duplicate of the kept one"
    RENAMED = "renamed: its id changed in git (moved_from)"
    FORGOTTEN = "let go (forget: in .wac.yaml): its marker is removed, the rest left as it is"


@dataclass(frozen=True)
class Editor:
    """Who last changed a remote resource, and when; `note` says why the API cannot tell who (no `handle`)."""

    handle: str
    name: str
    at: str
    note: str = ""

    @property
    def known(self) -> bool:
        return bool(self.handle)


@dataclass(frozen=True)
class Change:
    """One write the apply will make, with the before and after a reviewer reads."""

    action: Action
    reason: Reason
    kind: str
    scope: str
    manifest_id: str
    title: str
    remote_id: str | None = None
    # What the backend writes: the content (ignored paths holding the remote's values) and the
    # ownership marker; both None for a delete.
    content: dict[str, Any] | None = None
    marker: Marker | None = None
    fields: tuple[FieldChange, ...] = ()
    editor: Editor | None = None
    remote_modified_at: str | None = None
    source: str | None = None
    # Why an update cannot do it, for a replace.
    replace_reason: str | None = None
    # The ownership the target carried when planned; apply refuses a write it does not allow.
    remote_claims: Claims | None = field(default=None, compare=False)
    # Both sides as compared (ignored paths left out): what drift reads
    # to tell an edit outside git from a change in git.
    remote_content: dict[str, Any] | None = field(default=None, compare=False)
    desired_content: dict[str, Any] | None = field(default=None, compare=False)
    ignore: tuple[str, ...] = field(default=(), compare=False)
    # Written after (deleted before) the change to this resource; see `Desired.parent`.
    parent: ResourceKey | None = field(default=None, compare=False)
    # The parent's remote id when it already exists; for one created by the same apply, the engine's.
    parent_remote_id: str | None = field(default=None, compare=False)
    # What applying this change does that a reviewer must not miss (access widened, for one), and for
    # an edit outside git, what that edit did; both from the backend (see `Backend.cautions`).
    cautions: tuple[Caution, ...] = field(default=(), compare=False)
    outside_cautions: tuple[Caution, ...] = field(default=(), compare=False)
    # The id the resource's marker carries now, for a rename (`moved_from`): the write keeps the resource
    # (its remote id, URL and shares) and rewrites the marker with `manifest_id`.
    renamed_from: str | None = None
    # The resources (kind, manifest id) its content names: written before it, and where the content still
    # holds a reference token (a target this apply creates), the engine swaps in the id the create answered.
    references: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    # Content paths whose lists are sets (`Desired.unordered`): sorted again once the engine swaps ids in.
    unordered: tuple[str, ...] = field(default=(), compare=False)

    @property
    def key(self) -> ResourceKey:
        return (self.kind, self.scope, self.manifest_id)

    @property
    def current_id(self) -> str:
        """The id the remote resource's marker carries now."""
        return self.renamed_from or self.manifest_id

    @property
    def widens_access(self) -> bool:
        return any(caution.widens for caution in self.cautions)


@dataclass(frozen=True)
class Conflict:
    """A resource claimed twice (two owners or two ids): nobody writes to it until a person decides."""

    kind: str
    scope: str
    remote_id: str
    title: str
    owners: tuple[str, ...]
    manifest_ids: tuple[str, ...]
    resolve: str = ""

    def describe(self) -> str:
        resolve = self.resolve or (
            "no owner updates or deletes it until a person leaves the ownership marker of exactly one owner on it"
        )
        claims = describe_claims(self.owners, self.manifest_ids)
        return f"{self.scope} {self.remote_id} ('{self.title}') carries {claims}: {resolve}"


@dataclass(frozen=True)
class Plan:
    owner: str
    changes: tuple[Change, ...]
    unchanged: int
    managed: int
    # Why deletes were held back, one sentence per scope whose listing was incomplete.
    withheld_deletes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    # Digest of the (remote id, modified_at) of every managed resource seen: a saved plan is refused
    # when the remote no longer matches it.
    remote_fingerprint: str = ""
    targets: tuple[str, ...] = ()
    # The kinds a run was limited to (`--kind`); empty for every kind.
    kinds: tuple[str, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    # Problems that make the whole plan unfit to apply (a refused adoption, for one).
    errors: tuple[str, ...] = ()
    # Resources not planned because they (or the one they belong to) are in conflict.
    held_back: tuple[ResourceKey, ...] = ()
    # The kinds of which some existing resource stays as it is: a plan deleting every resource of a kind is
    # what a wrong folder looks like.
    unchanged_kinds: tuple[str, ...] = ()
    # `forget:` entries (KIND/ID) the plan was made with: resources let go rather than deleted.
    forgotten: tuple[str, ...] = ()

    def count(self, action: Action) -> int:
        return sum(1 for change in self.changes if change.action == action)

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)

    @property
    def settled(self) -> bool:
        """Nothing to apply and nothing waiting on a person: the only state that is "No changes"."""
        return not self.changes and not self.held_back and not self.conflicts and not self.errors


def plan_changes(
    desired: Iterable[Desired],
    listing: Listing,
    owner: str,
    targets: Sequence[str] = (),
    kinds: Sequence[str] = (),
    forget: Sequence[str] = (),
) -> Plan:
    """Everything needed to make the owner's remote resources equal the manifests (of `kinds`, when given);
    a resource `forget` names (KIND/ID) whose manifest is gone is let go instead of deleted."""
    every = {w.key: w for w in desired}
    wanted, resources = _scoped(every.values(), listing, kinds)
    index = _renamed(_indexed(resources, owner, wanted), wanted)
    # References resolve across every kind read, also those `kinds` leaves out of the plan.
    whole = index if len(wanted) == len(every) else _renamed(_indexed(listing.resources, owner, every), every)
    resolver = Resolver.of(every, whole.keepers, listing.adoptable)
    decided = _decided(wanted, index, listing, owner, set(targets), frozenset(forget), resolver)
    changes, withheld = _withheld(decided.changes, listing)
    return Plan(
        owner=owner,
        changes=tuple(sorted(_with_parent_ids(changes, index.keepers), key=_order)),
        unchanged=decided.unchanged,
        managed=index.managed,
        withheld_deletes=withheld,
        warnings=tuple(
            [*index.warnings, *decided.warnings, *_owner_warnings(index, changes, owner), *_named(changes, wanted)]
        ),
        remote_fingerprint=fingerprint(index.claimed),
        targets=tuple(sorted(set(targets))),
        kinds=tuple(sorted(set(kinds))),
        conflicts=tuple(sorted(index.conflicts, key=lambda c: (c.kind, c.scope, c.remote_id))),
        errors=tuple(decided.errors),
        held_back=tuple(sorted(decided.held_back)),
        unchanged_kinds=tuple(sorted(decided.unchanged_kinds)),
        forgotten=tuple(sorted(set(forget))),
    )


@dataclass(frozen=True)
class _Index:
    """The owner's remote resources, sorted out: each manifest key's candidates, conflicts and what waits."""

    claimed: tuple[Remote, ...]
    by_key: Mapping[ResourceKey, list[Remote]]
    keepers: Mapping[ResourceKey, Remote]
    conflicts: tuple[Conflict, ...]
    # Keys nobody may write while a person resolves a conflict, and what belongs to them.
    blocked: frozenset[ResourceKey]
    managed: int
    warnings: tuple[str, ...]


@dataclass
class _Decisions:
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    unchanged_kinds: set[str] = field(default_factory=set)
    forget: frozenset[str] = frozenset()
    held_back: list[ResourceKey] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _scoped(
    desired: Iterable[Desired], listing: Listing, kinds: Sequence[str]
) -> tuple[dict[ResourceKey, Desired], tuple[Remote, ...]]:
    only = set(kinds)
    wanted = {w.key: w for w in desired if not only or w.kind in only}
    return wanted, tuple(r for r in listing.resources if not only or r.kind in only)


def _indexed(resources: Sequence[Remote], owner: str, wanted: Mapping[ResourceKey, Desired]) -> _Index:
    claimed = tuple(r for r in resources if owner in r.claims.owners)
    by_key, warnings = _by_manifest_id(r for r in claimed if not r.claims.conflicted)
    conflicts = [_conflict(r) for r in claimed if r.claims.conflicted] + _copy_conflicts(by_key, wanted)
    blocked = _blocked(conflicts, wanted, by_key)
    keepers = {key: _keeper(found)[0] for key, found in by_key.items()}
    return _Index(
        claimed=claimed,
        by_key=by_key,
        keepers={key: keeper for key, keeper in keepers.items() if keeper is not None},
        conflicts=tuple(conflicts),
        blocked=blocked,
        managed=sum(len(found) for found in by_key.values()),
        warnings=tuple(warnings),
    )


def _by_manifest_id(managed: Iterable[Remote]) -> tuple[dict[ResourceKey, list[Remote]], list[str]]:
    """The owner's resources by the manifest key their marker names, and a warning for each naming none."""
    by_key: dict[ResourceKey, list[Remote]] = defaultdict(list)
    warnings: list[str] = []
    for remote in managed:
        manifest_id = remote.claims.manifest_id
        if manifest_id is None:
            warnings.append(
                f"{remote.scope} {remote.remote_id} ('{remote.title}') has the owner marker but no manifest id;"
                " it is left alone"
            )
        else:
            by_key[(remote.kind, remote.scope, manifest_id)].append(remote)
    return by_key, warnings


def _copy_conflicts(by_key: dict[ResourceKey, list[Remote]], wanted: Mapping[ResourceKey, Desired]) -> list[Conflict]:
    """Copies of one marker that are not all exactly as applied become conflicts (and leave `by_key`)."""
    conflicts: list[Conflict] = []
    for key, copies in list(by_key.items()):
        ignore = wanted[key].ignore if key in wanted else ()
        if len(copies) > 1 and not _exact_copies(copies, ignore):
            conflicts += [_copied(r) for r in copies]
            del by_key[key]
    return conflicts


def _blocked(
    conflicts: Sequence[Conflict], wanted: Mapping[ResourceKey, Desired], by_key: Mapping[ResourceKey, list[Remote]]
) -> frozenset[ResourceKey]:
    """Keys nobody may write while a conflict waits on a person, and what belongs to them, existing or not."""
    blocked = {(c.kind, c.scope, manifest_id) for c in conflicts for manifest_id in c.manifest_ids}
    children = {w.key for w in wanted.values() if w.parent in blocked}
    children |= {key for key, found in by_key.items() if any(r.parent in blocked for r in found)}
    return frozenset(blocked | children)


def _exact_copies(copies: Sequence[Remote], ignore: tuple[str, ...]) -> bool:
    """Several resources under one marker are duplicates to repair when nothing can tell them apart from
    what was applied (a lost create's answer leaves such a copy); an edited one may be a person's clone."""
    if not any(r.claims.copy_help for r in copies):
        return True
    return all(r.claims.applied is not None and r.digest(ignore) == r.claims.applied for r in copies)


def _copied(remote: Remote) -> Conflict:
    claims = remote.claims
    return Conflict(
        remote.kind, remote.scope, remote.remote_id, remote.title, claims.owners, claims.manifest_ids, claims.copy_help
    )


def _decided(
    wanted: Mapping[ResourceKey, Desired],
    index: _Index,
    listing: Listing,
    owner: str,
    chosen: set[str],
    forget: frozenset[str] = frozenset(),
    resolver: Resolver | None = None,
) -> _Decisions:
    decisions = _Decisions(errors=_shared_adoptions(wanted.values()) + _forgotten_but_wanted(wanted, forget))
    decisions.forget = forget
    adoptable = {(r.kind, r.scope, r.remote_id): r for r in (*listing.adoptable, *listing.resources)}
    # A resource in conflict with no manifest (an unrecorded share, an edited marker whose manifest is gone)
    # would be revoked or deleted: that waits on a person too.
    in_conflict = {(c.kind, c.scope, manifest_id) for c in index.conflicts for manifest_id in c.manifest_ids}
    resolver = resolver or Resolver.of(wanted, index.keepers, listing.adoptable)
    for key in reference_order(sorted(set(wanted) | set(index.by_key) | in_conflict), wanted):
        # A target is an id, the `scope/id` a plan prints, or the KIND/ID a reference names.
        if chosen and not chosen & {key[2], f"{key[1]}/{key[2]}", f"{key[0]}/{key[2]}"}:
            resolver.skipped(key)
        elif key in index.blocked:
            decisions.held_back.append(key)
            resolver.skipped(key)
        else:
            _decide_resolved(key, wanted.get(key), resolver, index, adoptable, owner, decisions)
    keys = {*wanted, *index.by_key, *index.blocked}
    known = {k[2] for k in keys} | {f"{k[1]}/{k[2]}" for k in keys} | {f"{k[0]}/{k[2]}" for k in keys}
    decisions.errors += [
        f"--target {target}: no manifest and no resource of owner '{owner}' has this id"
        for target in sorted(chosen - known)
    ]
    return decisions


def _decide_resolved(
    key: ResourceKey,
    want: Desired | None,
    resolver: Resolver,
    index: _Index,
    adoptable: Mapping[tuple[str, str, str], Remote],
    owner: str,
    decisions: _Decisions,
) -> None:
    """`_decide` on the manifest with its references swapped for remote ids, noting what the plan creates."""
    if want is not None:
        want, problem = resolver.resolve(want)
        if problem:
            decisions.errors.append(problem)
            resolver.skipped(key)
            return
    before = len(decisions.changes)
    _decide(key, want, index, adoptable, owner, decisions)
    for change in decisions.changes[before:]:
        if change.key != key:
            continue
        if change.action in (Action.CREATE, Action.REPLACE):
            resolver.created(key)
        elif change.reason == Reason.ADOPT and change.remote_id:
            resolver.adopted(key, change.remote_id)


def _decide(
    key: ResourceKey,
    want: Desired | None,
    index: _Index,
    adoptable: Mapping[tuple[str, str, str], Remote],
    owner: str,
    decisions: _Decisions,
) -> None:
    """What one manifest key needs: its duplicates deleted, then a create, update, replace, adoption or delete."""
    keeper, extras = _keeper(index.by_key.get(key, []))
    decisions.changes.extend(_delete(extra, Reason.DUPLICATE) for extra in extras)
    if want is None:
        if keeper is not None and f"{key[0]}/{key[2]}" in decisions.forget:
            # Nothing of it changes but the marker: no field is shown going.
            forgotten = replace(_delete(keeper, Reason.FORGOTTEN), action=Action.FORGET, fields=())
            decisions.changes.append(forgotten)
        elif keeper is not None:
            decisions.changes.append(_removed(key, keeper))
        return
    found = adoptable.get((want.kind, want.scope, want.adopt)) if want.adopt else None
    if keeper is None and want.adopt and _adopted(want, found, owner, decisions):
        return
    current = None if keeper is not None and keeper.stale else keeper
    change = _reconcile(want, current, owner)
    if current is not None and current.claims.manifest_id not in (None, want.manifest_id):
        change = _rename(want, current, owner, change)
    if change is None:
        decisions.unchanged += 1
        decisions.unchanged_kinds.add(want.kind)
    else:
        decisions.changes.append(change)


def _removed(key: ResourceKey, keeper: Remote) -> Change:
    """The delete of a resource whose manifest is gone. What belongs to a resource this plan renames (see
    `_move_children`) is deleted under the new id: its marker is the parent's, rewritten by the rename before
    any delete runs, so that is what the checks right before the delete find."""
    change = _delete(keeper, Reason.REMOVED)
    if key[2] == change.manifest_id:
        return change
    return replace(change, manifest_id=key[2], remote_claims=replace(keeper.claims, manifest_ids=(key[2],)))


def _forgotten_but_wanted(wanted: Mapping[ResourceKey, Desired], forget: frozenset[str]) -> list[str]:
    """A resource is let go only once its manifest is gone: with it, the next apply would create it again."""
    return [
        f"forget: {kind}/{manifest_id} still has a manifest ({want.source}); remove the manifest to let it go,"
        " or the entry to keep managing it"
        for (kind, _, manifest_id), want in sorted(wanted.items())
        if f"{kind}/{manifest_id}" in forget and want.parent is None
    ]


def _renamed(index: _Index, wanted: Mapping[ResourceKey, Desired]) -> _Index:
    """The index with each resource carrying an id a manifest moved from (and no manifest keeps) filed under
    that manifest's key: it is renamed, never deleted and created again."""
    by_key = dict(index.by_key)
    notes: list[str] = []
    for key, want in wanted.items():
        if not want.moved_from:
            continue
        if by_key.get(key):
            notes += _not_renamed(want, wanted, by_key)
            continue
        for old in want.moved_from:
            old_key = (want.kind, want.scope, old)
            if old_key not in wanted and by_key.get(old_key):
                by_key[key] = by_key.pop(old_key)
                _move_children(by_key, old_key, key)
                break
    if by_key == index.by_key:
        return replace(index, warnings=(*index.warnings, *notes)) if notes else index
    keepers = {key: _keeper(candidates)[0] for key, candidates in by_key.items() if candidates}
    found = {k: v for k, v in keepers.items() if v is not None}
    return replace(index, by_key=by_key, keepers=found, warnings=(*index.warnings, *notes))


def _move_children(by_key: dict[ResourceKey, list[Remote]], old: ResourceKey, new: ResourceKey) -> None:
    """What belongs to a renamed resource (its share, its edit lock) is filed under the new id too: its marker is
    the parent's, which the rename rewrites before anything of the child is written or deleted."""
    for key in [k for k in by_key if k[0] == old[0] and k[2] == old[2] and k != old]:
        moved = (key[0], key[1], new[2])
        if moved not in by_key and all(r.parent == old for r in by_key[key]):
            by_key[moved] = by_key.pop(key)


def _not_renamed(
    want: Desired, wanted: Mapping[ResourceKey, Desired], by_key: Mapping[ResourceKey, list[Remote]]
) -> list[str]:
    """Old ids still carried by a resource while one with the new id exists too: that one is not renamed."""
    return [
        f"{want.source}: moved_from {old}: a resource with the new id {want.manifest_id} exists already, so"
        f" the one carrying {old} is not renamed (it is deleted as removed); delete one of the two first"
        for old in want.moved_from
        if (want.kind, want.scope, old) not in wanted and by_key.get((want.kind, want.scope, old))
    ]


def _rename(want: Desired, remote: Remote, owner: str, change: Change | None) -> Change | None:
    """The write that renames `remote` to the manifest's id. What belongs to another resource (a share, whose
    marker is its dashboard's) is renamed by its parent's write and needs none of its own unless it changed."""
    old = remote.claims.manifest_id
    if change is None and want.parent is not None:
        return None
    base = change or _update(want, remote, owner, Reason.RENAMED)
    marker = replace(base.marker, renamed_from=old) if base.marker is not None else None
    return replace(base, renamed_from=old, marker=marker)


def _adopted(want: Desired, found: Remote | None, owner: str, decisions: _Decisions) -> bool:
    """Plans taking over `found` (or says why not); False when it does not exist and the manifest is created."""
    if found is None:
        decisions.warnings.append(f"{want.source}: adopt {want.adopt}: no such resource; the manifest is created")
        return False
    adopted, error = _adoption(want, found, owner)
    if error:
        decisions.errors.append(error)
    elif adopted is not None:
        decisions.changes.append(adopted)
    return True


def _withheld(changes: list[Change], listing: Listing) -> tuple[list[Change], tuple[str, ...]]:
    """Deletes held back where a listing was not provably complete: a missing page must never look like a removal."""
    withheld = tuple(
        f"{scope}: {why}; nothing is deleted until a complete listing is seen"
        for (_, scope), why in sorted(listing.incomplete.items())
    )
    if not withheld:
        return changes, ()
    kept = [c for c in changes if not (c.action == Action.DELETE and (c.kind, c.scope) in listing.incomplete)]
    return kept, withheld


def _named(changes: Sequence[Change], wanted: Mapping[ResourceKey, Desired]) -> list[str]:
    """Deletes of resources whose remote id a manifest still holds, written out (see `still_named`)."""
    deleted = {
        c.remote_id: f"{c.scope}/{c.manifest_id}"
        for c in changes
        if c.action == Action.DELETE and c.remote_id and c.parent is None
    }
    return still_named(deleted, wanted.values())


def _owner_warnings(index: _Index, changes: Sequence[Change], owner: str) -> list[str]:
    if index.claimed or not any(c.action == Action.CREATE for c in changes):
        return []
    return [
        f"owner '{owner}' manages nothing yet, so every manifest is created. If these manifests were applied"
        " before under another owner (check --owner, WAC_OWNER and .wac.yaml), this makes duplicates; to take"
        " over existing resources instead, run `wac export` and keep each manifest's `adopt:`"
    ]


def _with_parent_ids(changes: Sequence[Change], keepers: Mapping[ResourceKey, Remote]) -> list[Change]:
    """Each change that belongs to another resource with that resource's remote id, when it exists already
    (one created by the same apply gets its id from the engine)."""
    result = []
    for change in changes:
        parent = keepers.get(change.parent) if change.parent is not None else None
        result.append(change if parent is None else replace(change, parent_remote_id=parent.remote_id))
    return result


def _conflict(remote: Remote) -> Conflict:
    claims = remote.claims
    return Conflict(
        remote.kind, remote.scope, remote.remote_id, remote.title, claims.owners, claims.manifest_ids, claims.resolve
    )


def _shared_adoptions(desired: Iterable[Desired]) -> list[str]:
    """Two manifests adopting one resource would flip its id forever; validation says so too."""
    by_uuid: dict[str, list[Desired]] = defaultdict(list)
    for want in desired:
        if want.adopt:
            by_uuid[want.adopt].append(want)
    return [
        f"adopt {uuid} is named by {len(wants)} manifests ({', '.join(sorted(w.source for w in wants))});"
        " a resource can be adopted by one manifest only"
        for uuid, wants in sorted(by_uuid.items())
        if len(wants) > 1
    ]


def fingerprint(resources: Iterable[Remote]) -> str:
    # A resource the API keeps no modification time for is known by its content instead.
    payload = canonical_json(sorted((r.scope, r.remote_id, r.modified_at or r.digest()) for r in resources))
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def _order(change: Change) -> tuple[int, str, str, str, str]:
    # Creates and updates before deletes: a failure half-way never leaves less than before.
    rank = {Action.CREATE: 0, Action.UPDATE: 1, Action.REPLACE: 1, Action.DELETE: 2, Action.FORGET: 2}[change.action]
    return (rank, change.kind, change.scope, change.manifest_id, change.remote_id or "")


def _keeper(candidates: list[Remote]) -> tuple[Remote | None, list[Remote]]:
    """Of several resources with one id, keep the oldest.

    Never the one matching the manifest: two applies of different manifest versions would then
    each keep their own copy and delete the other's, leaving none.
    """
    ordered = sorted(candidates, key=lambda r: (r.created_at, r.remote_id))
    return (ordered[0] if ordered else None), ordered[1:]


def _reconcile(desired: Desired, remote: Remote | None, owner: str) -> Change | None:
    if remote is None:
        return Change(
            action=Action.CREATE,
            reason=Reason.NEW,
            kind=desired.kind,
            scope=desired.scope,
            manifest_id=desired.manifest_id,
            title=desired.title,
            content=desired.content,
            marker=desired.marker(owner),
            fields=field_changes({}, desired.content),
            source=desired.source,
            ignore=desired.ignore,
            parent=desired.parent,
            references=desired.references,
            unordered=desired.unordered,
        )
    want = desired.digest()
    have = remote.digest(desired.ignore)
    if want == have:
        return None
    change = _update(desired, remote, owner, _why(want, have, remote.claims.applied))
    because = replace_reason(desired, remote.content)
    return change if because is None else replace(change, action=Action.REPLACE, replace_reason=because)


def replace_reason(desired: Desired, remote: dict[str, Any]) -> str | None:
    """Why an update cannot make `remote` equal the manifest, or None when it can."""
    for raw in desired.immutable:
        path = parse_path(raw)
        if lookup(remote, path) != lookup(desired.content, path):
            return f"{raw} cannot be changed in place"
    for raw in desired.merged:
        path = parse_path(raw)
        _, have = lookup(remote, path)
        _, want = lookup(desired.content, path)
        removed = sorted(set(have) - set(want or {})) if isinstance(have, dict) else []
        if removed:
            return f"{raw} loses {', '.join(removed)}, and an update only merges into {raw}"
    return None


def _update(desired: Desired, remote: Remote, owner: str, reason: Reason) -> Change:
    before = without_ignored(remote.content, desired.ignore)
    after = without_ignored(desired.content, desired.ignore)
    return Change(
        action=Action.UPDATE,
        reason=reason,
        kind=desired.kind,
        scope=desired.scope,
        manifest_id=desired.manifest_id,
        title=desired.title,
        remote_id=remote.remote_id,
        content=keep_ignored_remote_values(desired.content, remote.content, desired.ignore),
        marker=desired.marker(owner),
        fields=field_changes(before, after),
        editor=_editor(remote.modified_by, remote.modified_at),
        remote_modified_at=remote.modified_at,
        source=desired.source,
        remote_claims=remote.claims,
        remote_content=before,
        desired_content=after,
        ignore=desired.ignore,
        parent=desired.parent,
        references=desired.references,
        unordered=desired.unordered,
    )


def _adoption(desired: Desired, remote: Remote, owner: str) -> tuple[Change | None, str | None]:
    """Taking over an existing resource: an update that adds the ownership marker, never a second one."""
    where = f"{desired.source}: adopt {remote.remote_id}"
    claims = remote.claims
    if remote.unadoptable:
        return None, f"{where}: {remote.unadoptable}"
    if remote.scope != desired.scope:
        return None, f"{where} is a {remote.scope}, not a {desired.scope}"
    if claims.conflicted:
        return None, f"{where} is claimed by owners {', '.join(claims.owners)}; resolve that in the UI first"
    if claims.owner is not None and claims.owner != owner:
        return None, (
            f"{where} is managed by owner '{claims.owner}'; refusing to take it over. Ask that owner to remove"
            " its manifest (or remove `adopt:` here to create one of your own)"
        )
    if claims.owner == owner:
        return None, (
            f"{where} is already managed by owner '{owner}' as id '{claims.manifest_id}'; remove `adopt:` from"
            f" this manifest, or rename its id to '{claims.manifest_id}'"
        )
    because = replace_reason(desired, remote.content)
    if because is not None:
        # A replace would delete a resource that was never ours; the manifest must match it instead.
        return None, f"{where}: {because}, so it cannot be adopted; make the manifest match the existing one there"
    # Even when the content already matches, the ownership marker must be written.
    change = _update(desired, remote, owner, Reason.ADOPT)
    marker = replace(change.marker, adopting=True) if change.marker is not None else None
    return replace(change, marker=marker), None


def _why(want: str, have: str, applied: str | None) -> Reason:
    if applied is None:
        return Reason.UNRECORDED
    if applied == have:
        return Reason.MANIFEST_CHANGED
    if applied == want:
        return Reason.DRIFT
    return Reason.BOTH_CHANGED


def _delete(remote: Remote, reason: Reason) -> Change:
    return Change(
        action=Action.DELETE,
        reason=reason,
        kind=remote.kind,
        scope=remote.scope,
        manifest_id=remote.claims.manifest_id or "",
        title=remote.title,
        remote_id=remote.remote_id,
        fields=field_changes(remote.content, {}),
        editor=_editor(remote.modified_by, remote.modified_at),
        remote_modified_at=remote.modified_at,
        remote_claims=remote.claims,
        remote_content=remote.content,
        parent=remote.parent,
    )


def _editor(user: User | None, at: str) -> Editor | None:
    return Editor(handle=user.handle, name=user.name, at=at, note=user.note) if user else None


def keep_ignored_remote_values(
    desired: dict[str, Any], remote: dict[str, Any], ignore: Sequence[str]
) -> dict[str, Any]:
    """The content for a full replacement: the manifest's, with the remote's values at ignored paths."""
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
