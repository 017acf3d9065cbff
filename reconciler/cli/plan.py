"""`wac plan`: what apply would change, widget by widget and field by field."""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.cli.harness import (
    Run,
    forgotten,
    load_inputs,
    needed_kinds,
    refuse_plan_errors,
    with_skipped_kinds,
    write_file,
)
from reconciler.cli.shell import (
    EXIT_CHANGES,
    Command,
    colour,
    connection_options,
    echo_lines,
    everywhere,
    kind_option,
    paths_argument,
    target_option,
)
from reconciler.render.common import refusal_lines
from reconciler.render.markdown import render_markdown
from reconciler.render.text import text_lines


@click.command(cls=Command)
@everywhere
@paths_argument
@connection_options
@click.option("--format", "output", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="Also save the JSON plan.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes (0 none, 1 error).")
@target_option
@kind_option
def plan(
    paths: tuple[Path, ...],
    site: str | None,
    owner: str | None,
    output: str,
    out_file: Path | None,
    detailed_exitcode: bool,
    targets: tuple[str, ...],
    kinds: tuple[str, ...],
) -> None:
    """Show what apply would change, widget by widget and field by field."""
    from reconciler.core.plan_file import plan_to_json
    from reconciler.engine.runs import plan_run

    desired, inputs = load_inputs(paths)
    run = Run(site, owner, kinds=needed_kinds(desired, kinds), cached=True)
    result = with_skipped_kinds(
        run.run(lambda backends: plan_run(backends, run.owner, desired, targets, kinds, forgotten())), run, kinds
    )
    if output == "json":
        click.echo(plan_to_json(result, run.site.name, inputs), nl=False)
    elif output == "markdown":
        click.echo(render_markdown(result, run.site.name))
    else:
        for line in refusal_lines(result):
            click.echo(click.style(f"! {line}", fg="red", bold=True), color=colour())
        echo_lines(text_lines(result, colour()), colour())
    refuse_plan_errors(result)
    if out_file is not None:
        write_file(out_file, plan_to_json(result, run.site.name, inputs))
        click.echo(f"Plan saved to {out_file}; apply exactly it with: wac apply --plan {out_file}", err=True)
    if detailed_exitcode and not result.settled:
        raise SystemExit(EXIT_CHANGES)
