"""What the engine needs from an API, whichever it is: the Backend protocol and its errors.

A backend (one package under `reconciler/backends/`) implements this over its own client and
codec; the planner, guards, engine and renderers only ever see `Desired`, `Remote` and `Listing`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from reconciler.core.resources import Caution, Marker, Remote


class BackendError(Exception):
    """An answer the reconciler cannot use; the message never holds a key or token."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class OutcomeUnknown(BackendError):
    """A create was sent but its answer was lost: the resource may or may not exist."""


class Gone(BackendError):
    """The resource does not exist (any more): what `update` raises when it has nothing to write to.

    Typed so the engine tells "deleted since the plan" from any other failure without reading an API's status."""


def owned_now(current: Remote | None, owner: str, manifest_id: str, what: str) -> Remote | None:
    """`current`, read right before a write, when its marker still names exactly this owner and id; None when
    it is gone; a BackendError naming `what` when it carries anything else."""
    if current is not None and not current.claims.owned_as(owner, manifest_id):
        raise BackendError(
            f"refused: {what} carries {current.claims.describe()}, not exactly owner '{owner}' and id"
            f" '{manifest_id}'; nothing was written"
        )
    return current


@dataclass(frozen=True)
class Listing:
    """An owner's remote resources, and per (kind, scope) why the listing is not provably complete."""

    resources: tuple[Remote, ...]
    incomplete: dict[tuple[str, str], str] = field(default_factory=dict)
    # Unmanaged resources named by a manifest's `adopt`, fetched one by one.
    adoptable: tuple[Remote, ...] = ()


class Backend(Protocol):
    """One API the reconciler manages; every method checks what the API returns before using it.

    A backend keeps nothing between calls: what a write needs travels in its arguments or is read afresh,
    so any instance (one per command, or one per call) gives the same result.
    """

    @property
    def kind(self) -> str:
        """The manifests' `kind` this backend serves, e.g. `datadog/widget`."""

    @property
    def scopes(self) -> tuple[str, ...]:
        """Where keys are unique and listings are made (Datadog's experience types; one scope when flat)."""

    def normalise(self, content: dict[str, Any]) -> dict[str, Any]:
        """Content as compared: what the server fills in or computes taken out, so it never shows as a diff."""

    def cautions(self, scope: str, before: dict[str, Any] | None, after: dict[str, Any] | None) -> tuple[Caution, ...]:
        """What going from `before` to `after` (None: absent) does that a reviewer must not miss, such as
        giving more people access; empty for most resources."""

    async def list_owned(self, owner: str) -> Listing:
        """Every resource whose marker names `owner`, in every scope, with a completeness verdict per scope."""

    async def list_all(self, scopes: Sequence[str] = ()) -> list[Remote]:
        """Every resource in these scopes (all when empty), whoever owns it: for drift's unmanaged report and export."""

    async def fetch(self, scope: str, remote_id: str) -> Remote | None:
        """One resource read afresh, or None when it does not exist."""

    async def find(self, owner: str, scope: str, manifest_id: str) -> list[Remote]:
        """The owner's resources marked with this id: how a create whose answer was lost is looked up."""

    async def confirm_missing(self, owner: str, keys: Sequence[tuple[str, str]]) -> list[Remote]:
        """The owner's resources under these (scope, manifest id) read again: what a listing missed (pages shift
        while they are read) is found before anything is created in its place; empty when each is missing."""

    async def create(self, scope: str, content: dict[str, Any], marker: Marker, parent_id: str | None = None) -> str:
        """Creates the resource with its marker and returns its remote id; raises OutcomeUnknown when unsure.

        `parent_id` is the remote id of the resource this one belongs to (`Desired.parent`), if any."""

    async def update(self, scope: str, remote_id: str, content: dict[str, Any], marker: Marker) -> None:
        """Makes the resource equal `content` with `marker`; raises Gone when it does not exist (any more). A
        backend that reads the resource before writing refuses one whose marker no longer names exactly this
        owner and id (`marker.current_id`); it may carry none only when `marker.adopting`."""

    async def release(self, scope: str, remote_id: str, owner: str, manifest_id: str) -> bool:
        """Removes this owner's marker and leaves everything else as it is, after checking right before the
        write that the marker still names this owner and id; False when the resource is gone. What belongs to
        another resource and is marked through it (a share) is released with it: nothing to write."""

    async def delete(self, scope: str, remote_id: str, owner: str, manifest_id: str) -> bool:
        """Deletes the resource, which the engine has just seen marked for this owner and id (a backend whose
        delete writes to more than one object checks each again); False when it was already gone."""
