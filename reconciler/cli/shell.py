"""The command line's shell: the group, options every command shares, errors and colour."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NoReturn

import click

from reconciler import __version__
from reconciler.backends.policy import DEFAULT_MAX_RESPONSE_MB, DEFAULT_PARALLELISM

DEFAULT_PATHS = ("widgets",)
paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


EXIT_OK, EXIT_ERROR, EXIT_CHANGES = 0, 1, 2


class _UsageExitsOne:
    """Usage errors exit 1, like every other error: 2 means changes or drift, and a typo is neither. A
    Terraform habit (`-out`, `-auto-approve`) is told the `--` form."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra: Any
    ) -> click.Context:
        given = list(args)  # click's parser consumes the list it is given
        try:
            return super().make_context(info_name, args, parent, **extra)  # type: ignore[misc, no-any-return]
        except click.NoSuchOption as exc:
            hinted = _single_dash_hint(self, exc, given)  # type: ignore[arg-type]
            (hinted or exc).exit_code = EXIT_ERROR  # type: ignore[misc]
            if hinted is None:
                raise
            raise hinted from None
        except click.UsageError as exc:
            exc.exit_code = EXIT_ERROR  # type: ignore[misc]
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)  # type: ignore[misc]
        except click.UsageError as exc:
            exc.exit_code = EXIT_ERROR  # type: ignore[misc]
            raise


def _single_dash_hint(command: click.Command, exc: click.NoSuchOption, args: list[str]) -> click.NoSuchOption | None:
    """The error naming the `--` form, when the unknown option came from a single-dash word (`-out`, read by
    click as `-o` `-u` `-t`) that is one of the command's long options; None otherwise."""
    if exc.option_name.startswith("--"):
        return None
    params = command.get_params(exc.ctx) if exc.ctx is not None else command.params
    names = {name for param in params for name in (*param.opts, *param.secondary_opts) if name.startswith("--")}
    for arg in args:
        if arg == "--":
            break
        word = arg.partition("=")[0]
        # The word click choked on holds the letter it named (`-help` fails at `-e`, `-h` being an option).
        if arg.startswith("-") and len(word) > 2 and exc.option_name[1:] in word and f"-{word}" in names:
            return click.NoSuchOption(
                word, message=f"No such option: {word} (wac uses -{word}, not {word})", ctx=exc.ctx
            )
    return None


class Command(_UsageExitsOne, click.Command):
    """A command that runs at the repository's root (`cli/project.py`), whichever folder inside it it was run from."""

    at_project_root = True

    def invoke(self, ctx: click.Context) -> Any:
        if self.at_project_root:
            from reconciler.cli.project import at_root

            ctx.params = at_root(ctx.params)
        return super().invoke(ctx)


class HereCommand(Command):
    """A command about the folder it is run in (`wac init` makes a repository there)."""

    at_project_root = False


class Group(_UsageExitsOne, click.Group):
    """The `wac` group; its commands are imported when named (`module:attr` each), so `wac --version` or one
    command never pays for every other command's imports."""

    command_class = Command
    lazy_commands: dict[str, str] = {}  # noqa: RUF012 - set once, by reconciler.cli

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = super().get_command(ctx, cmd_name)
        if found is None and cmd_name in self.lazy_commands:
            import importlib

            module, _, attribute = self.lazy_commands[cmd_name].partition(":")
            found = getattr(importlib.import_module(module), attribute)
            assert isinstance(found, click.Command)
            self.add_command(found, cmd_name)
        return found


def _set_debug(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    if value:
        from reconciler.cli.logs import configure_logging

        ctx.meta["wac.debug"] = True  # shared with the subcommand's context
        configure_logging(debug=True)


def _set_debug_http(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    if value:
        from reconciler.cli.logs import configure_logging

        ctx.meta["wac.debug"] = ctx.meta["wac.debug_http"] = True
        configure_logging(debug=True, http=True)


def _set_no_color(ctx: click.Context, _: click.Parameter, value: bool) -> None:
    if value:
        ctx.meta["wac.plain"] = True


def _set_environment(ctx: click.Context, _: click.Parameter, value: str | None) -> None:
    if value:
        # Every setting read later in this run (site, owner, values, manifests) is the environment's.
        ctx.find_root().meta["wac.env"] = value


def everywhere(command: Callable[..., Any]) -> Callable[..., Any]:
    """Options that work before or after the subcommand's name."""
    command = click.option(
        "--env",
        envvar="WAC_ENV",
        expose_value=False,
        is_eager=True,
        callback=_set_environment,
        metavar="NAME",
        help="Run for this environment of `environments:` in .wac.yaml (its site, owner, values, manifests);"
        " else $WAC_ENV.",
    )(command)
    command = click.option(
        "--debug",
        is_flag=True,
        expose_value=False,
        callback=_set_debug,
        help="Log each request (method, path, status, time, retry) and each retry to stderr (keys are scrubbed).",
    )(command)
    # A flag of its own, not `--debug=http`: click would read an optional value from the next word
    # (`wac --debug plan` would set debug to "plan").
    command = click.option(
        "--debug-http",
        is_flag=True,
        expose_value=False,
        callback=_set_debug_http,
        help="--debug, and httpx's own lines for each request (connections, headers; keys are scrubbed).",
    )(command)
    return click.option(
        "--no-color",
        is_flag=True,
        expose_value=False,
        callback=_set_no_color,
        help="Plain output without colour (also NO_COLOR or TERM=dumb).",
    )(command)


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


def _known_kinds(_: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    from reconciler.backends.registry import BY_KIND

    unknown = [kind for kind in value if kind not in BY_KIND]
    if unknown:
        raise click.BadParameter(f"'{unknown[0]}' is not a kind; use one of {', '.join(BY_KIND)}", param=param)
    return tuple(dict.fromkeys(value))


def _complete_kinds(_: click.Context, __: click.Parameter, incomplete: str) -> list[str]:
    from reconciler.backends.registry import BY_KIND

    return [kind for kind in BY_KIND if kind.startswith(incomplete)]


kind_option = click.option(
    "--kind",
    "kinds",
    multiple=True,
    metavar="KIND",
    callback=_known_kinds,
    shell_complete=_complete_kinds,
    help="Limit the run to manifests and remote resources of this kind (repeatable), e.g. datadog/widget.",
)


def _complete_ids(ctx: click.Context, _: click.Parameter, incomplete: str) -> list[str]:
    """The manifest ids under the paths typed so far (else widgets/), read offline, never sent anywhere."""
    try:
        from reconciler.manifests.loading import load_manifests

        # The `--target` still waiting for this value stops click's parsing: the paths typed before it are
        # then left unparsed, in `ctx.args`.
        typed = ctx.params.get("paths") or tuple(arg for arg in ctx.args if not arg.startswith("-"))
        found = load_manifests(typed or DEFAULT_PATHS).manifests
        ids = {loaded.manifest.id for loaded in found}
    except Exception:  # whatever the files hold, a shell completing a word must never get a traceback
        return []
    return sorted(manifest_id for manifest_id in ids if manifest_id.startswith(incomplete))


target_option = click.option(
    "--target",
    "targets",
    multiple=True,
    metavar="ID",
    shell_complete=_complete_ids,
    help="Only these manifest ids, scope/id as a plan prints them, or KIND/ID as a reference names them (repeatable).",
)


def _remember(key: str) -> Callable[[click.Context, click.Parameter, Any], None]:
    def callback(ctx: click.Context, _: click.Parameter, value: Any) -> None:
        ctx.meta[key] = value

    return callback


def network_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """How long to wait for the API, per request and for a rate limit's window, and how much of an answer to read."""
    command = click.option(
        "--timeout",
        default=30.0,
        show_default=True,
        type=click.FloatRange(0.1, 600),
        expose_value=False,
        callback=_remember("wac.timeout"),
        help="Seconds to wait for one answer; a server that never answers ends the run within 2 minutes.",
    )(command)
    command = click.option(
        "--max-response-mb",
        default=DEFAULT_MAX_RESPONSE_MB,
        show_default=True,
        type=click.IntRange(1, 4096),
        expose_value=False,
        callback=_remember("wac.max_response_mb"),
        help="Largest answer to read, in MiB; a larger one ends the run with a message.",
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


def _override(variable: str) -> Callable[[click.Context, click.Parameter, str | None], None]:
    """Remembers a backend's flag as the environment variable it overrides (harness reads `wac.environ`)."""

    def callback(ctx: click.Context, _: click.Parameter, value: str | None) -> None:
        if value:
            ctx.meta.setdefault("wac.environ", {})[variable] = value

    return callback


def backend_flags(command: Callable[..., Any]) -> Callable[..., Any]:
    """Every registered backend's connection flags (`--spaceone-endpoint`), each winning over its variable."""
    from reconciler.backends.registry import BACKENDS

    flags = {flag.flag: flag for backend in BACKENDS for flag in backend.flags}
    for flag in reversed(flags.values()):
        command = click.option(flag.flag, expose_value=False, callback=_override(flag.variable), help=flag.help)(
            command
        )
    return command


def connection_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Where a command connects and as whom: --site, --owner, each backend's flags, --timeout, --max-rate-wait."""
    return site_option(owner_option(backend_flags(network_options(command))))


parallelism_option = click.option(
    "--parallelism",
    default=DEFAULT_PARALLELISM,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Requests in flight at most.",
)


def fail(message: str) -> NoReturn:
    click.echo(click.style("Error: ", fg="red", bold=True) + message, err=True)
    raise SystemExit(EXIT_ERROR)


def echo_lines(lines: Iterable[str], color: bool) -> None:
    """Lines printed a thousand at a time: a long plan is never held whole as one string."""
    chunk: list[str] = []
    for line in lines:
        chunk.append(line)
        if len(chunk) >= 1000:
            click.echo("\n".join(chunk), color=color)
            chunk = []
    if chunk:
        click.echo("\n".join(chunk), color=color)


def colour() -> bool:
    ctx = click.get_current_context(silent=True)
    plain = ctx is not None and bool(ctx.meta.get("wac.plain"))
    if plain or "NO_COLOR" in os.environ or os.environ.get("TERM") == "dumb":
        return False
    return sys.stdout is not None and sys.stdout.isatty()


def with_kinds(about: str) -> str:
    """A command's help followed by every registered kind, one a line (never wrapped: a kind stays whole)."""
    from reconciler.backends.registry import BACKENDS

    width = max(len(b.kind) for b in BACKENDS)
    kinds = "\n".join(f"  {b.kind.ljust(width)}  {b.title}" for b in BACKENDS)
    return f"{about}\n\n\b\nKinds:\n{kinds}"


@click.group(
    cls=Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    help=with_kinds("widgets-as-code: widgets and dashboards from YAML in git — validate, plan, apply, drift."),
)
@click.version_option(__version__, prog_name="wac")
@everywhere
def main() -> None:
    """Every command starts here: output guarded and logging set before anything is printed."""
    from reconciler.cli.logs import configure_logging
    from reconciler.cli.output_guard import install

    # Before anything is printed or logged: whatever streams are current (a test runner's too) get the guard.
    install()
    configure_logging(debug=bool(click.get_current_context().meta.get("wac.debug")))
    if sys.stdout is None:
        # Started with standard output closed: a plan printed nowhere would look like no plan.
        fail("standard output is closed, so there is nowhere to print; run again with it open (or >/dev/null)")
