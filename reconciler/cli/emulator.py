"""`wac emulator`: the local Widgets API over HTTP."""

from __future__ import annotations

import json
from pathlib import Path

import click

from reconciler.backends.datadog_widgets.emulator.settings import EmulatorSettings, FaultRule, RateLimit, UserProfile
from reconciler.backends.spaceone_widgets.emulator.settings import Caller, SpaceOneSettings
from reconciler.cli.shell import (
    Command,
    everywhere,
    fail,
)


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


def _load_tokens(path: Path | None) -> SpaceOneSettings:
    if path is None:
        return SpaceOneSettings()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        tokens = {token: Caller(str(v["user_id"]), str(v["domain_id"])) for token, v in raw.items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise click.BadParameter(
            f'{path}: expected a JSON object mapping tokens to {{"user_id": ..., "domain_id": ...}}'
            f" ({type(exc).__name__})",
            param_hint="--spaceone-tokens",
        ) from None
    return SpaceOneSettings(tokens=tokens)


@click.command(cls=Command)
@everywhere
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
@click.option(
    "--spaceone-tokens",
    "tokens_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON file naming the SpaceONE user and domain of each token (else any token, any domain).",
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
    tokens_file: Path | None,
) -> None:
    """Serve the local emulator of every API over HTTP: Datadog widgets and SpaceONE custom widgets."""
    from reconciler.backends.emulator_server import ServeError, serve

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
        click.echo(
            f"Emulator on http://{shown}:{bound} — Datadog /api/v2/widgets, SpaceONE /dashboard/v1/custom-widget"
            f" (state in {db}); Ctrl-C to stop.",
            err=True,
        )

    try:
        serve(host, port, db, settings, on_ready=ready, spaceone=_load_tokens(tokens_file))
    except ServeError as exc:
        fail(str(exc))
