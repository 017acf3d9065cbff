"""`wac apply`: make the remote match the manifests, or a saved plan once its claim is checked."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from reconciler.cli.harness import (
    Run,
    desired_resources,
    load_inputs,
    needed_kinds,
    refuse_plan_errors,
    with_skipped_kinds,
)
from reconciler.cli.shell import (
    EXIT_CHANGES,
    EXIT_ERROR,
    Command,
    colour,
    connection_options,
    everywhere,
    fail,
    kind_option,
    parallelism_option,
    paths_argument,
    target_option,
)
from reconciler.core.planning import Plan
from reconciler.manifests.loading import load_manifests
from reconciler.render.text import render_text

MAX_PLAN_BYTES = 64 * 1024 * 1024


def _verified_saved_plan(plan_file: Path, site: str | None, owner: str | None, parallelism: int) -> tuple[Run, Plan]:
    """The saved plan's claim checked: same owner and site, same manifest files, and a fresh plan equal to it."""
    from reconciler.backends.registry import SCOPES
    from reconciler.backends.sites import SiteError, named_site, resolve_site
    from reconciler.cli.settings import SettingsError, explicit_owner, explicit_site
    from reconciler.core.plan_file import PlanFileError, plan_from_json
    from reconciler.engine.runs import input_differences, verify_saved_plan
    from reconciler.render.common import printable

    try:
        if plan_file.stat().st_size > MAX_PLAN_BYTES:
            fail(f"{plan_file}: {plan_file.stat().st_size:,} bytes is too large for a plan file")
        saved = plan_from_json(plan_file.read_text(encoding="utf-8"), str(plan_file), SCOPES)
        chosen_owner = explicit_owner(owner)
        given = explicit_site(site)
        chosen_site = resolve_site(given).name if given else None
    except (PlanFileError, SettingsError, SiteError, OSError, UnicodeDecodeError) as exc:
        fail(str(exc))
    if chosen_owner is not None and chosen_owner != saved.plan.owner:
        fail(
            f"{plan_file} was made for owner '{saved.plan.owner}', but owner '{chosen_owner}' is chosen (by --owner,"
            " WAC_OWNER or .wac.yaml); nothing was applied. Make a plan for that owner, or drop the setting."
        )
    if chosen_site is not None and chosen_site != saved.site:
        fail(
            f"{plan_file} was made for site '{printable(saved.site[:120])}', but site '{chosen_site}' is chosen (by"
            " --site, DD_SITE or .wac.yaml); nothing was applied. Make a plan for that site, or drop the setting."
        )
    if chosen_site is None and not named_site(saved.site):
        # Keys go only where the user pointed them: a URL written in a file is nobody's choice.
        fail(
            f"{plan_file} names the site '{printable(saved.site[:120])}', a URL rather than a Datadog site or"
            " `local`; nothing was sent. Credentials go only where you point them: pass the same --site (or set"
            " DD_SITE or `site:` in .wac.yaml) to apply it there."
        )
    outside = [p for p in saved.inputs.paths if Path(p).is_absolute() or ".." in Path(p).parts]
    if outside or not saved.inputs.paths:
        fail(
            f"{plan_file} names manifest paths outside the working directory ({', '.join(outside) or 'none'});"
            " make and apply plans from the repository's root"
        )
    # The files are compared before they are validated: an edit since the plan is the news.
    changed = input_differences(saved.inputs, load_manifests(saved.inputs.paths).files)
    if changed:
        fail(
            f"{plan_file} was made from other manifests than those on disk now ({'; '.join(changed[:5])}); nothing"
            " was applied. Run `wac plan --out FILE` again and review it."
        )
    desired, _ = load_inputs(saved.inputs.paths)
    run = Run(saved.site, saved.plan.owner, parallelism, needed_kinds(desired, saved.plan.kinds))
    from reconciler.cli.output_guard import masked

    return run, run.run(lambda backends: verify_saved_plan(backends, saved.plan, desired, masked))


@click.command(cls=Command)
@everywhere
@paths_argument
@connection_options
@click.option(
    "--plan",
    "plan_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Apply exactly this saved plan (refused if the remote changed since).",
)
@click.option("--auto-approve", is_flag=True, help="Do not ask for confirmation.")
@click.option("--dry-run", is_flag=True, help="Show the plan and write nothing.")
@click.option("--allow-mass-delete", is_flag=True, help="Allow a plan that deletes everything or over the limit.")
@click.option(
    "--delete-limit",
    default=10,
    show_default=True,
    type=click.IntRange(min=0),
    help="Most deletes an apply makes without --allow-mass-delete.",
)
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when changes were applied.")
@parallelism_option
@target_option
@kind_option
def apply(
    paths: tuple[Path, ...],
    site: str | None,
    owner: str | None,
    plan_file: Path | None,
    auto_approve: bool,
    dry_run: bool,
    allow_mass_delete: bool,
    delete_limit: int,
    detailed_exitcode: bool,
    parallelism: int,
    targets: tuple[str, ...],
    kinds: tuple[str, ...],
) -> None:
    """Make the remote widgets match the manifests (or a saved plan)."""
    from reconciler.core.guards import mass_delete_refusal
    from reconciler.core.planning import Action
    from reconciler.engine.runs import apply_run, plan_run

    if plan_file is not None:
        if paths or targets or kinds:
            fail("--plan applies a saved plan as it is; do not pass manifest paths, --target or --kind with it")
        run, the_plan = _verified_saved_plan(plan_file, site, owner, parallelism)
    else:
        desired = desired_resources(paths)
        run = Run(site, owner, parallelism, needed_kinds(desired, kinds))
        planned = run.run(lambda backends: plan_run(backends, run.owner, desired, targets, kinds))
        the_plan = with_skipped_kinds(planned, run, kinds)
    refuse_plan_errors(the_plan)

    click.echo(render_text(the_plan, colour()), color=colour())
    if not the_plan.has_changes:
        held = f" ({len(the_plan.held_back)} held back by conflicts, named above)" if the_plan.held_back else ""
        click.echo(f"Nothing to apply{held}.")
        return
    refusal = None if allow_mass_delete else mass_delete_refusal(the_plan, delete_limit)
    if refusal:
        fail(refusal)
    if dry_run:
        click.echo("Dry run: nothing was written.")
        if detailed_exitcode:
            raise SystemExit(EXIT_CHANGES)
        return
    if not auto_approve:
        if not sys.stdin.isatty():
            fail("not applying without confirmation: no terminal to ask on; pass --auto-approve")
        counts = ", ".join(f"{the_plan.count(a)} {a.value}" for a in Action if the_plan.count(a) or a != Action.REPLACE)
        deletes = the_plan.count(Action.DELETE)
        warning = f" {deletes} resource(s) will be deleted." if deletes else ""
        click.confirm(
            f"Apply {len(the_plan.changes)} change(s) ({counts}) to site '{run.site.name}'?{warning}", abort=True
        )

    from reconciler.engine.applying import ApplyReport, Outcome
    from reconciler.render.progress import ApplyProgress

    done: list[Outcome] = []

    def record(outcome: Outcome) -> None:
        done.append(outcome)
        progress.advance(outcome.ok)

    def interrupted() -> NoReturn:
        partial = ApplyReport(tuple(done))
        made = (partial.count(a) for a in (Action.CREATE, Action.UPDATE, Action.DELETE))
        fail(
            "Interrupted: {} created, {} updated, {} deleted before stopping; ".format(*made)
            + f"{len(the_plan.changes) - len(done)} change(s) not made. Run wac apply again to finish."
        )

    with ApplyProgress(len(the_plan.changes)) as progress:
        report = run.run(lambda backends: apply_run(backends, the_plan, record), on_interrupt=interrupted)
    created, updated, replaced, deleted = (
        report.count(a) for a in (Action.CREATE, Action.UPDATE, Action.REPLACE, Action.DELETE)
    )
    for failure in report.failed:
        change = failure.change
        click.echo(
            click.style("failed: ", fg="red") + f"{change.action.value} {change.scope}/"
            f"{change.manifest_id}: {run.redact(failure.detail)}",
            err=True,
        )
    also = f" {replaced} replaced," if replaced else ""
    click.echo(
        f"Apply complete: {created} created, {updated} updated,{also} {deleted} deleted, {len(report.failed)} failed."
    )
    if report.failed:
        raise SystemExit(EXIT_ERROR)
    if detailed_exitcode:
        raise SystemExit(EXIT_CHANGES)
