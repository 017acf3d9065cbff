"""`wac init`: a new widgets repository in one command: settings, examples, schema, workflows, README."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Final

import click

from reconciler.backends.registry import BY_KIND, DEFAULT_KIND
from reconciler.cli.harness import write_file
from reconciler.cli.shell import Command, everywhere, fail

if TYPE_CHECKING:
    from reconciler.scaffold import ScaffoldFile

# Beyond what a site must be to resolve: nothing a workflow or README could read as syntax.
_PLAIN_SITE: Final = re.compile(r"^[A-Za-z0-9.\-:/\[\]]{1,200}$")


def _kinds() -> list[str]:
    return list(BY_KIND)


def _examples(kinds: Iterable[str]) -> list[tuple[str, str]]:
    """Each kind's example manifest, as its registration names it: the template and where it is written."""
    chosen = [BY_KIND[kind].example for kind in dict.fromkeys(kinds)]
    return [(example.template, example.path) for example in chosen if example is not None]


@click.command(cls=Command)
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
def init(
    directory: Path, owner: str | None, site: str | None, kinds: tuple[str, ...], from_remote: bool, action: str | None
) -> None:
    """Start a widgets repository: .wac.yaml, examples (or --from-remote: an export), schema, workflows, README.

    Existing files are never overwritten; each one kept is named.
    """
    from reconciler.backends.registry import manifests_json_schema
    from reconciler.scaffold import DEFAULT_ACTION, scaffold

    asking = _on_a_terminal()
    owner = _checked_owner(owner or _asked(asking, "Owner (one per repository)", "default"))
    site = _checked_site(site or _asked(asking, "Datadog site, `local` or an emulator URL", "datadoghq.com"))
    kinds = kinds or _asked_kinds(asking)
    chosen_action = _checked_action(action or DEFAULT_ACTION)
    schema = _json(manifests_json_schema())
    files = scaffold(owner, site, kinds, schema, chosen_action, examples=() if from_remote else _examples(kinds))
    touched = [file.path for file in files] + (_existing_under(directory, "widgets") if from_remote else [])
    _refuse_links(directory, touched)
    written = _written(directory, files)
    click.echo(f"Wrote {len(written)} file(s) in {directory}/: {', '.join(written) or 'none'}.")
    if from_remote:
        from reconciler.cli.export import export_to

        export_to(site, owner, {}, directory / "widgets", unmanaged_only=False, force=False, kinds=kinds)
    where = "" if directory == Path(".") else f"cd {directory} && "
    click.echo(
        f"Next: {where}wac validate && wac plan && wac apply. Add the secrets DD_API_KEY and DD_APP_KEY to the"
        " repository for its workflows."
    )


def _asked_kinds(asking: bool) -> tuple[str, ...]:
    """The kinds asked for on a terminal (each checked), else the default kind alone."""
    if not asking:
        return (DEFAULT_KIND,)
    answer = click.prompt(f"Kinds, comma separated ({', '.join(_kinds())})", default=DEFAULT_KIND)
    kinds = tuple(k.strip() for k in answer.split(",") if k.strip())
    unknown = [k for k in kinds if k not in _kinds()]
    if unknown:
        fail(f"'{unknown[0]}' is not a kind; use one of {', '.join(_kinds())}")
    return kinds or (DEFAULT_KIND,)


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


def _asked(asking: bool, question: str, default: str) -> str:
    return str(click.prompt(question, default=default)) if asking else default


def _json(schema: object) -> str:
    import json

    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _checked_owner(owner: str) -> str:
    from reconciler.core.identity import owner_problem

    problem = owner_problem(owner)
    if problem:
        fail(f"--owner: {problem}")
    return owner


def _checked_site(site: str) -> str:
    from reconciler.backends.sites import SiteError, resolve_site

    try:
        resolve_site(site)
    except SiteError as exc:
        fail(f"--site: {exc}")
    if not _PLAIN_SITE.fullmatch(site.strip()):
        fail(f"--site: '{site[:80]}' holds characters a site name or URL does not need")
    return site.strip()


_ACTION: Final = re.compile(
    r"^(\./[A-Za-z0-9._/-]*|\.|[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+(/[A-Za-z0-9_./-]+)?@[A-Za-z0-9_.\-/]+)$"
)


def _checked_action(action: str) -> str:
    if not _ACTION.fullmatch(action):
        fail(f"--action: '{action[:80]}' is not a GitHub Action reference like OWNER/REPO@REF or ./")
    return action
