"""`wac export`: manifests for resources made in the UI, to adopt them."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from reconciler.core.resources import Remote
    from reconciler.engine.runs import Backends
    from reconciler.manifests.export import ExportedManifest

from reconciler.backends.registry import BACKENDS, BY_KIND
from reconciler.cli.harness import Run, write_file
from reconciler.cli.shell import (
    Command,
    connection_options,
    everywhere,
    fail,
    kind_option,
    with_kinds,
)


def _remember_scopes(kind: str) -> Callable[[click.Context, click.Parameter, tuple[str, ...]], None]:
    """Keeps a backend's chosen scopes for that backend alone (`wac.export_scopes`, by kind)."""

    def callback(ctx: click.Context, _: click.Parameter, value: tuple[str, ...]) -> None:
        if value:
            ctx.meta.setdefault("wac.export_scopes", {})[kind] = tuple(dict.fromkeys(value))

    return callback


def _scope_filters(command: Callable[..., Any]) -> Callable[..., Any]:
    """One option per backend that offers a scope filter (`--experience-type`), its choices its scopes."""
    for backend in reversed(BACKENDS):
        if backend.scope_filter is not None:
            command = click.option(
                backend.scope_filter.flag,
                multiple=True,
                type=click.Choice(backend.scopes),
                expose_value=False,
                callback=_remember_scopes(backend.kind),
                help=backend.scope_filter.help,
            )(command)
    return command


@click.command(
    cls=Command,
    help=with_kinds("Write a manifest per remote resource, to adopt what was made in the UI without recreating it."),
)
@everywhere
@connection_options
@_scope_filters
@click.option(
    "--out", "out_dir", default="widgets", show_default=True, type=click.Path(file_okay=False, path_type=Path)
)
@click.option("--unmanaged-only", is_flag=True, help="Only resources no owner manages yet.")
@click.option("--force", is_flag=True, help="Overwrite manifest files that already exist.")
@kind_option
def export(
    site: str | None,
    owner: str | None,
    out_dir: Path,
    unmanaged_only: bool,
    force: bool,
    kinds: tuple[str, ...],
) -> None:
    """The command (its help is built from the registry, above)."""
    scopes = click.get_current_context().meta.get("wac.export_scopes", {})
    export_to(site, owner, scopes, out_dir, unmanaged_only, force, kinds)


def export_to(
    site: str | None,
    owner: str | None,
    scopes: Mapping[str, tuple[str, ...]],
    out_dir: Path,
    unmanaged_only: bool,
    force: bool,
    kinds: tuple[str, ...],
) -> None:
    """The export, for `wac export` and `wac init --from-remote`; `scopes` limits a backend (by kind) to some of
    its scopes, and the others list everything."""
    from reconciler.manifests.export import export_manifests

    # Every kind the site and settings reach, unless --kind chose some; each kind skipped is named.
    run = Run(site, owner, kinds=kinds, every_kind=True)
    for kind, why in sorted(run.unreachable.items()):
        click.echo(f"skipped {kind}: {why}", err=True)

    async def work(backends: Backends) -> list[Remote]:
        chosen = [(kind, backend) for kind, backend in backends.items() if not kinds or kind in kinds]
        listings = await asyncio.gather(*(backend.list_all(scopes.get(kind, ())) for kind, backend in chosen))
        return [resource for listing in listings for resource in listing]

    widgets = run.run(work)
    if unmanaged_only:
        widgets = [w for w in widgets if not w.claims.owners]
    result = export_manifests(widgets, run.owner, run.site.name)
    for note in result.skipped:
        click.echo(f"skipped: {note}", err=True)
    writable = [m for m in result.manifests if m.problem is None]
    _write(out_dir, writable, force)
    _refuse_unsafe(out_dir, [m for m in result.manifests if m.problem is not None], len(writable))
    counts = Counter(m.kind for m in writable)
    per_kind = "; ".join(f"{kind}: {counts.get(kind, 0)}" for kind in run.connected if not kinds or kind in kinds)
    click.echo(
        f"Exported {len(writable)} resource(s) to {out_dir}/ ({per_kind}). Next: wac validate {out_dir} &&"
        f" wac plan {out_dir}{run.flags} (adoptions only add the ownership markers)."
    )


def _write(out_dir: Path, writable: Sequence[ExportedManifest], force: bool) -> None:
    """Writes every manifest, saying what each had masked or left out; none when a file exists (unless --force)
    or a path holds a symbolic link (a repository could plant one pointing anywhere)."""
    from reconciler.cli.output_files import link_problem

    problem = link_problem(out_dir, [m.relative_path for m in writable], "wac export")
    if problem:
        fail(problem)
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


def _refuse_unsafe(out_dir: Path, unsafe: Sequence[ExportedManifest], written: int) -> None:
    """Names each resource whose manifest would not read back as it, and fails when there is one."""
    for manifest in unsafe:
        click.echo(
            click.style("not written: ", fg="red")
            + f"{out_dir / manifest.relative_path} ({BY_KIND[manifest.kind].noun(manifest.scope)}"
            f" {manifest.remote_id}): {manifest.problem}",
            err=True,
        )
    if unsafe:
        fail(
            f"{len(unsafe)} resource(s) could not be exported as valid manifests (named above); the other"
            f" {written} were written to {out_dir}/."
        )
