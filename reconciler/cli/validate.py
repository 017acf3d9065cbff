"""`wac validate`: every problem in every manifest, offline."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.shell import (
    DEFAULT_PATHS,
    Command,
    everywhere,
    paths_argument,
)
from reconciler.manifests.loading import load_manifests
from reconciler.render.problems import format_problems


@click.command(cls=Command)
@everywhere
@paths_argument
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "github", "json"]),
    default="text",
    show_default=True,
    help="text: file:line:col: message; github: Actions annotations; json: a list of objects.",
)
def validate(paths: tuple[Path, ...], output: str) -> None:
    """Check manifests offline; every problem in every file, at once. Exit 1 if any."""
    result = load_manifests(paths or DEFAULT_PATHS)
    if output == "github" and result.problems:
        from reconciler.cli.output_guard import print_annotations

        # The one place wac prints workflow commands on purpose; the guard lets only these through.
        print_annotations(format_problems(result.problems, "github"))
    elif output == "json" or result.problems:
        click.echo(format_problems(result.problems, output))  # type: ignore[arg-type]
    if result.problems:
        click.echo(f"{len(result.problems)} problem(s) found; nothing was sent to the API.", err=True)
        raise SystemExit(1)
    click.echo(f"{len(result.manifests)} manifest(s) valid.", err=True)
