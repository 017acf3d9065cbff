"""`wac export`: manifests for widgets made in the UI, to adopt them."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from reconciler.core.resources import Remote
    from reconciler.engine.runs import Backends

from reconciler.backends.datadog_widgets.vocabulary import EXPERIENCE_TYPES
from reconciler.cli.harness import Run, write_file
from reconciler.cli.shell import (
    Command,
    connection_options,
    everywhere,
    fail,
    kind_option,
)


@click.command(cls=Command)
@everywhere
@connection_options
@click.option(
    "--experience-type",
    "experience_types",
    multiple=True,
    type=click.Choice(EXPERIENCE_TYPES),
    help="Only these experience types (repeatable; default all).",
)
@click.option(
    "--out", "out_dir", default="widgets", show_default=True, type=click.Path(file_okay=False, path_type=Path)
)
@click.option("--unmanaged-only", is_flag=True, help="Only widgets no owner manages yet.")
@click.option("--force", is_flag=True, help="Overwrite manifest files that already exist.")
@kind_option
def export(
    site: str | None,
    owner: str | None,
    experience_types: tuple[str, ...],
    out_dir: Path,
    unmanaged_only: bool,
    force: bool,
    kinds: tuple[str, ...],
) -> None:
    """Write a manifest per remote widget, to adopt widgets made in the UI without recreating them."""
    export_to(site, owner, experience_types, out_dir, unmanaged_only, force, kinds)


def export_to(
    site: str | None,
    owner: str | None,
    experience_types: tuple[str, ...],
    out_dir: Path,
    unmanaged_only: bool,
    force: bool,
    kinds: tuple[str, ...],
) -> None:
    """The export, for `wac export` and `wac init --from-remote`."""
    from reconciler.manifests.export import export_manifests

    run = Run(site, owner, kinds=kinds)

    async def work(backends: Backends) -> list[Remote]:
        chosen = [backend for kind, backend in backends.items() if not kinds or kind in kinds]
        listings = await asyncio.gather(*(backend.list_all(experience_types) for backend in chosen))
        return [resource for listing in listings for resource in listing]

    widgets = run.run(work)
    if unmanaged_only:
        widgets = [w for w in widgets if not w.claims.owners]
    result = export_manifests(widgets, run.owner, run.site.name)
    for note in result.skipped:
        click.echo(f"skipped: {note}", err=True)
    writable = [m for m in result.manifests if m.problem is None]
    unsafe = [m for m in result.manifests if m.problem is not None]
    existing = [out_dir / m.relative_path for m in writable if (out_dir / m.relative_path).exists()]
    if existing and not force:
        shown = ", ".join(str(p) for p in existing[:5]) + (" …" if len(existing) > 5 else "")
        fail(
            f"{len(existing)} file(s) already exist ({shown}); nothing was written. Use --force to overwrite,"
            " or --out to export elsewhere."
        )
    for manifest in writable:
        write_file(out_dir / manifest.relative_path, manifest.text)
        if manifest.masked:
            click.echo(
                f"{manifest.relative_path}: text shaped like a share token (a public dashboard link) is written as"
                " *** so the file can go into git; put the link back by hand if it is meant to be public",
                err=True,
            )
        if manifest.dropped_tags:
            click.echo(
                f"{manifest.relative_path}: left out tags that are not valid Datadog tags:"
                f" {', '.join(manifest.dropped_tags)}",
                err=True,
            )
    exported = writable
    for manifest in unsafe:
        click.echo(
            click.style("not written: ", fg="red")
            + f"{out_dir / manifest.relative_path} (widget {manifest.remote_id}): {manifest.problem}",
            err=True,
        )
    if unsafe:
        fail(
            f"{len(unsafe)} resource(s) could not be exported as valid manifests (named above); the other"
            f" {len(writable)} were written to {out_dir}/."
        )
    click.echo(
        f"Exported {len(exported)} resource(s) to {out_dir}/. Next: wac validate {out_dir} &&"
        f" wac plan {out_dir}{run.flags} (adoptions only add the ownership tags)."
    )
