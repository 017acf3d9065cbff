"""`wac emulator`: the local emulator of every registered API over HTTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from reconciler.backends.emulation.settings import EmulatorSettings, FaultRule, RateLimit
from reconciler.backends.registration import EmulatorOption
from reconciler.backends.registry import BACKENDS
from reconciler.cli.shell import (
    Command,
    everywhere,
    fail,
    with_kinds,
)


def _is_loopback_host(host: str) -> bool:
    import ipaddress

    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _loaded(option: EmulatorOption) -> Callable[[click.Context, click.Parameter, Path | None], object]:
    """Reads the option's file as its backend says, when given; a file it cannot use is a usage error."""

    def callback(_: click.Context, __: click.Parameter, path: Path | None) -> object:
        if path is None:
            return None
        try:
            return option.loader()(path)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint=option.flag) from None

    return callback


def _backend_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Each registered emulator's own options (one per flag, however many backends share it)."""
    options = {option.flag: option for b in BACKENDS for option in b.emulator.options}
    for option in reversed(options.values()):
        command = click.option(
            option.flag,
            option.name,
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            callback=_loaded(option),
            help=option.help,
        )(command)
    return command


@click.command(cls=Command, help=with_kinds("Serve the local emulator of every kind's API over HTTP (state in --db)."))
@everywhere
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=8126, show_default=True, type=click.IntRange(0, 65535))
@click.option("--db", default=".wac/emulator.sqlite3", show_default=True, help="SQLite file, or :memory:.")
@click.option(
    "--latency",
    default=0.0,
    type=click.FloatRange(min=0),
    help="Least seconds from each API request to its answer (a round trip).",
)
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
@_backend_options
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
    **loaded: object,
) -> None:
    """The command; `loaded` holds each backend option's value as its loader read it (its help is built above)."""
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
        options={name: value for name, value in loaded.items() if value is not None},
    )
    if not _is_loopback_host(host):
        click.echo(
            click.style("Warning: ", fg="yellow", bold=True) + f"--host {host} serves the emulator beyond this"
            " machine; it accepts any key and is meant for tests. Use 127.0.0.1 unless others must reach it.",
            err=True,
        )

    def ready(bound: int) -> None:
        shown = f"[{host}]" if ":" in host else host
        kinds = ", ".join(b.kind for b in BACKENDS)
        click.echo(f"Emulator on http://{shown}:{bound} for {kinds} (state in {db}); Ctrl-C to stop.", err=True)

    try:
        serve(host, port, db, settings, on_ready=ready)
    except ServeError as exc:
        fail(str(exc))
