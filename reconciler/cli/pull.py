"""`wac pull`: edits made outside git (in the UI) written back into the manifests, for a pull request."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from reconciler.cli.harness import Run, desired_resources, forgotten, manifests_for_run, needed_kinds
from reconciler.cli.shell import Command, connection_options, everywhere, fail, kind_option, paths_argument
from reconciler.core.planning import Action, Change, Plan, Reason
from reconciler.core.resources import Desired, Remote

if TYPE_CHECKING:
    from reconciler.engine.runs import Backends
    from reconciler.manifests.export import ExportedManifest
    from reconciler.manifests.validation import LoadedManifest


@click.command(cls=Command)
@everywhere
@paths_argument
@connection_options
@kind_option
@click.option(
    "--from",
    "report",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Pull from a saved drift report (wac drift --format json) instead of reading the remote: offline.",
)
def pull(
    paths: tuple[Path, ...], site: str | None, owner: str | None, kinds: tuple[str, ...], report: Path | None
) -> None:
    """Write what changed outside git back into the manifests: only the fields that drifted, in place, comments
    and formatting kept. What cannot be pulled (templates, fragments, deleted resources) is named."""
    changes, new = _from_report(report) if report is not None else _from_the_remote(paths, site, owner, kinds)
    edits = [c for c in changes if c.action == Action.UPDATE and c.reason == Reason.DRIFT and c.parent is None]
    by_file: dict[str, list[Change]] = {}
    read, manifests = _manifests_at(paths)
    for change in edits:
        problem = _not_its_manifest(change, manifests)
        if problem:
            click.echo(f"{change.source}: not pulled: {problem}", err=True)
            continue
        by_file.setdefault((change.source or "").split(" [", 1)[0].rpartition(":")[0], []).append(change)
    pulled = sum(_pull_file(file, changes) for file, changes in sorted(by_file.items()))
    for change in changes:
        _say_what_is_not_pulled(change)
    # New manifests go where this run reads manifests from (the environment's first folder with --env).
    written = _write_new(Path(read[0]), new) if new else 0
    also = f" and {written} resource(s) that exist only remotely as new manifests" if written else ""
    click.echo(
        f"Pulled {pulled} edit(s) made outside git into the manifests{also}; review them with git diff.", err=True
    )


def _manifests_at(paths: tuple[Path, ...]) -> tuple[tuple[Path | str, ...], dict[tuple[str, int], LoadedManifest]]:
    """The paths read, and the manifests under them (as plan reads them) by file and line: only they are ever
    written."""
    read, loaded = manifests_for_run(paths)
    return read, {(m.file, m.line): m for m in loaded.manifests}


def _not_its_manifest(change: Change, manifests: dict[tuple[str, int], LoadedManifest]) -> str | None:
    """Why `change` may not be written where its source points, or None: the source must be a manifest read
    from the paths (no other file, no link out of the repository), of this very kind, scope and id."""
    file = (change.source or "").split(" [", 1)[0].rpartition(":")[0]
    found = manifests.get((file, _line(change)))
    if found is None or (found.manifest.kind, found.manifest.scope, found.manifest.id) != change.key:
        return f"it does not name the manifest of {change.scope}/{change.manifest_id} under the paths read"
    here = Path.cwd().resolve()
    if Path(file).is_symlink() or not Path(file).resolve().is_relative_to(here):
        return f"{file} is a symbolic link or outside the repository; wac pull writes only real files inside it"
    return None


def _from_the_remote(
    paths: tuple[Path, ...], site: str | None, owner: str | None, kinds: tuple[str, ...]
) -> tuple[tuple[Change, ...], tuple[ExportedManifest, ...]]:
    """The plan's changes, and a manifest for each resource of this owner that exists only remotely (made
    outside git with the marker, or applied from a manifest since removed and not yet deleted)."""
    from reconciler.engine.runs import plan_and_listing
    from reconciler.manifests.export import export_manifests

    desired = desired_resources(paths)
    run = Run(site, owner, kinds=needed_kinds(desired, kinds), cached=True)

    async def work(backends: Backends) -> tuple[Plan, list[Remote], dict[str, str]]:
        plan, listing = await plan_and_listing(backends, run.owner, desired, kinds=kinds, forget=forgotten())
        only_remote = [c for c in plan.changes if c.action == Action.DELETE and c.reason == Reason.REMOVED]
        fetched = [await backends[c.kind].fetch(c.scope, c.remote_id or "") for c in only_remote]
        return plan, [r for r in fetched if r is not None], _named_by_manifests(listing.resources, desired, run.owner)

    plan, remotes, known = run.run(work)
    if not remotes:
        return plan.changes, ()
    exported = export_manifests(remotes, run.owner, run.site.name, known)
    for sentence in exported.skipped:
        click.echo(f"not pulled: {sentence}", err=True)
    for manifest in exported.manifests:
        if manifest.problem is not None:
            click.echo(f"not pulled: {manifest.scope} {manifest.remote_id}: {manifest.problem}", err=True)
    return plan.changes, tuple(m for m in exported.manifests if m.problem is None)


def _named_by_manifests(resources: Sequence[Remote], desired: Sequence[Desired], owner: str) -> dict[str, str]:
    """Remote id → KIND/ID of each resource a manifest here manages: a new manifest names those by reference."""
    mine = {(want.kind, want.manifest_id) for want in desired if want.parent is None}
    claimed = [
        r
        for r in resources
        if r.parent is None
        and not r.claims.conflicted
        and r.claims.owner == owner
        and (r.kind, r.claims.manifest_id) in mine
    ]
    # A copy carrying another's marker (a dashboard cloned in the UI) is named by its own id, never by the
    # reference that means the original: only a manifest id claimed once is a reference.
    times = Counter((r.kind, r.claims.manifest_id) for r in claimed)
    return {
        r.remote_id: f"{r.kind}/{r.claims.manifest_id}" for r in claimed if times[(r.kind, r.claims.manifest_id)] == 1
    }


def _from_report(report: Path) -> tuple[tuple[Change, ...], tuple[ExportedManifest, ...]]:
    from reconciler.manifests.drift_file import DriftFileError, pullable_edits

    try:
        return tuple(pullable_edits(report)), ()
    except DriftFileError as exc:
        fail(str(exc))


def _write_new(folder: Path, new: tuple[ExportedManifest, ...]) -> int:
    """Each as a new file under `folder` (as `wac export` writes them); none when one would overwrite a file."""
    from reconciler.cli.output_files import OutputError, link_problem, write_text

    problem = (
        f"{folder} is a file; new manifests go into a folder (give a folder as the first path)"
        if folder.exists() and not folder.is_dir()
        else link_problem(folder, [m.relative_path for m in new], "wac pull") or _outside_problem(folder)
    )
    existing = [m.relative_path for m in new if (folder / m.relative_path).exists()]
    if problem or existing:
        click.echo(f"not pulled: {problem or f'{existing[0]} already exists'}; no new manifest was written", err=True)
        return 0
    try:
        for manifest in new:
            write_text(folder / manifest.relative_path, manifest.text)
    except OutputError as exc:
        fail(str(exc))
    return len(new)


def _outside_problem(folder: Path) -> str | None:
    """Why new manifests may not go into `folder`: by its name in the repository, but a link to elsewhere."""
    here = Path.cwd().resolve()
    if Path(os.path.abspath(folder)).is_relative_to(here) and not folder.resolve().is_relative_to(here):
        return f"{folder} is a symbolic link to somewhere outside the repository; wac pull writes only inside it"
    return None


def _pull_file(file: str, changes: list[Change]) -> int:
    """The file with each change's remote fields written in, from the last document up (lines stay put)."""
    from reconciler.cli.output_files import OutputError, write_text
    from reconciler.manifests.loading import MAX_FILE_BYTES
    from reconciler.manifests.pull import PullError, pulled

    path = Path(file)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{file}: cannot be read ({type(exc).__name__}); nothing was pulled into it")
    done = 0
    for change in sorted(changes, key=_line, reverse=True):
        if "[" in (change.source or "") or "$ref" in text:
            click.echo(_from_template(change), err=True)
            continue
        try:
            edited = pulled(text, _line(change), change.fields)
        except PullError as exc:
            click.echo(f"{change.source}: not pulled: {exc}", err=True)
            continue
        if len(edited.encode()) > MAX_FILE_BYTES:
            click.echo(f"{change.source}: not pulled: the file would pass the {MAX_FILE_BYTES:,}-byte limit", err=True)
            continue
        text, done = edited, done + 1
    if done:
        try:
            write_text(path, text)
        except OutputError as exc:
            fail(str(exc))
    return done


def _line(change: Change) -> int:
    return int((change.source or ":0").split(" [", 1)[0].rpartition(":")[2] or 0)


def _from_template(change: Change) -> str:
    fields = ", ".join(f.path for f in change.fields[:8])
    return (
        f"{change.source}: not pulled: it comes from a template or uses a fragment; change {fields} there by hand"
        f" (the remote's values are in `wac drift`)"
    )


def _say_what_is_not_pulled(change: Change) -> None:
    if change.reason == Reason.BOTH_CHANGED:
        click.echo(
            f"{change.source}: not pulled: changed in git and outside it since the last apply; see `wac drift`",
            err=True,
        )
    elif change.action == Action.CREATE:
        # A resource deleted outside git (or never applied): git still holds it; apply makes it again.
        click.echo(
            f"{change.source}: not pulled: {change.scope}/{change.manifest_id} does not exist remotely", err=True
        )
