"""The `wac` command line: thin click commands over the core and the edges."""

from __future__ import annotations

import json
from pathlib import Path

import click

from reconciler import __version__
from reconciler.emulator.settings import EmulatorSettings, FaultRule, RateLimit, UserProfile
from reconciler.loading import load_manifests
from reconciler.manifest import manifest_json_schema
from reconciler.problems import format_problems

DEFAULT_PATHS = ("widgets",)
paths_argument = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="wac")
def main() -> None:
    """widgets-as-code: Datadog saved widgets from YAML in git — validate, plan, apply, drift."""


@main.command()
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
def schema() -> None:
    """Print the manifests' JSON Schema (for editors: see the README)."""
    click.echo(json.dumps(manifest_json_schema(), indent=2))


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
    from reconciler.emulator.server import serve

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
    click.echo(f"Widgets API emulator on http://{host}:{port} (state in {db}); Ctrl-C to stop.", err=True)
    serve(host, port, db, settings)
