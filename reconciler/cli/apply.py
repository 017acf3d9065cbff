"""`wac apply`: make the remote match the manifests, or a saved plan once its claim is checked."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from reconciler.cli.harness import (
    Run,
    desired_resources,
    forgotten,
    manifests_for_run,
    needed_kinds,
    refuse_plan_errors,
    refuse_problems,
    with_skipped_kinds,
)
from reconciler.cli.shell import (
    EXIT_CHANGES,
    EXIT_ERROR,
    Command,
    colour,
    connection_options,
    echo_lines,
    everywhere,
    fail,
    kind_option,
    parallelism_option,
    paths_argument,
    target_option,
)
from reconciler.core.planning import Plan

if TYPE_CHECKING:
    from reconciler.core.outcomes import ApplyReport
    from reconciler.core.plan_file import SavedPlan
    from reconciler.engine.saved_plans import Chosen
from reconciler.render.text import text_lines

MAX_PLAN_BYTES = 64 * 1024 * 1024


def _verified_saved_plan(plan_file: Path, site: str | None, owner: str | None, parallelism: int) -> tuple[Run, Plan]:
    """The saved plan's claim checked (`engine/saved_plans.py`), the manifests read once, and the fresh plan
    that equals it, which is what gets applied."""
    from reconciler.cli.output_guard import masked
    from reconciler.engine.saved_plans import input_differences, refusals, verify_saved_plan
    from reconciler.manifests.validation import desired_from

    saved, chosen = _read_claim(plan_file, site, owner)
    _same_environment(plan_file, saved.inputs.files)
    problems = refusals(str(plan_file), saved, chosen)
    if problems:
        fail(problems[0])
    # The files are compared before they are validated: an edit since the plan is the news.
    _, loaded = manifests_for_run(saved.inputs.paths)
    changed = input_differences(saved.inputs, loaded.files)
    if changed:
        fail(
            f"{plan_file} was made from other manifests than those on disk now ({'; '.join(changed[:5])}); nothing"
            " was applied. Run `wac plan --out FILE` again and review it."
        )
    refuse_problems(loaded.problems)
    desired = [d for m in loaded.manifests for d in desired_from(m)]
    run = Run(saved.site, saved.plan.owner, parallelism, needed_kinds(desired, saved.plan.kinds))
    return run, run.run(lambda backends: verify_saved_plan(backends, saved.plan, desired, masked))


def _same_environment(plan_file: Path, files: Sequence[tuple[str, str]]) -> None:
    """A plan made for one environment is applied for that one: said first, before owners and sites differ."""
    from reconciler.cli.settings import environment_name

    prefix = ".wac.yaml (environment "
    made_for = next((path[len(prefix) : -1] for path, _ in files if path.startswith(prefix)), None)
    now = environment_name()
    if made_for == now:
        return
    if made_for is None:
        fail(f"{plan_file} was made without an environment; apply it without --env (and without WAC_ENV)")
    fail(f"{plan_file} was made for environment {made_for}; apply it with --env {made_for}")


def _read_claim(plan_file: Path, site: str | None, owner: str | None) -> tuple[SavedPlan, Chosen]:
    """The plan file, every field checked, and what the user chose for owner and site; nothing is sent."""
    from reconciler.backends.registry import SCOPES
    from reconciler.backends.sites import SiteError, named_site, resolve_site
    from reconciler.cli.settings import SettingsError, explicit_owner, explicit_site
    from reconciler.core.plan_file import PlanFileError, plan_from_json
    from reconciler.engine.saved_plans import Chosen

    try:
        if plan_file.stat().st_size > MAX_PLAN_BYTES:
            fail(f"{plan_file}: {plan_file.stat().st_size:,} bytes is too large for a plan file")
        saved = plan_from_json(plan_file.read_text(encoding="utf-8"), str(plan_file), SCOPES)
        given = explicit_site(site)
        chosen = Chosen(explicit_owner(owner), resolve_site(given).name if given else None, named_site(saved.site))
    except UnicodeDecodeError:
        fail(f"{plan_file}: not UTF-8 text, so not a plan file written by `wac plan --out`")
    except OSError as exc:
        fail(f"{plan_file}: cannot be read ({exc.strerror or type(exc).__name__})")
    except (PlanFileError, SettingsError, SiteError) as exc:
        fail(str(exc))
    return saved, chosen


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
@click.option(
    "--format",
    "output",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one versioned document of what was applied (needs --auto-approve or --dry-run).",
)
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
    output: str,
    parallelism: int,
    targets: tuple[str, ...],
    kinds: tuple[str, ...],
) -> None:
    """Make the remote resources match the manifests (or a saved plan)."""
    if output == "json" and not (auto_approve or dry_run):
        fail("--format json prints one document and asks nothing: pass --auto-approve (or --dry-run)")
    run, the_plan = _the_plan(plan_file, paths, site, owner, parallelism, targets, kinds)
    refuse_plan_errors(the_plan)
    text = output == "text"
    if text:
        echo_lines(text_lines(the_plan, colour()), colour())
    if the_plan.has_changes:
        _refuse_mass_delete(the_plan, allow_mass_delete, delete_limit)
    if not the_plan.has_changes or dry_run:
        _nothing_written(run, the_plan, text, dry_run and detailed_exitcode and the_plan.has_changes)
        return
    if not auto_approve:
        _confirmed(the_plan, run.site.name)
    report = _executed(run, the_plan, show_progress=text)
    _reported(run, the_plan, report, text)
    if report.failed:
        raise SystemExit(EXIT_ERROR)
    if detailed_exitcode:
        raise SystemExit(EXIT_CHANGES)


def _the_plan(
    plan_file: Path | None,
    paths: tuple[Path, ...],
    site: str | None,
    owner: str | None,
    parallelism: int,
    targets: tuple[str, ...],
    kinds: tuple[str, ...],
) -> tuple[Run, Plan]:
    """The saved plan once verified, or a fresh one from the manifests."""
    if plan_file is None:
        return _planned(paths, site, owner, parallelism, targets, kinds)
    if paths or targets or kinds:
        fail("--plan applies a saved plan as it is; do not pass manifest paths, --target or --kind with it")
    return _verified_saved_plan(plan_file, site, owner, parallelism)


def _planned(
    paths: tuple[Path, ...],
    site: str | None,
    owner: str | None,
    parallelism: int,
    targets: tuple[str, ...],
    kinds: tuple[str, ...],
) -> tuple[Run, Plan]:
    from reconciler.engine.runs import plan_run

    desired = desired_resources(paths)
    run = Run(site, owner, parallelism, needed_kinds(desired, kinds))
    planned = run.run(lambda backends: plan_run(backends, run.owner, desired, targets, kinds, forgotten()))
    return run, with_skipped_kinds(planned, run, kinds)


def _nothing_written(run: Run, plan: Plan, text: bool, changes_exit: bool) -> None:
    """No changes, or a dry run: say so, and exit 2 for a dry run with changes and --detailed-exitcode."""
    from reconciler.core.outcomes import ApplyReport
    from reconciler.render.apply import apply_to_json, nothing_to_apply

    if text:
        click.echo(nothing_to_apply(plan) if not plan.has_changes else "Dry run: nothing was written.")
    else:
        click.echo(apply_to_json(plan, ApplyReport(()), run.site.name, dry_run=plan.has_changes), nl=False)
    if changes_exit:
        raise SystemExit(EXIT_CHANGES)


def _refuse_mass_delete(plan: Plan, allow_mass_delete: bool, delete_limit: int) -> None:
    from reconciler.core.guards import mass_delete_refusal

    refusal = None if allow_mass_delete else mass_delete_refusal(plan, delete_limit)
    if refusal:
        fail(refusal)


def _confirmed(plan: Plan, site: str) -> None:
    """A person's yes, asked on the terminal; without one, nothing is written."""
    from reconciler.render.apply import confirmation

    if not sys.stdin.isatty():
        fail("not applying without confirmation: no terminal to ask on; pass --auto-approve")
    click.confirm(confirmation(plan, site), abort=True)


def _executed(run: Run, plan: Plan, show_progress: bool) -> ApplyReport:
    from reconciler.core.outcomes import ApplyReport, Outcome
    from reconciler.engine.runs import apply_run
    from reconciler.render.apply import interrupted_line
    from reconciler.render.progress import ApplyProgress

    done: list[Outcome] = []

    def record(outcome: Outcome) -> None:
        done.append(outcome)
        progress.advance(outcome.ok)

    def interrupted() -> NoReturn:
        fail(interrupted_line(ApplyReport(tuple(done)), len(plan.changes)))

    with ApplyProgress(len(plan.changes) if show_progress else 0) as progress:
        return run.run(lambda backends: apply_run(backends, plan, record), on_interrupt=interrupted)


def _reported(run: Run, plan: Plan, report: ApplyReport, text: bool) -> None:
    from dataclasses import replace

    from reconciler.core.outcomes import ApplyReport
    from reconciler.render.apply import apply_to_json, failure_line, summary_line

    # What a server said in a failure may hold a key or token: redacted before it is shown.
    shown = ApplyReport(tuple(replace(o, detail=run.redact(o.detail)) for o in report.outcomes))
    if not text:
        click.echo(apply_to_json(plan, shown, run.site.name), nl=False)
        return
    for failure in shown.failed:
        click.echo(click.style("failed: ", fg="red") + failure_line(failure).removeprefix("failed: "), err=True)
    click.echo(summary_line(shown))
