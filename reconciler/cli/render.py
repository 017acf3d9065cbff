"""`wac render`: what plan sees, offline: every manifest after its fragments and template, as YAML."""

from __future__ import annotations

import re
from pathlib import Path

import click

from reconciler.cli.harness import manifests_for_run
from reconciler.cli.shell import Command, everywhere, paths_argument
from reconciler.manifests.validation import LoadedManifest
from reconciler.render.expanded import expanded_yaml
from reconciler.render.problems import format_problems

# A rendered file's path is built from the kind, scope and id, each checked against this first.
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


@click.command(cls=Command)
@everywhere
@paths_argument
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write one file per resource under this folder (KIND/SCOPE/ID.yaml) instead of printing them.",
)
def render(paths: tuple[Path, ...], out_dir: Path | None) -> None:
    """Print the manifests as plan sees them: fragments inlined, templates expanded per instance. Offline."""
    _, result = manifests_for_run(paths)
    if result.problems:
        click.echo(format_problems(result.problems, "text"))
        click.echo(f"{len(result.problems)} problem(s) found; nothing was rendered.", err=True)
        raise SystemExit(1)
    if not result.manifests:
        click.echo("No resources under these paths (a fragment file alone is not one).", err=True)
        return
    if out_dir is None:
        click.echo(expanded_yaml((m.source, _document(m)) for m in result.manifests), nl=False)
        return
    _write_all(out_dir, result.manifests)


def _document(loaded: LoadedManifest) -> dict[str, object]:
    assert loaded.data is not None, "a loaded manifest keeps the document it was validated from"
    return loaded.data


def _write_all(out_dir: Path, manifests: tuple[LoadedManifest, ...]) -> None:
    from reconciler.cli.output_files import OutputError, link_problem, write_text

    files = {}
    for loaded in manifests:
        m = loaded.manifest
        segments = (m.kind.replace("/", "_"), m.scope, m.id)
        bad = next((s for s in segments if not _SAFE_SEGMENT.match(s)), None)
        if bad is not None:
            raise click.ClickException(
                f"{loaded.source}: '{bad[:60]}' cannot be part of a file name; nothing was written"
            )
        files["/".join(segments) + ".yaml"] = expanded_yaml([(loaded.source, _document(loaded))])
    # The folder itself too: rendered files land where the user named, never where a link points.
    problem = (
        f"{out_dir} is a symbolic link; wac render writes only into a real folder, so nothing was written"
        if out_dir.is_symlink()
        else link_problem(out_dir, files, "wac render")
    )
    if problem:
        raise click.ClickException(problem)
    try:
        for relative, text in files.items():
            write_text(out_dir / relative, text)
    except OutputError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Rendered {len(files)} resource(s) into {out_dir}.", err=True)
