"""`wac pull`: edits made outside git (in the UI) written back into the manifests, for a pull request."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.harness import Run, desired_resources, forgotten, needed_kinds
from reconciler.cli.shell import Command, connection_options, everywhere, fail, kind_option, paths_argument
from reconciler.core.planning import Action, Change, Reason


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
    changes = _from_report(report) if report is not None else _from_the_remote(paths, site, owner, kinds)
    edits = [c for c in changes if c.action == Action.UPDATE and c.reason == Reason.DRIFT and c.parent is None]
    by_file: dict[str, list[Change]] = {}
    for change in edits:
        by_file.setdefault((change.source or "").split(" [", 1)[0].rpartition(":")[0], []).append(change)
    pulled = sum(_pull_file(file, changes) for file, changes in sorted(by_file.items()))
    for change in changes:
        _say_what_is_not_pulled(change)
    click.echo(f"Pulled {pulled} edit(s) made outside git into the manifests; review them with git diff.", err=True)


def _from_the_remote(
    paths: tuple[Path, ...], site: str | None, owner: str | None, kinds: tuple[str, ...]
) -> tuple[Change, ...]:
    from reconciler.engine.runs import plan_run

    desired = desired_resources(paths)
    run = Run(site, owner, kinds=needed_kinds(desired, kinds), cached=True)
    plan = run.run(lambda backends: plan_run(backends, run.owner, desired, kinds=kinds, forget=forgotten()))
    return plan.changes


def _from_report(report: Path) -> tuple[Change, ...]:
    from reconciler.manifests.drift_file import DriftFileError, pullable_edits

    try:
        return tuple(pullable_edits(report))
    except DriftFileError as exc:
        fail(str(exc))


def _pull_file(file: str, changes: list[Change]) -> int:
    """The file with each change's remote fields written in, from the last document up (lines stay put)."""
    from reconciler.cli.output_files import OutputError, write_text
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
            text = pulled(text, _line(change), change.fields)
        except PullError as exc:
            click.echo(f"{change.source}: not pulled: {exc}", err=True)
            continue
        done += 1
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
