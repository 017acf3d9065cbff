"""An in-memory backend to test with: the Backend protocol exactly as `reconciler.core.backend` documents it,
with knobs for what real APIs do to a run (a lost answer, a shifted page, an incomplete listing, an edit in the UI).

Like httpx's `MockTransport` for a server, it is what the project's own core and engine tests run on, and what a
user's tests may run the reconciler on without an API. It imports only `reconciler.core`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from reconciler.core.backend import BackendError, Gone, Listing, OutcomeUnknown
from reconciler.core.resources import Caution, Claims, Marker, Remote, User

__all__ = ["KIND", "PERSON", "REVISION", "SCOPES", "WAC", "Call", "FakeApi", "FakeBackend", "claims_of"]

KIND: Final = "fake/widget"
SCOPES: Final = ("default",)
# What the fake API fills in on every write, as real APIs add versions and timestamps; `normalise` takes it
# out, so a test that forgets to normalise what it reads fails as it would against a real backend.
REVISION: Final = "fake_revision"
WAC: Final = User("wac", "wac", "widgets-as-code")
"""Who writes through a backend."""
PERSON: Final = User("person", "person@example.com", "A person")
"""Who edits in the UI (`FakeApi.add`, `edit`, `copy`, `remove`)."""
_EPOCH: Final = datetime(2025, 1, 1, tzinfo=UTC)

Cautions = Callable[[str, dict[str, Any] | None, dict[str, Any] | None], tuple[Caution, ...]]


def claims_of(marker: Marker) -> Claims:
    """What a resource written with `marker` claims when read back: exactly that owner, id and digest."""
    return Claims((marker.owner,), (marker.manifest_id,), marker.applied)


@dataclass(frozen=True)
class Call:
    """One call a backend made to the fake API, kept in order so a test can check what was asked when."""

    operation: str
    scope: str = ""
    remote_id: str = ""
    manifest_id: str = ""
    parent_id: str | None = None
    keys: tuple[tuple[str, str], ...] = ()


@dataclass
class _Stored:
    scope: str
    content: dict[str, Any]
    claims: Claims
    created_at: str
    modified_at: str
    created_by: User
    modified_by: User
    parent_id: str | None = None


class FakeApi:
    """The remote side: resources (each with the Claims its last write's marker decodes to) and the knobs a test
    sets. Several `FakeBackend`s over one FakeApi are several clients of one API, as two runs would be."""

    def __init__(
        self, kind: str = KIND, scopes: Sequence[str] = SCOPES, parents: Mapping[str, str] | None = None
    ) -> None:
        self.kind = kind
        self.scopes = tuple(scopes)
        # A child scope names its parent's scope: its resources are created with their parent's remote id,
        # belong to it (`Remote.parent`) and end with it, as a dashboard's share does.
        self.parents = dict(parents or {})
        self.calls: list[Call] = []
        # Scopes whose listing is not provably complete, and why: a plan deletes nothing in them.
        self.incomplete: dict[str, str] = {}
        self._stored: dict[str, _Stored] = {}
        self._hidden: set[str] = set()
        self._lost_creates = 0
        self._failures: dict[str, list[BackendError]] = {}
        self._clock = 0
        self._ids = 0

    # Knobs: what a real API does to a run.

    def lose_next_create(self, count: int = 1) -> None:
        """The next `count` creates are committed, then answered with OutcomeUnknown (the answer was lost)."""
        self._lost_creates += count

    def mark_incomplete(self, scope: str, why: str = "the fake API was told this listing is incomplete") -> None:
        """Listings of `scope` say they are not provably complete, until the entry is removed from `incomplete`."""
        self.incomplete[scope] = why

    def hide_from_next_listing(self, remote_id: str) -> None:
        """The next `list_owned` or `list_all` leaves the resource out, as a page shifted under it would."""
        self._hidden.add(remote_id)

    def fail_next(self, operation: str, error: BackendError) -> None:
        """The next call of `operation` (a protocol method's name) raises `error` before doing anything."""
        self._failures.setdefault(operation, []).append(error)

    # Edits in the UI: what a person does beside the reconciler.

    def add(
        self, scope: str, content: dict[str, Any], marker: Marker | Claims | None = None, parent_id: str | None = None
    ) -> str:
        """A resource made in the UI (unowned unless given a marker or claims); its remote id."""
        self._check_scope(scope)
        return self._insert(scope, content, _claims(marker), PERSON, parent_id)

    def edit(
        self, remote_id: str, content: dict[str, Any] | None = None, marker: Marker | Claims | None = None
    ) -> None:
        """A person changes the resource's content, its marker (a Marker as wac writes one, or any Claims), or both."""
        stored = self._live(remote_id)
        if content is not None:
            stored.content = self._revised(content, stored.content)
        if marker is not None:
            stored.claims = _claims(marker)
        stored.modified_at, stored.modified_by = self._tick(), PERSON

    def copy(self, remote_id: str) -> str:
        """A clone made in the UI, its marker copied with it; the clone's remote id."""
        stored = self._live(remote_id)
        return self._insert(stored.scope, stored.content, stored.claims, PERSON, stored.parent_id)

    def remove(self, remote_id: str) -> None:
        """A person deletes the resource (and what belongs to it)."""
        self._live(remote_id)
        self._drop(remote_id)

    # Reads for assertions: no call is recorded and no knob applies.

    def get(self, remote_id: str) -> Remote | None:
        stored = self._stored.get(remote_id)
        return None if stored is None else self._remote(remote_id, stored)

    def resources(self, scope: str | None = None) -> list[Remote]:
        """Every resource the API holds (in `scope`), oldest first."""
        return [self._remote(i, s) for i, s in self._stored.items() if scope is None or s.scope == scope]

    def operations(self) -> list[str]:
        """The calls' operations in order, e.g. `["list_owned", "create", "delete"]`."""
        return [call.operation for call in self.calls]

    # What the backend uses.

    def _serve(self, call: Call) -> None:
        """Records the call and raises the failure a test scheduled for it, if any."""
        self.calls.append(call)
        scheduled = self._failures.get(call.operation)
        if scheduled:
            raise scheduled.pop(0)

    def _listed(self, scopes: Iterable[str]) -> list[Remote]:
        """What one listing sees: the live resources of these scopes but those hidden from it."""
        wanted = set(scopes)
        hidden, self._hidden = self._hidden, set()
        return [self._remote(i, s) for i, s in self._stored.items() if s.scope in wanted and i not in hidden]

    def _check_scope(self, scope: str) -> None:
        if scope not in self.scopes:
            raise BackendError(f"refused: scope {scope[:60]!r} is not one of {', '.join(self.scopes)}")

    def _live(self, remote_id: str, scope: str | None = None) -> _Stored:
        stored = self._stored.get(remote_id)
        if stored is None or (scope is not None and stored.scope != scope):
            raise Gone(f"{scope or 'resource'} {remote_id} does not exist", 404)
        return stored

    def _insert(self, scope: str, content: dict[str, Any], claims: Claims, by: User, parent_id: str | None) -> str:
        self._ids += 1
        remote_id = f"fake-{self._ids:06d}"
        now = self._tick()
        self._stored[remote_id] = _Stored(scope, self._revised(content), claims, now, now, by, by, parent_id)
        return remote_id

    def _write(self, remote_id: str, content: dict[str, Any], marker: Marker) -> None:
        stored = self._stored[remote_id]
        stored.content, stored.claims = self._revised(content, stored.content), claims_of(marker)
        stored.modified_at, stored.modified_by = self._tick(), WAC

    def _drop(self, remote_id: str) -> None:
        del self._stored[remote_id]
        for child in [i for i, s in self._stored.items() if s.parent_id == remote_id]:
            self._drop(child)

    def _take_lost_create(self) -> bool:
        lost = self._lost_creates > 0
        self._lost_creates -= 1 if lost else 0
        return lost

    def _revised(self, content: dict[str, Any], before: dict[str, Any] | None = None) -> dict[str, Any]:
        revision = int((before or {}).get(REVISION, 0)) + 1
        return {**copy.deepcopy(content), REVISION: revision}

    def _tick(self) -> str:
        self._clock += 1
        return (_EPOCH + timedelta(seconds=self._clock)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _remote(self, remote_id: str, stored: _Stored) -> Remote:
        parent = None
        if stored.parent_id is not None and stored.scope in self.parents:
            found = self._stored.get(stored.parent_id)
            parent_claims = found.claims.manifest_id if found is not None else None
            parent = (self.kind, self.parents[stored.scope], parent_claims or "")
        return Remote(
            kind=self.kind,
            scope=stored.scope,
            remote_id=remote_id,
            title=str(stored.content.get("title", "")),
            content=copy.deepcopy(stored.content),
            claims=stored.claims,
            created_at=stored.created_at,
            modified_at=stored.modified_at,
            created_by=stored.created_by,
            modified_by=stored.modified_by,
            parent=parent,
        )


def _claims(marker: Marker | Claims | None) -> Claims:
    if marker is None:
        return Claims()
    return claims_of(marker) if isinstance(marker, Marker) else marker


class FakeBackend:
    """The Backend protocol over a FakeApi. Like every backend it keeps nothing between calls: any number of
    instances over one FakeApi give the same answers."""

    def __init__(self, api: FakeApi | None = None, cautions: Cautions | None = None) -> None:
        self.api = api if api is not None else FakeApi()
        self._cautions = cautions

    @property
    def kind(self) -> str:
        return self.api.kind

    @property
    def scopes(self) -> tuple[str, ...]:
        return self.api.scopes

    def normalise(self, content: dict[str, Any]) -> dict[str, Any]:
        return {name: value for name, value in content.items() if name != REVISION}

    def cautions(self, scope: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[Caution, ...]:
        return self._cautions(scope, before, after) if self._cautions is not None else ()

    async def list_owned(self, owner: str) -> Listing:
        self.api._serve(Call("list_owned"))
        # A marker naming this owner among others is listed too: the planner names the conflict.
        found = [r for r in self.api._listed(self.scopes) if owner in r.claims.owners]
        incomplete = {(self.kind, scope): why for scope, why in self.api.incomplete.items()}
        return Listing(tuple(found), incomplete)

    async def list_all(self, scopes: Sequence[str] = ()) -> list[Remote]:
        self.api._serve(Call("list_all", ",".join(scopes)))
        return self.api._listed([s for s in self.scopes if not scopes or s in scopes])

    async def fetch(self, scope: str, remote_id: str) -> Remote | None:
        self.api._serve(Call("fetch", scope, remote_id))
        self.api._check_scope(scope)
        found = self.api.get(remote_id)
        return found if found is not None and found.scope == scope else None

    async def find(self, owner: str, scope: str, manifest_id: str) -> list[Remote]:
        self.api._serve(Call("find", scope, manifest_id=manifest_id))
        # Exactly this owner and id: the engine takes what it finds for the create whose answer was lost.
        return [r for r in self.api.resources(scope) if r.claims.owned_as(owner, manifest_id)]

    async def confirm_missing(self, owner: str, keys: Sequence[tuple[str, str]]) -> list[Remote]:
        self.api._serve(Call("confirm_missing", keys=tuple(keys)))
        wanted = set(keys)
        # Read afresh, nothing hidden: what a shifted page left out of the listing is found here.
        return [
            r
            for r in self.api.resources()
            if owner in r.claims.owners and any((r.scope, i) in wanted for i in r.claims.manifest_ids)
        ]

    async def create(self, scope: str, content: dict[str, Any], marker: Marker, parent_id: str | None = None) -> str:
        self.api._serve(Call("create", scope, manifest_id=marker.manifest_id, parent_id=parent_id))
        self.api._check_scope(scope)
        parent_scope = self.api.parents.get(scope)
        if parent_scope is not None:
            if parent_id is None:
                raise BackendError(f"create in {scope}: a resource of this scope needs its parent's remote id")
            try:
                self.api._live(parent_id, parent_scope)
            except Gone:
                raise BackendError(f"create in {scope}: its parent {parent_scope} {parent_id} does not exist") from None
        remote_id = self.api._insert(scope, content, claims_of(marker), WAC, parent_id if parent_scope else None)
        if self.api._take_lost_create():
            raise OutcomeUnknown(f"create in {scope}: the answer was lost (fake API); the resource may exist")
        return remote_id

    async def update(self, scope: str, remote_id: str, content: dict[str, Any], marker: Marker) -> None:
        self.api._serve(Call("update", scope, remote_id, marker.manifest_id))
        self.api._check_scope(scope)
        claims = self.api._live(remote_id, scope).claims
        # Read right before the write, as the backends that can afford it do: a marker removed or changed since
        # the plan stops it, and only an adoption may find none.
        if not (claims.owned_as(marker.owner, marker.current_id) or (marker.adopting and claims.unowned)):
            raise BackendError(
                f"refused: {remote_id} carries {claims.describe()}, not exactly owner '{marker.owner}' and id"
                f" '{marker.current_id}'; nothing was written"
            )
        self.api._write(remote_id, content, marker)

    async def release(self, scope: str, remote_id: str, owner: str, manifest_id: str) -> bool:
        self.api._serve(Call("release", scope, remote_id, manifest_id))
        self.api._check_scope(scope)
        try:
            stored = self.api._live(remote_id, scope)
        except Gone:
            return False
        if not stored.claims.owned_as(owner, manifest_id):
            raise BackendError(f"refused: {remote_id} carries {stored.claims.describe()}; nothing was written")
        stored.claims = Claims()
        stored.modified_at, stored.modified_by = self.api._tick(), WAC
        return True

    async def delete(self, scope: str, remote_id: str, owner: str, manifest_id: str) -> bool:
        self.api._serve(Call("delete", scope, remote_id, manifest_id))
        self.api._check_scope(scope)
        try:
            self.api._live(remote_id, scope)
        except Gone:
            return False
        self.api._drop(remote_id)
        return True
