"""The `wac` command line: thin click commands over the core and the edges."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from reconciler import __version__
from reconciler.emulator.settings import EmulatorSettings, FaultRule, RateLimit, UserProfile
from reconciler.loading import load_manifests
from reconciler.manifest import manifest_json_schema
from reconciler.plan_file import PlanInputs
from reconciler.planning import Plan
from reconciler.problems import format_problems
from reconciler.render.markdown import render_markdown
from reconciler.render.text import render_text
from reconciler.state import DesiredWidget

if TYPE_CHECKING:
    from reconciler.api.client import RetryPolicy

DEFAULT_PATHS = ("widgets",)
paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


class _UsageExitsOne:
    """Usage errors exit 1, like every other error: 2 means changes or drift, and a typo is neither."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        try:
            return super().make_context(*args, **kwargs)  # type: ignore[misc, no-any-return]
        except click.UsageError as exc:
            exc.exit_code = EXIT_ERROR  # type: ignore[misc]
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)  # type: ignore[misc]
        except click.UsageError as exc:
            exc.exit_code = EXIT_ERROR  # type: ignore[misc]
            raise


class _Command(_UsageExitsOne, click.Command):
    pass


class _Group(_UsageExitsOne, click.Group):
    command_class = _Command


def _set_debug(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    if value:
        from reconciler.logs import configure_logging

        ctx.meta["wac.debug"] = True  # shared with the subcommand's context
        configure_logging(debug=True)


def _set_no_color(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta["wac.plain"] = True


def _everywhere(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options that work before or after the subcommand's name."""
    command = click.option(
        "--debug",
        is_flag=True,
        expose_value=False,
        callback=_set_debug,
        help="Log requests and retries to stderr (keys are scrubbed).",
    )(command)
    return click.option(
        "--no-color",
        is_flag=True,
        expose_value=False,
        callback=_set_no_color,
        help="Plain output without colour (also NO_COLOR or TERM=dumb).",
    )(command)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wac")
@_everywhere
def main() -> None:
    """widgets-as-code: Datadog saved widgets from YAML in git — validate, plan, apply, drift."""
    from reconciler.logs import configure_logging

    configure_logging(debug=bool(click.get_current_context().meta.get("wac.debug")))
    if sys.stdout is None:
        # Started with standard output closed: a plan printed nowhere would look like no plan.
        _fail("standard output is closed, so there is nowhere to print; run again with it open (or >/dev/null)")


@main.command()
@_everywhere
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
    if output == "json" or result.problems:
        click.echo(format_problems(result.problems, output))  # type: ignore[arg-type]
    if result.problems:
        click.echo(f"{len(result.problems)} problem(s) found; nothing was sent to the API.", err=True)
        raise SystemExit(1)
    click.echo(f"{len(result.manifests)} manifest(s) valid.", err=True)


@main.command()
@_everywhere
def schema() -> None:
    """Print the manifests' JSON Schema (for editors: see the README)."""
    click.echo(json.dumps(manifest_json_schema(), indent=2))


def _is_loopback_host(host: str) -> bool:
    import ipaddress

    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _load_users(path: Path | None) -> dict[str, UserProfile]:
    if path is None:
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {key: UserProfile(handle=v["handle"], name=v.get("name", v["handle"])) for key, v in raw.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise click.BadParameter(
            f'{path}: expected a JSON object mapping application keys to {{"handle": ..., "name": ...}} ({exc})',
            param_hint="--users",
        ) from None


@main.command()
@_everywhere
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=8126, show_default=True, type=click.IntRange(0, 65535))
@click.option("--db", default=".wac/emulator.sqlite3", show_default=True, help="SQLite file, or :memory:.")
@click.option("--latency", default=0.0, type=click.FloatRange(min=0), help="Seconds added to every API request.")
@click.option("--rate-limit", type=click.IntRange(min=1), help="Requests allowed per --rate-period (429 beyond).")
@click.option("--rate-period", default=10.0, show_default=True, type=click.FloatRange(min=0.001))
@click.option("--error-rate", default=0.0, type=click.FloatRange(0, 1), help="Share of requests answered 503.")
@click.option(
    "--lost-write-rate",
    default=0.0,
    type=click.FloatRange(0, 1),
    help="Share of writes committed whose response is then lost (connection dropped).",
)
@click.option("--seed", default=0, show_default=True, help="Seed for the fault draws.")
@click.option(
    "--users",
    "users_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON file naming the user behind each application key.",
)
def emulator(
    host: str,
    port: int,
    db: str,
    latency: float,
    rate_limit: int | None,
    rate_period: float,
    error_rate: float,
    lost_write_rate: float,
    seed: int,
    users_file: Path | None,
) -> None:
    """Serve the local Datadog Widgets v2 emulator over HTTP."""
    from reconciler.emulator.server import ServeError, serve

    faults: list[FaultRule] = []
    if error_rate:
        faults.append(FaultRule("error", rate=error_rate, status=503))
    if lost_write_rate:
        faults.append(FaultRule("lost_response", rate=lost_write_rate, methods=frozenset({"POST", "PUT", "DELETE"})))
    settings = EmulatorSettings(
        latency=latency,
        rate_limit=RateLimit(rate_limit, rate_period) if rate_limit else None,
        faults=tuple(faults),
        seed=seed,
        users=_load_users(users_file),
    )
    if not _is_loopback_host(host):
        click.echo(
            click.style("Warning: ", fg="yellow", bold=True) + f"--host {host} serves the emulator beyond this"
            " machine; it accepts any key and is meant for tests. Use 127.0.0.1 unless others must reach it.",
            err=True,
        )

    def ready(bound: int) -> None:
        shown = f"[{host}]" if ":" in host else host
        click.echo(f"Widgets API emulator on http://{shown}:{bound} (state in {db}); Ctrl-C to stop.", err=True)

    try:
        serve(host, port, db, settings, on_ready=ready)
    except ServeError as exc:
        _fail(str(exc))


T = TypeVar("T")

site_option = click.option(
    "--site",
    envvar="DD_SITE",
    help="A Datadog site (datadoghq.com, datadoghq.eu, …), an emulator URL, or `local` (embedded emulator);"
    " else $DD_SITE, else `site:` in .wac.yaml, else datadoghq.com.",
)
owner_option = click.option(
    "--owner",
    help="Ownership tag value; else $WAC_OWNER, else `owner:` in .wac.yaml, else `default`.",
)
target_option = click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="ID",
    help="Only these manifest ids (repeatable).",
)


def _remember(key: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, _: click.Parameter, value: Any) -> None:
        ctx.meta[key] = value

    return callback


def network_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """How long to wait for the API: per request, and for a rate limit's window."""
    command = click.option(
        "--timeout",
        default=30.0,
        show_default=True,
        type=click.FloatRange(0.1, 600),
        expose_value=False,
        callback=_remember("wac.timeout"),
        help="Seconds to wait for one answer; a server that never answers ends the run within 2 minutes.",
    )(command)
    return click.option(
        "--max-rate-wait",
        default=60.0,
        show_default=True,
        type=click.FloatRange(0, 86400),
        expose_value=False,
        callback=_remember("wac.max_rate_wait"),
        help="Longest rate-limit wait to sit out; a longer one ends the run with a message.",
    )(command)


parallelism_option = click.option(
    "--parallelism",
    default=16,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Requests in flight at most.",
)


def _fail(message: str) -> NoReturn:
    click.echo(click.style("Error: ", fg="red", bold=True) + message, err=True)
    raise SystemExit(EXIT_ERROR)


def _colour() -> bool:
    ctx = click.get_current_context(silent=True)
    plain = ctx is not None and bool(ctx.meta.get("wac.plain"))
    if plain or "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout is not None and sys.stdout.isatty()


class _Run:
    """What every remote command needs: site, owner, keys; and one place that keeps keys out of errors."""

    def __init__(self, site_name: str | None, owner: str | None, parallelism: int = 16) -> None:
        from reconciler.api.sites import SiteError, resolve_site
        from reconciler.session import DEFAULT_SITE, SettingsError, credentials_for, explicit_site, resolve_owner

        try:
            self.site = resolve_site(explicit_site(site_name) or DEFAULT_SITE)
            self.owner = resolve_owner(owner)
            self.credentials = credentials_for(self.site)
        except (SiteError, SettingsError) as exc:
            _fail(str(exc))
        self.parallelism = parallelism

    @property
    def flags(self) -> str:
        """`--site` and `--owner` as a printed next step needs them to reach the same widgets."""
        import shlex

        from reconciler.session import DEFAULT_OWNER, DEFAULT_SITE

        flags = "" if self.site.name == DEFAULT_SITE else f" --site {shlex.quote(self.site.name)}"
        return flags + ("" if self.owner == DEFAULT_OWNER else f" --owner {shlex.quote(self.owner)}")

    def run(
        self, work: Callable[[Any], Coroutine[Any, Any, T]], on_interrupt: Callable[[], NoReturn] | None = None
    ) -> T:
        from reconciler.api.client import ApiError
        from reconciler.reconcile import StalePlanError
        from reconciler.session import open_client

        async def main() -> T:
            # SIGINT and SIGTERM cancel the work: requests in flight end, results so far are kept.
            task = asyncio.current_task()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, _interrupt, task, sig)
            async with open_client(self.site, self.credentials, self.parallelism, _policy()) as client:
                return await work(client)

        try:
            return asyncio.run(main())
        except asyncio.CancelledError:
            if on_interrupt is not None:
                on_interrupt()
            _fail("Interrupted before finishing; run the command again.")
        except (ApiError, StalePlanError) as exc:
            _fail(self.credentials.redact(str(exc)))
        except OSError as exc:
            _fail(self.credentials.redact(f"cannot reach {self.site.name}: {exc}"))
        except RecursionError:
            _fail(f"a widget from {self.site.name} is nested too deeply to compare; nothing was applied")


def _policy() -> RetryPolicy:
    from reconciler.api.client import RetryPolicy

    meta = click.get_current_context().meta
    return RetryPolicy(timeout=meta.get("wac.timeout", 30.0), max_rate_wait=meta.get("wac.max_rate_wait", 60.0))


def _interrupt(task: asyncio.Task[Any] | None, sig: signal.Signals) -> None:
    click.echo(f"\n{sig.name}: stopping after the requests in flight…", err=True)
    if task is not None:
        task.cancel()


def _desired(paths: tuple[Path, ...] | tuple[str, ...]) -> list[DesiredWidget]:
    return _load(paths)[0]


def _load(paths: tuple[Path, ...] | tuple[str, ...]) -> tuple[list[DesiredWidget], PlanInputs]:
    """The manifests as desired widgets, and what a saved plan records of where they came from."""
    from reconciler.state import desired_from

    given = paths or DEFAULT_PATHS
    result = load_manifests(given)
    if result.problems:
        click.echo(format_problems(result.problems, "text"), err=True)
        _fail(f"{len(result.problems)} problem(s) in the manifests; nothing was sent to the API (see wac validate).")
    inputs = PlanInputs(tuple(str(p) for p in given), result.files)
    return [desired_from(m) for m in result.manifests], inputs


def _refuse_plan_errors(plan: Plan) -> None:
    if plan.errors:
        for error in plan.errors:
            click.echo(click.style("error: ", fg="red") + error, err=True)
        _fail(f"{len(plan.errors)} problem(s), named above, make this plan unfit to apply; nothing was applied.")


def _write_atomically(path: Path, text: str) -> None:
    from reconciler.output_files import OutputError, write_text

    try:
        write_text(path, text)
    except OutputError as exc:
        _fail(str(exc))


@main.command()
@_everywhere
@paths_argument
@site_option
@owner_option
@network_options
@click.option("--format", "output", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="Also save the JSON plan.")
@click.option("--detailed-exitcode", is_flag=True, help="Exit 2 when there are changes (0 none, 1 error).")
@target_option
def plan(
    paths: tuple[Path, ...],
    site: str | None,
    owner: str | None,
    output: str,
    out_file: Path | None,
    detailed_exitcode: bool,
    targets: tuple[str, ...],
) -> None:
    """Show what apply would change, widget by widget and field by field."""
    from reconciler.plan_file import plan_to_json
    from reconciler.reconcile import plan_run

    desired, inputs = _load(paths)
    run = _Run(site, owner)
    result = run.run(lambda client: plan_run(client, run.owner, desired, targets))
    if output == "json":
        click.echo(plan_to_json(result, run.site.name, inputs), nl=False)
    elif output == "markdown":
        click.echo(render_markdown(result, run.site.name))
    else:
        click.echo(render_text(result, _colour()), color=_colour())
    _refuse_plan_errors(result)
    if out_file is not None:
        _write_atomically(out_file, plan_to_json(result, run.site.name, inputs))
        click.echo(f"Plan saved to {out_file}; apply exactly it with: wac apply --plan {out_file}", err=True)
    if detailed_exitcode and result.has_changes:
        raise SystemExit(EXIT_CHANGES)


MAX_PLAN_BYTES = 64 * 1024 * 1024


def _verified_saved_plan(plan_file: Path, site: str | None, owner: str | None, parallelism: int) -> tuple[_Run, Plan]:
    """The saved plan's claim checked: same owner and site, same manifest files, and a fresh plan equal to it."""
    from reconciler.api.sites import SiteError, resolve_site
    from reconciler.plan_file import PlanFileError, plan_from_json
    from reconciler.reconcile import input_differences, verify_saved_plan
    from reconciler.session import SettingsError, explicit_owner, explicit_site

    try:
        if plan_file.stat().st_size > MAX_PLAN_BYTES:
            _fail(f"{plan_file}: {plan_file.stat().st_size:,} bytes is too large for a plan file")
        saved = plan_from_json(plan_file.read_text(encoding="utf-8"), str(plan_file))
        chosen_owner = explicit_owner(owner)
        given = explicit_site(site)
        chosen_site = resolve_site(given).name if given else None
    except (PlanFileError, SettingsError, SiteError, OSError, UnicodeDecodeError) as exc:
        _fail(str(exc))
    if chosen_owner is not None and chosen_owner != saved.plan.owner:
        _fail(
            f"{plan_file} was made for owner '{saved.plan.owner}', but owner '{chosen_owner}' is chosen (by --owner,"
            " WAC_OWNER or .wac.yaml); nothing was applied. Make a plan for that owner, or drop the setting."
        )
    if chosen_site is not None and chosen_site != saved.site:
        _fail(
            f"{plan_file} was made for site '{saved.site}', but site '{chosen_site}' is chosen (by --site,"
            " DD_SITE or .wac.yaml); nothing was applied. Make a plan for that site, or drop the setting."
        )
    outside = [p for p in saved.inputs.paths if Path(p).is_absolute() or ".." in Path(p).parts]
    if outside or not saved.inputs.paths:
        _fail(
            f"{plan_file} names manifest paths outside the working directory ({', '.join(outside) or 'none'});"
            " make and apply plans from the repository's root"
        )
    # The files are compared before they are validated: an edit since the plan is the news.
    changed = input_differences(saved.inputs, load_manifests(saved.inputs.paths).files)
    if changed:
        _fail(
            f"{plan_file} was made from other manifests than those on disk now ({'; '.join(changed[:5])}); nothing"
            " was applied. Run `wac plan --out FILE` again and review it."
        )
    desired, _ = _load(saved.inputs.paths)
    run = _Run(saved.site, saved.plan.owner, parallelism)
    return run, run.run(lambda client: verify_saved_plan(client, saved.plan, desired))


@main.command()
@_everywhere
@paths_argument
@site_option
@owner_option
@network_options
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
) -> None:
    """Make the remote widgets match the manifests (or a saved plan)."""
    from reconciler.guards import mass_delete_refusal
    from reconciler.planning import Action
    from reconciler.reconcile import apply_run, plan_run

    if plan_file is not None:
        if paths or targets:
            _fail("--plan applies a saved plan as it is; do not pass manifest paths or --target with it")
        run, the_plan = _verified_saved_plan(plan_file, site, owner, parallelism)
    else:
        desired = _desired(paths)
        run = _Run(site, owner, parallelism)
        the_plan = run.run(lambda client: plan_run(client, run.owner, desired, targets))
    _refuse_plan_errors(the_plan)

    click.echo(render_text(the_plan, _colour()), color=_colour())
    if not the_plan.has_changes:
        click.echo("Nothing to apply.")
        return
    refusal = None if allow_mass_delete else mass_delete_refusal(the_plan, delete_limit)
    if refusal:
        _fail(refusal)
    if dry_run:
        click.echo("Dry run: nothing was written.")
        if detailed_exitcode:
            raise SystemExit(EXIT_CHANGES)
        return
    if not auto_approve:
        if not sys.stdin.isatty():
            _fail("not applying without confirmation: no terminal to ask on; pass --auto-approve")
        counts = ", ".join(f"{the_plan.count(a)} {a.value}" for a in (Action.CREATE, Action.UPDATE, Action.DELETE))
        deletes = the_plan.count(Action.DELETE)
        warning = f" {deletes} widget(s) will be deleted." if deletes else ""
        click.confirm(
            f"Apply {len(the_plan.changes)} change(s) ({counts}) to site '{run.site.name}'?{warning}", abort=True
        )

    from reconciler.applying import ApplyReport, Outcome
    from reconciler.render.progress import ApplyProgress

    done: list[Outcome] = []

    def record(outcome: Outcome) -> None:
        done.append(outcome)
        progress.advance(outcome)

    def interrupted() -> NoReturn:
        partial = ApplyReport(tuple(done))
        made = (partial.count(a) for a in (Action.CREATE, Action.UPDATE, Action.DELETE))
        _fail(
            "Interrupted: {} created, {} updated, {} deleted before stopping; ".format(*made)
            + f"{len(the_plan.changes) - len(done)} change(s) not made. Run wac apply again to finish."
        )

    with ApplyProgress(len(the_plan.changes)) as progress:
        report = run.run(lambda client: apply_run(client, the_plan, record), on_interrupt=interrupted)
    created, updated, deleted = (report.count(a) for a in (Action.CREATE, Action.UPDATE, Action.DELETE))
    for failure in report.failed:
        change = failure.change
        click.echo(
            click.style("failed: ", fg="red") + f"{change.action.value} {change.experience_type}/"
            f"{change.manifest_id}: {run.credentials.redact(failure.detail)}",
            err=True,
        )
    click.echo(f"Apply complete: {created} created, {updated} updated, {deleted} deleted, {len(report.failed)} failed.")
    if report.failed:
        raise SystemExit(EXIT_ERROR)
    if detailed_exitcode:
        raise SystemExit(EXIT_CHANGES)


@main.command()
@_everywhere
@paths_argument
@site_option
@owner_option
@network_options
@click.option("--format", "output", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.option("--unmanaged", is_flag=True, help="Also report widgets no owner manages.")
def drift(paths: tuple[Path, ...], site: str | None, owner: str | None, output: str, unmanaged: bool) -> None:
    """Report what changed outside git (who, when, which fields); exit 2 on drift."""
    from reconciler.drift import drift_from, render_drift_json, render_drift_markdown, render_drift_text
    from reconciler.git_history import applied_contents
    from reconciler.planning import Reason
    from reconciler.reconcile import plan_run, unmanaged_widgets

    desired = _desired(paths)
    run = _Run(site, owner)

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


@main.command()
@_everywhere
@site_option
@owner_option
@network_options
@click.option(
    "--experience-type",
    "experience_types",
    multiple=True,
    type=click.Choice(["ccm_reports", "logs_reports", "csv_reports", "product_analytics"]),
    help="Only these experience types (repeatable; default all).",
)
@click.option(
    "--out", "out_dir", default="widgets", show_default=True, type=click.Path(file_okay=False, path_type=Path)
)
@click.option("--unmanaged-only", is_flag=True, help="Only widgets no owner manages yet.")
@click.option("--force", is_flag=True, help="Overwrite manifest files that already exist.")
def export(
    site: str | None,
    owner: str | None,
    experience_types: tuple[str, ...],
    out_dir: Path,
    unmanaged_only: bool,
    force: bool,
) -> None:
    """Write a manifest per remote widget, to adopt widgets made in the UI without recreating them."""
    from reconciler.api.listing import list_all
    from reconciler.export import export_manifests
    from reconciler.vocabulary import EXPERIENCE_TYPES

    run = _Run(site, owner)
    kinds = experience_types or EXPERIENCE_TYPES

    async def work(client: Any) -> Any:
        found = []
        for kind in kinds:
            widgets, _ = await list_all(client, kind)
            found.extend(widgets)
        return found

    widgets = run.run(work)
    if unmanaged_only:
        widgets = [w for w in widgets if not w.owners]
    result = export_manifests(widgets, run.owner, run.site.name)
    for note in result.skipped:
        click.echo(f"skipped: {note}", err=True)
    writable = [m for m in result.manifests if m.problem is None]
    unsafe = [m for m in result.manifests if m.problem is not None]
    existing = [out_dir / m.relative_path for m in writable if (out_dir / m.relative_path).exists()]
    if existing and not force:
        shown = ", ".join(str(p) for p in existing[:5]) + (" …" if len(existing) > 5 else "")
        _fail(
            f"{len(existing)} file(s) already exist ({shown}); nothing was written. Use --force to overwrite,"
            " or --out to export elsewhere."
        )
    for manifest in writable:
        _write_atomically(out_dir / manifest.relative_path, manifest.text)
        if manifest.dropped_tags:
            click.echo(
                f"{manifest.relative_path}: left out tags that are not valid Datadog tags:"
                f" {', '.join(manifest.dropped_tags)}",
                err=True,
            )
    exported = writable
    for manifest in unsafe:
        click.echo(
            click.style("not written: ", fg="red")
            + f"{out_dir / manifest.relative_path} (widget {manifest.uuid}): {manifest.problem}",
            err=True,
        )
    if unsafe:
        _fail(
            f"{len(unsafe)} widget(s) could not be exported as valid manifests (named above); the other"
            f" {len(writable)} were written to {out_dir}/."
        )
    click.echo(
        f"Exported {len(exported)} widget(s) to {out_dir}/. Next: wac validate {out_dir} &&"
        f" wac plan {out_dir}{run.flags} (adoptions only add the ownership tags)."
    )
