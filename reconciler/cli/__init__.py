"""The `wac` command line: one module per command, over the core and the edges, each imported when it runs."""

from __future__ import annotations

from reconciler.cli.shell import Group, main

COMMANDS = {
    "init": "reconciler.cli.init:init",
    "validate": "reconciler.cli.validate:validate",
    "render": "reconciler.cli.render:render",
    "schema": "reconciler.cli.schema:schema",
    "plan": "reconciler.cli.plan:plan",
    "show": "reconciler.cli.show:show",
    "apply": "reconciler.cli.apply:apply",
    "drift": "reconciler.cli.drift:drift",
    "pull": "reconciler.cli.pull:pull",
    "list": "reconciler.cli.list:list_resources",
    "export": "reconciler.cli.export:export",
    "emulator": "reconciler.cli.emulator:emulator",
}
assert isinstance(main, Group)
main.lazy_commands = COMMANDS

__all__ = ["COMMANDS", "main"]
