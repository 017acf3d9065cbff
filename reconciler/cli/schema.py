"""`wac schema`: the manifests' JSON Schema, for editors."""

from __future__ import annotations

import json

import click

from reconciler.backends.registry import manifests_json_schema
from reconciler.cli.shell import (
    Command,
    everywhere,
)
from reconciler.manifests.templates import editor_schema


@click.command(cls=Command)
@everywhere
def schema() -> None:
    """Print the manifests' JSON Schema (for editors: see the README)."""
    click.echo(json.dumps(editor_schema(manifests_json_schema()), indent=2))
