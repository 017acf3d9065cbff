"""`wac drift`: what changed outside git, for scheduled runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from reconciler.cli.harness import Run, desired_widgets
from reconciler.cli.shell import (
    EXIT_CHANGES,
    Command,
    connection_options,
    everywhere,
    paths_argument,
)


@click.command(cls=Command)
@everywhere
@paths_argument
@connection_options
@click.option("--format", "output", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--unmanaged", is_flag=True, help="Also report widgets no owner manages.")
def drift(paths: tuple[Path, ...], site: str | None, owner: str | None, output: str, unmanaged: bool) -> None:
    """Report what changed outside git (who, when, which fields); exit 2 on drift."""
    from reconciler.drift import drift_from
    from reconciler.git_history import applied_contents
    from reconciler.planning import Reason
    from reconciler.render.drift import render_drift_json, render_drift_markdown, render_drift_text
    from reconciler.runs import plan_run, unmanaged_widgets

    desired = desired_widgets(paths)
    run = Run(site, owner)

    async def work(client: Any) -> Any:
        result = await plan_run(client, run.owner, desired)
        strays = await unmanaged_widgets(client) if unmanaged else []
        # The applied version of a manifest changed both in git and outside it, to tell the two apart.
        both = [c for c in result.changes if c.reason == Reason.BOTH_CHANGED]
        return drift_from(result, strays, applied_contents(both) if both else {})

    report = run.run(work)
    renderer = {"json": render_drift_json, "markdown": render_drift_markdown}.get(output, render_drift_text)
    click.echo(renderer(report))
    if report.drifted:
        raise SystemExit(EXIT_CHANGES)
