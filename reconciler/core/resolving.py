"""References resolved while planning: each `{ref: KIND/ID}` swapped for its target's remote id, deciding every
target before what names it, so a target the plan creates or replaces leaves "(known after apply: …)" instead."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from reconciler.core.normalise import unordered_sorted
from reconciler.core.references import resolved, strings_in
from reconciler.core.resources import Desired, Remote, ResourceKey

Target = tuple[str, str]
"""What a reference names: (kind, manifest id) of a resource that belongs to no other."""


def reference_order(keys: Iterable[ResourceKey], wanted: Mapping[ResourceKey, Desired]) -> list[ResourceKey]:
    """`keys` in their given order, except that every key comes after the keys its manifest refers to."""
    given = list(keys)
    if not any(want.references for want in wanted.values()):
        return given
    principal = _principals(wanted)
    ordered: list[ResourceKey] = []
    placed: set[ResourceKey] = set()
    for start in given:
        # Depth-first, without recursion: a long chain of references must not reach Python's limit.
        stack: list[tuple[ResourceKey, bool]] = [(start, False)]
        while stack:
            key, ready = stack.pop()
            if key in placed:
                continue
            if ready:
                placed.add(key)
                ordered.append(key)
                continue
            stack.append((key, True))
            want = wanted.get(key)
            for target in reversed(want.references if want is not None else ()):
                found = principal.get(target)
                if found is not None and found not in placed and found != key:
                    stack.append((found, False))
    chosen = set(given)
    return [key for key in ordered if key in chosen]


def _principals(wanted: Mapping[ResourceKey, Desired]) -> dict[Target, ResourceKey]:
    """The manifest key a reference to (kind, id) means: the resource, never what belongs to it (its share)."""
    return {(key[0], key[2]): key for key, want in wanted.items() if want.parent is None}


@dataclass
class Resolver:
    """What the planner knows of each target as it goes: its remote id, or that its id is known after apply."""

    ids: dict[Target, str]
    principals: Mapping[Target, ResourceKey]
    # Created or replaced by this plan: a referrer's write waits for the id the create answers.
    pending: set[Target] = field(default_factory=set)
    # Neither planned now (left out by --target, or held back by a conflict) nor existing remotely.
    unplanned: set[Target] = field(default_factory=set)

    @classmethod
    def of(
        cls,
        wanted: Mapping[ResourceKey, Desired],
        keepers: Mapping[ResourceKey, Remote],
        adoptable: Iterable[Remote] = (),
    ) -> Resolver:
        """Targets known before planning: those managed already, and those a manifest adopts (the resource it
        names exists), whether or not this plan gets to the adoption (`--target`)."""
        principal = _principals(wanted)
        ids = {target: keepers[key].remote_id for target, key in principal.items() if key in keepers}
        existing = {(r.kind, r.scope, r.remote_id) for r in adoptable}
        for target, key in principal.items():
            adopt = wanted[key].adopt
            if target not in ids and adopt and (key[0], key[1], adopt) in existing:
                ids[target] = adopt
        return cls(ids=ids, principals=principal)

    def resolve(self, want: Desired) -> tuple[Desired, str | None]:
        """`want` with its references swapped for remote ids where known; a sentence when one cannot be."""
        if not want.references:
            return want, None
        ids: dict[Target, str] = {}
        for target in want.references:
            problem = self._problem(target)
            if problem:
                return want, f"{want.source}: refers to {target[0]}/{target[1]}, {problem}"
            if target not in self.pending:
                ids[target] = self.ids[target]
        content = unordered_sorted(resolved(want.content, ids), want.unordered)
        return replace(want, content=content), None

    def _problem(self, target: Target) -> str | None:
        if target not in self.principals:
            return "which no manifest given to this run defines; give its manifest too"
        if target in self.pending:
            return None
        if target in self.unplanned or target not in self.ids:
            return (
                "which does not exist yet and is not created by this plan (--target or --kind leaves it out);"
                " plan it too"
            )
        return None

    def created(self, key: ResourceKey) -> None:
        """The plan creates or replaces `key`: what refers to it gets the new id at apply (what belongs to `key`,
        its share or edit lock, shares its kind and id but is never what a reference names)."""
        if self.principals.get((key[0], key[2])) == key:
            self.pending.add((key[0], key[2]))

    def adopted(self, key: ResourceKey, remote_id: str) -> None:
        """The plan takes over the existing resource `remote_id` for `key`: what refers to it names that id."""
        if self.principals.get((key[0], key[2])) == key:
            self.ids[(key[0], key[2])] = remote_id

    def skipped(self, key: ResourceKey) -> None:
        """`key` is not planned this time: what refers to it can use its current id only."""
        if self.principals.get((key[0], key[2])) == key and (key[0], key[2]) not in self.ids:
            self.unplanned.add((key[0], key[2]))


def still_named(deleted: Mapping[str, str], wanted: Iterable[Desired]) -> list[str]:
    """A warning for each resource a plan deletes whose remote id a manifest still holds, written out rather
    than by `{ref: …}` (a list naming a dashboard, a dashboard using a powerpack): after the apply, that manifest
    names nothing. `deleted` maps each remote id to how the plan names the resource."""
    if not deleted:
        return []
    found: dict[str, list[str]] = {}
    for want in wanted:
        for text in set(strings_in(want.content)) & deleted.keys():
            found.setdefault(text, []).append(want.source)
    return [
        f"{deleted[remote_id]} ({remote_id}) is deleted, but {', '.join(sorted(sources))} still names its id; name"
        " it by `{ref: KIND/ID}` to have a plan say so, or remove the id there too"
        for remote_id, sources in sorted(found.items())
    ]
