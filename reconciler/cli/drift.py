"""`wac drift`: what changed outside git, for scheduled runs."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from reconciler.core.drift import DriftReport
    from reconciler.engine.runs import Backends

from reconciler.cli.harness import Run, desired_resources, forgotten, needed_kinds, with_skipped_kinds
from reconciler.cli.shell import (
    EXIT_CHANGES,
    Command,
    connection_options,
    everywhere,
    kind_option,
    paths_argument,
)


@click.command(cls=Command)
@everywhere
@paths_argument
@connection_options
@click.option("--format", "output", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--unmanaged", is_flag=True, help="Also report widgets no owner manages.")
@kind_option
def drift(
    paths: tuple[Path, ...], site: str | None, owner: str | None, output: str, unmanaged: bool, kinds: tuple[str, ...]
) -> None:
    """Report what changed outside git (who, when, which fields); exit 2 on drift."""
    from reconciler.core.drift import drift_from
    from reconciler.core.planning import Reason
    from reconciler.engine.runs import plan_run, unmanaged_resources
    from reconciler.manifests.git_history import applied_contents
    from reconciler.render.drift import render_drift_markdown, render_drift_text
    from reconciler.render.drift_json import render_drift_json

    desired = desired_resources(paths)
    run = Run(site, owner, kinds=needed_kinds(desired, kinds), cached=True)

    async def work(backends: Backends) -> DriftReport:
        planned = await plan_run(backends, run.owner, desired, kinds=kinds, forget=forgotten())
        result = with_skipped_kinds(planned, run, kinds)
        chosen = {k: b for k, b in backends.items() if not kinds or k in kinds}
        strays = await unmanaged_resources(chosen) if unmanaged else []
        # The applied version of a manifest changed both in git and outside it, to tell the two apart.
        both = [c for c in result.changes if c.reason == Reason.BOTH_CHANGED]
        return drift_from(result, strays, applied_contents(both) if both else {})

    report = run.run(work)
    renderer = {"json": render_drift_json, "markdown": render_drift_markdown}.get(output, render_drift_text)
    click.echo(renderer(report))
    if report.drifted:
        raise SystemExit(EXIT_CHANGES)
