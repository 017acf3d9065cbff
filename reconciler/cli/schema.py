"""`wac schema`: the manifests' JSON Schema, for editors."""

from __future__ import annotations

import click

from reconciler.cli.shell import (
    Command,
    everywhere,
)
from reconciler.scaffold import template


@click.command(cls=Command)
@everywhere
def schema() -> None:
    """Print the manifests' JSON Schema (for editors: see the README)."""
    # Generated from the manifest models and shipped with the package (a test holds the two equal): printing it
    # needs no model loaded.
    click.echo(template("manifest.schema.json"), nl=False)
