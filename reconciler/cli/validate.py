"""`wac validate`: every problem in every manifest, offline."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from reconciler.cli.harness import manifests_for_run
from reconciler.cli.shell import (
    DEFAULT_PATHS,
    Command,
    everywhere,
    fail,
    paths_argument,
)
from reconciler.core.problems import Problem
from reconciler.manifests.loading import LoadResult, load_manifests
from reconciler.render.problems import format_problems


@click.command(cls=Command)
@everywhere
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
    result = _every_environment(paths)
    result = replace(result, problems=tuple(sorted({*result.problems, *_forgotten_but_kept(result)})))
    if output == "github" and result.problems:
        from reconciler.cli.output_guard import print_annotations

        # The one place wac prints workflow commands on purpose; the guard lets only these through.
        print_annotations(format_problems(result.problems, "github"))
    elif output == "json" or result.problems:
        click.echo(format_problems(result.problems, output))  # type: ignore[arg-type]
    if result.problems:
        click.echo(f"{len(result.problems)} problem(s) found; nothing was sent to the API.", err=True)
        raise SystemExit(1)
    click.echo(f"{len(result.manifests)} manifest(s) valid.", err=True)


def _forgotten_but_kept(result: LoadResult) -> list[Problem]:
    """A manifest that `forget:` in .wac.yaml lets go: plan would refuse it; said here, at the manifest."""
    from reconciler.cli.harness import forgotten

    forget = set(forgotten())
    return [
        Problem(
            m.file,
            m.id_line,
            m.id_column,
            f"forget: in .wac.yaml lets {m.manifest.kind}/{m.manifest.id} go, but this manifest still defines it;"
            " remove the manifest to let it go, or the entry to keep managing it",
        )
        for m in result.manifests
        if f"{m.manifest.kind}/{m.manifest.id}" in forget
    ]


def _every_environment(paths: tuple[Path, ...]) -> LoadResult:
    """The manifests as the chosen environment sees them or, with none chosen, as each environment `.wac.yaml`
    names does (every problem once); without environments, as written."""
    from reconciler.cli.settings import SettingsError, environment_name, environment_names, read_environment

    try:
        names = () if environment_name() else environment_names()
        if not names:
            return manifests_for_run(paths)[1]
        results = {}
        for name in names:
            environment = read_environment(name=name)
            assert environment is not None
            given = paths or environment.paths or DEFAULT_PATHS
            results[name] = load_manifests(given, environment.values, environment.name, names)
    except SettingsError as exc:
        fail(str(exc))
    # A problem every environment has is said once; one only some have names them.
    seen: dict[Problem, list[str]] = {}
    for name, result in results.items():
        for problem in result.problems:
            seen.setdefault(problem, []).append(name)
    problems = [
        p if len(found) == len(names) else replace(p, message=f"{p.message} (environment {', '.join(found)})")
        for p, found in seen.items()
    ]
    return LoadResult(tuple(m for r in results.values() for m in r.manifests), tuple(sorted(problems)))
