"""`apply --plan FILE`: a saved plan is a claim, never an instruction. Every check it must pass lives here:
the owner and site it names against the user's choice, the manifest files it records against the disk, and
its writes against a fresh plan from the same manifests and a new listing, which is what gets applied."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Final

from reconciler.core.normalise import canonical_json
from reconciler.core.plan_file import PlanInputs, SavedPlan
from reconciler.core.planning import Change, Plan
from reconciler.core.resources import Desired
from reconciler.engine.runs import Backends, StalePlanError, plan_run

SHOWN_DIFFERENCES: Final = 5


@dataclass(frozen=True)
class Chosen:
    """What the user chose for this run (None: nothing), and whether the file's site may stand alone."""

    owner: str | None
    site: str | None
    # One of Datadog's named sites or `local`: the only sites a file may choose by itself.
    file_site_is_named: bool


def refusals(origin: str, saved: SavedPlan, chosen: Chosen) -> list[str]:
    """Why the file cannot be applied here, before anything is read or sent; empty when it may go on."""
    shown_site = _shown(saved.site)
    problems = []
    if chosen.owner is not None and chosen.owner != saved.plan.owner:
        problems.append(
            f"{origin} was made for owner '{saved.plan.owner}', but owner '{chosen.owner}' is chosen (by --owner,"
            " WAC_OWNER or .wac.yaml); nothing was applied. Make a plan for that owner, or drop the setting."
        )
    if chosen.site is not None and chosen.site != saved.site:
        problems.append(
            f"{origin} was made for site '{shown_site}', but site '{chosen.site}' is chosen (by --site, DD_SITE or"
            " .wac.yaml); nothing was applied. Make a plan for that site, or drop the setting."
        )
    if chosen.site is None and not chosen.file_site_is_named:
        # Keys go only where the user pointed them: a URL written in a file is nobody's choice.
        problems.append(
            f"{origin} names the site '{shown_site}', a URL rather than a Datadog site or `local`; nothing was"
            " sent. Credentials go only where you point them: pass the same --site (or set DD_SITE or `site:` in"
            " .wac.yaml) to apply it there."
        )
    outside = [p for p in saved.inputs.paths if PurePath(p).is_absolute() or ".." in PurePath(p).parts]
    if outside or not saved.inputs.paths:
        problems.append(
            f"{origin} names manifest paths outside the repository ({', '.join(_shown(p) for p in outside) or 'none'});"
            " make and apply plans inside it"
        )
    return problems


def input_differences(recorded: PlanInputs, files: Sequence[tuple[str, str]]) -> list[str]:
    """How the manifest files on disk differ from those a saved plan was made from."""
    before, now = dict(recorded.files), dict(files)
    problems = [f"{path} was removed" for path in sorted(before.keys() - now.keys())]
    problems += [f"{path} is new" for path in sorted(now.keys() - before.keys())]
    problems += [f"{path} changed" for path in sorted(before.keys() & now.keys()) if before[path] != now[path]]
    return problems


async def verify_saved_plan(
    backends: Backends, saved: Plan, desired: Iterable[Desired], mask: Callable[[str], str] = str
) -> Plan:
    """A fresh plan from the same manifests and a new listing, returned only when it equals the saved one
    (compared as masked as the file was written: `mask`); the fresh one is what gets applied."""
    fresh = await plan_run(backends, saved.owner, desired, saved.targets, saved.kinds, saved.forgotten)
    if fresh.remote_fingerprint != saved.remote_fingerprint:
        raise StalePlanError(
            "The saved plan is stale: the owner's remote resources changed after it was made (an edit, a create or"
            " a delete happened since). Nothing was applied; run `wac plan --out FILE` again and review it."
        )
    differences = plan_differences(saved, fresh, mask)
    if differences:
        raise StalePlanError(
            "The saved plan does not match what the same manifests and remote resources give now, so it was not"
            f" applied: {summarise(differences)}. Run `wac plan --out FILE` again and review it."
        )
    return fresh


def plan_differences(saved: Plan, fresh: Plan, mask: Callable[[str], str] = str) -> list[str]:
    """Sentences naming how a fresh plan differs from the saved one; empty when they agree.

    `mask` is how the plan file was masked when written (share tokens, keys): both sides are compared masked,
    so a description holding a share link does not make every saved plan differ; the fresh plan is applied.
    """
    problems = []
    if saved.targets != fresh.targets:
        problems.append(f"the saved plan targets {list(saved.targets)}, the fresh one {list(fresh.targets)}")
    if saved.kinds != fresh.kinds:
        problems.append(f"the saved plan is limited to kinds {list(saved.kinds)}, the fresh one {list(fresh.kinds)}")
    mine, theirs = _signatures(saved.changes, mask), _signatures(fresh.changes, mask)
    problems += [
        f"the saved plan would {_describe(c)}, but a fresh plan would not" for k, c in mine.items() if k not in theirs
    ]
    problems += [
        f"a fresh plan would {_describe(c)}, but the saved plan does not" for k, c in theirs.items() if k not in mine
    ]
    return problems


def _only(
    these: dict[tuple[str, ...], Change], those: dict[tuple[str, ...], Change]
) -> list[tuple[tuple[str, ...], Change]]:
    return [(key, change) for key, change in these.items() if key not in those]


def summarise(problems: list[str]) -> str:
    shown = "; ".join(problems[:SHOWN_DIFFERENCES])
    more = f"; and {len(problems) - SHOWN_DIFFERENCES} more" if len(problems) > SHOWN_DIFFERENCES else ""
    return shown + more


def _signatures(changes: Sequence[Change], mask: Callable[[str], str]) -> dict[tuple[str, ...], Change]:
    """Each change by what it writes: action, where, which resource, the exact content and marker (masked)."""
    return {
        (
            c.action.value,
            c.kind,
            c.scope,
            c.manifest_id,
            c.remote_id or "",
            "" if c.content is None else mask(canonical_json(c.content)),
            "" if c.marker is None else mask(canonical_json([c.marker.owner, c.marker.manifest_id, c.marker.applied])),
        ): c
        for c in changes
    }


def _describe(change: Change) -> str:
    where = f"{change.scope}/{change.manifest_id}"
    remote = f" (remote id {change.remote_id})" if change.remote_id else ""
    body = " with this content" if change.content is not None else ""
    return f"{change.action.value} {where}{remote}{body}"


def _shown(text: str) -> str:
    """A value from the file as a sentence may quote it: one line, at most 120 characters."""
    return "".join(ch if ch.isprintable() else "?" for ch in text[:120])
