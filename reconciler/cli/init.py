"""`wac init`: a new widgets repository in one command: settings, examples, schema, workflows, README."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Final

import click

from reconciler.backends.registry import BY_KIND, DEFAULT_KIND
from reconciler.cli.harness import write_file
from reconciler.cli.shell import HereCommand, everywhere, fail

if TYPE_CHECKING:
    from reconciler.scaffold import ScaffoldFile

# Beyond what a site must be to resolve: nothing a workflow or README could read as syntax.
_PLAIN_SITE: Final = re.compile(r"^[A-Za-z0-9.\-:/\[\]]{1,200}$")

Problem = Callable[[str], str | None]
"""What is wrong with a value given or typed, or None."""


def _kinds() -> list[str]:
    return list(BY_KIND)


def _examples(kinds: Iterable[str]) -> list[tuple[str, str]]:
    """Each kind's example manifest, as its registration names it: the template and where it is written."""
    chosen = [BY_KIND[kind].example for kind in dict.fromkeys(kinds)]
    return [(example.template, example.path) for example in chosen if example is not None]


_ENVIRONMENT_NAME: Final = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


def _environment_names(_: click.Context, param: click.Parameter, value: tuple[str, ...]) -> tuple[str, ...]:
    # A name lands in YAML keys, workflow matrices and labels: lower-case letters, digits, - and _ only.
    bad = next((name for name in value if not _ENVIRONMENT_NAME.match(name)), None)
    if bad is not None:
        raise click.BadParameter(f"'{bad[:40]}' is not an environment name; use a-z, 0-9, - and _", param=param)
    return tuple(dict.fromkeys(value))


@click.command(cls=HereCommand)
@everywhere
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--owner", help="The owner wac marks this repository's resources with (asked on a terminal).")
@click.option("--site", help="A Datadog site, `local`, or an emulator URL (asked on a terminal).")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice(_kinds()),
    help=f"Write an example manifest of this kind (repeatable; asked on a terminal, else {DEFAULT_KIND}).",
)
@click.option("--from-remote", is_flag=True, help="Export the site's existing resources into widgets/ to adopt them.")
@click.option(
    "--action",
    metavar="OWNER/REPO@REF",
    help="The widgets-as-code GitHub Action the workflows use (default: this version's release).",
)
@click.option(
    "--environment",
    "environments",
    multiple=True,
    metavar="NAME",
    callback=_environment_names,
    help="An environment (repeatable): .wac.yaml names each, and every workflow runs once per environment.",
)
@click.option(
    "--drift",
    "drift_mode",
    type=click.Choice(["revert", "pull"]),
    default="revert",
    show_default=True,
    help="What the drift workflow does with edits made outside git: report them in an issue (the next apply"
    " reverts them), or also open a pull request that keeps them (wac pull).",
)
def init(
    directory: Path,
    owner: str | None,
    site: str | None,
    kinds: tuple[str, ...],
    from_remote: bool,
    action: str | None,
    environments: tuple[str, ...],
    drift_mode: str,
) -> None:
    """Start a widgets repository: .wac.yaml, examples (or --from-remote: an export), schema, workflows, README.

    Existing files are never overwritten; each one kept is named.
    """
    from reconciler.scaffold import DEFAULT_ACTION, scaffold, template

    asking = _on_a_terminal()
    owner = _answer(owner, asking, ("--owner", "Owner (one per repository)", "default"), _owner_problem)
    site = _answer(
        site, asking, ("--site", "Datadog site, `local` or an emulator URL", "datadoghq.com"), _site_problem
    ).strip()
    kinds = kinds or _asked_kinds(asking)
    chosen_action = _checked_action(action or DEFAULT_ACTION)
    schema = template("manifest.schema.json")  # what `wac schema` prints
    examples = () if from_remote else _examples(kinds)
    files = scaffold(
        owner, site, kinds, schema, chosen_action, examples=examples, environments=environments, drift=drift_mode
    )
    touched = [file.path for file in files] + (_existing_under(directory, "widgets") if from_remote else [])
    _refuse_links(directory, touched)
    written = _written(directory, files)
    click.echo(f"Wrote {len(written)} file(s) in {directory}/: {', '.join(written) or 'none'}.")
    _warn_of_an_emulator(site)
    if from_remote:
        from reconciler.cli.export import export_to

        export_to(site, owner, {}, directory / "widgets", unmanaged_only=False, force=False, kinds=kinds)
    where = "" if directory == Path(".") else f"cd {directory} && "
    click.echo(f"Next: {where}wac validate && wac plan && wac apply.{_settings_needed(site, kinds, files)}")


def _asked_kinds(asking: bool) -> tuple[str, ...]:
    """The kinds asked for on a terminal (asked again until each is a kind), else the default kind alone."""
    if not asking:
        return (DEFAULT_KIND,)
    answer = click.prompt(
        f"Kinds, comma separated ({', '.join(_kinds())})", default=DEFAULT_KIND, value_proc=_kinds_answer
    )
    return tuple(answer)


def _kinds_answer(answer: str) -> tuple[str, ...]:
    kinds = tuple(dict.fromkeys(k.strip() for k in answer.split(",") if k.strip()))
    unknown = [k for k in kinds if k not in _kinds()]
    if unknown:
        # click.prompt prints this as "Error: …" and asks again.
        raise click.BadParameter(f"'{unknown[0]}' is not a kind; use one of {', '.join(_kinds())}")
    return kinds or (DEFAULT_KIND,)


def _answer(given: str | None, asking: bool, question: tuple[str, str, str], problem: Problem) -> str:
    """The flag's value, else on a terminal the answer (asked again until `problem` finds none), else the
    default; a bad flag ends the run naming it. `question`: the flag, the question and the default."""
    flag, text, default = question
    if given or not asking:
        value = given or default
        found = problem(value)
        if found:
            fail(f"{flag}: {found}")
        return value

    def until_valid(answer: str) -> str:
        found = problem(answer)
        if found:
            # click.prompt prints this as "Error: …" and asks again: a typo does not end the run.
            raise click.BadParameter(found)
        return answer

    return str(click.prompt(text, default=default, value_proc=until_valid))


def _warn_of_an_emulator(site: str) -> None:
    from reconciler.backends.sites import resolve_site

    if resolve_site(site).is_emulator:
        click.echo(
            f"warning: --site {site} is an emulator, so the workflows written run wac against an emulator, not"
            " against"
            " Datadog; for workflows that manage your Datadog resources, run wac init with --site datadoghq.com"
            " (or your site)",
            err=True,
        )


def _settings_needed(site: str, kinds: Iterable[str], files: Iterable[ScaffoldFile]) -> str:
    """The secrets (and variables) the workflows read for these kinds, as a sentence to add them; nothing for
    the embedded emulator, which needs no key."""
    from reconciler.backends.sites import resolve_site

    if resolve_site(site).is_local:
        return ""
    workflows = "".join(file.text for file in files if file.path.startswith(".github/workflows/"))
    read = [v for kind in dict.fromkeys(kinds) for v in BY_KIND[kind].variables]

    def used(prefix: str, secret: bool) -> list[str]:
        # Only what the workflows pass on: a key read under a second name too is asked for once, by theirs.
        names = dict.fromkeys(v.name for v in read if v.secret == secret)
        return [n for n in names if re.search(rf"\b{prefix}\.{re.escape(n)}\b", workflows)]

    secrets, variables = used("secrets", True), used("vars", False)
    wanted = [
        f"the {what} {_listed(names)}" for what, names in (("secrets", secrets), ("variables", variables)) if names
    ]
    joined = ", and ".join(wanted) + ("," if len(wanted) > 1 else "")
    return f" Add {joined} to the repository for its workflows." if wanted else ""


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _written(directory: Path, files: Iterable[ScaffoldFile]) -> list[str]:
    """Writes each file that does not exist yet, naming each one kept; the paths written."""
    written, kept = [], []
    for file in files:
        target = directory / file.path
        if target.exists():
            kept.append(file.path)
            continue
        write_file(target, file.text)
        written.append(file.path)
    for path in kept:
        click.echo(f"skipped {directory / path}: it exists and was left as it is", err=True)
    return written


def _refuse_links(directory: Path, paths: Iterable[str]) -> None:
    from reconciler.cli.output_files import link_problem

    problem = link_problem(directory, paths, "wac init")
    if problem:
        fail(problem)


def _existing_under(directory: Path, folder: str) -> list[str]:
    """Every path already under `directory/folder` (links not followed): where an export may write."""
    if (directory / folder).is_symlink():
        return [folder]  # refused as it is, without walking where it points
    found = []
    for root, folders, names in os.walk(directory / folder):
        found += [str(Path(root, name).relative_to(directory)) for name in (*folders, *names)]
    return found


def _on_a_terminal() -> bool:
    return sys.stdin.isatty()


def _owner_problem(owner: str) -> str | None:
    from reconciler.core.identity import owner_problem

    return owner_problem(owner)


def _site_problem(site: str) -> str | None:
    from reconciler.backends.sites import SiteError, resolve_site

    try:
        resolve_site(site)
    except SiteError as exc:
        return str(exc)
    if not _PLAIN_SITE.fullmatch(site.strip()):
        return f"'{site[:80]}' holds characters a site name or URL does not need"
    return None


_ACTION: Final = re.compile(
    r"^(\./[A-Za-z0-9._/-]*|\.|[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_./-]+)?@[A-Za-z0-9_.\-/]+)$"
)


def _checked_action(action: str) -> str:
    if not _ACTION.fullmatch(action):
        fail(f"--action: '{action[:80]}' is not a GitHub Action reference like OWNER/REPO@REF or ./")
    return action
