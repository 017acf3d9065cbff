"""The `wac` command line: one module per command, over the core and the edges."""

from __future__ import annotations

from reconciler.cli.apply import apply
from reconciler.cli.drift import drift
from reconciler.cli.emulator import emulator
from reconciler.cli.export import export
from reconciler.cli.init import init
from reconciler.cli.list import list_resources
from reconciler.cli.plan import plan
from reconciler.cli.pull import pull
from reconciler.cli.render import render
from reconciler.cli.schema import schema
from reconciler.cli.shell import main
from reconciler.cli.show import show
from reconciler.cli.validate import validate

for command in (init, validate, render, schema, plan, show, apply, drift, pull, list_resources, export, emulator):
    main.add_command(command)

__all__ = ["main"]
