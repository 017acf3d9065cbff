"""What every command that talks to an API shares: site, owner and keys, the run with its signals, and files."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from reconciler.backends.policy import DEFAULT_PARALLELISM
from reconciler.cli.shell import DEFAULT_PATHS, fail
from reconciler.core.plan_file import PlanInputs
from reconciler.core.planning import Plan
from reconciler.core.problems import Problem
from reconciler.core.redaction import redact
from reconciler.core.resources import Desired
from reconciler.render.problems import format_problems

if TYPE_CHECKING:
    from reconciler.backends.connection import Connected
    from reconciler.backends.policy import RetryPolicy
    from reconciler.backends.sites import Site
    from reconciler.engine.runs import Backends
    from reconciler.manifests.loading import LoadResult


T = TypeVar("T")


class Run:
    """What every remote command needs: site, owner, its backends connected; and one place that keeps
    every secret out of errors."""

    def __init__(
        self,
        site_name: str | None,
        owner: str | None,
        parallelism: int = DEFAULT_PARALLELISM,
        kinds: Iterable[str] = (),
        cached: bool = False,
        every_kind: bool = False,
    ) -> None:
        """`cached`: the run may keep and use a cache of what it read (plan and drift; never apply).
        `every_kind`: read every kind whose settings are usable (export), naming in `unreachable` why not."""
        from reconciler.backends.sites import SiteError, resolve_site
        from reconciler.cli.settings import (
            DEFAULT_SITE,
            SettingsError,
            cache_folder,
            explicit_site,
            read_config,
            resolve_owner,
        )

        try:
            self.site = resolve_site(explicit_site(site_name) or DEFAULT_SITE)
            self.owner = resolve_owner(owner)
            folder = cache_folder() if cached else None
            config = read_config()
            reach = _Reach(tuple(kinds), every_kind)
            self.connected, self.skipped = _connected(self.site, config, parallelism, reach, folder)
            self.unreachable = reach.problems
            # The repository said which kinds it manages: the others are skipped on purpose.
            self.kinds_listed = "kinds" in config
            self.listed_kinds = tuple(config.get("kinds", "").split())
        except (SiteError, SettingsError) as exc:
            fail(str(exc))
        self.secrets = tuple(secret for c in self.connected.values() for secret in c.secrets)

    def redact(self, text: str) -> str:
        """The text with every backend's secrets replaced, in any form, and control characters escaped: what
        an error says may quote the server, and stays one line of text."""
        from reconciler.backends.registry import SECRET_PATTERNS
        from reconciler.render.common import printable

        return printable(redact(text, self.secrets, SECRET_PATTERNS))

    @property
    def flags(self) -> str:
        """`--site` and `--owner` as a printed next step needs them to reach the same widgets."""
        import shlex

        from reconciler.cli.settings import DEFAULT_OWNER, DEFAULT_SITE

        flags = "" if self.site.name == DEFAULT_SITE else f" --site {shlex.quote(self.site.name)}"
        return flags + ("" if self.owner == DEFAULT_OWNER else f" --owner {shlex.quote(self.owner)}")

    def run(
        self, work: Callable[[Backends], Coroutine[Any, Any, T]], on_interrupt: Callable[[], NoReturn] | None = None
    ) -> T:
        from reconciler.core.backend import BackendError
        from reconciler.engine.runs import StalePlanError

        async def main() -> T:
            # SIGINT and SIGTERM cancel the work: requests in flight end, results so far are kept.
            task = asyncio.current_task()
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, _interrupt, task, sig)
            async with AsyncExitStack() as stack:
                backends = {kind: await stack.enter_async_context(c.open()) for kind, c in self.connected.items()}
                return await work(backends)

        try:
            return asyncio.run(main())
        except asyncio.CancelledError:
            if on_interrupt is not None:
                on_interrupt()
            fail("Interrupted before finishing; run the command again.")
        except (BackendError, StalePlanError) as exc:
            fail(self.redact(str(exc)))
        except OSError as exc:
            fail(self.redact(f"cannot reach {self.site.name}: {exc}"))
        except RecursionError:
            fail(f"a widget from {self.site.name} is nested too deeply to compare; nothing was applied")


class _Reach:
    """Which kinds a run must read (`kinds`, whose settings must all be usable), whether it reads every other
    it can too, and why each other kind could not be read."""

    def __init__(self, kinds: tuple[str, ...], every: bool) -> None:
        self.kinds = kinds
        self.every = every
        self.problems: dict[str, str] = {}


def _connected(
    site: Site, config: Mapping[str, str], parallelism: int, reach: _Reach, cache: Path | None
) -> tuple[dict[str, Connected], tuple[str, ...]]:
    """The backends a run reads, and the kinds it could read but skips: the `kinds` it needs (whose settings
    must all be usable), and any other the user configured, so removing a kind's last manifest still plans
    its deletes.

    A run needs the kinds its manifests use, `kinds:` in .wac.yaml lists, or `--kind` names. A backend that
    would only reach the emulator by default is not read for nothing.
    """
    from reconciler.backends.connection import Connection, SettingsError, SettingsMissing
    from reconciler.backends.registry import BACKENDS

    # A backend's flag (remembered by the shell as the variable it stands for) wins over the variable.
    environ = {**os.environ, **click.get_current_context().meta.get("wac.environ", {})}
    connection = Connection(site, environ, config, parallelism, retry_policy(), cache)
    connected: dict[str, Connected] = {}
    skipped: list[str] = []
    problems: list[SettingsError] = []
    for registration in BACKENDS:
        try:
            ready = registration.connector()(connection)
        except SettingsError as exc:
            # A kind asked for, or one set up wrongly where every kind is read, is the user's to fix.
            if registration.kind in reach.kinds or (reach.every and not isinstance(exc, SettingsMissing)):
                raise
            problems.append(exc)
            reach.problems[registration.kind] = str(exc)
            continue
        # A kind set up (its keys given) but left out of `kinds:` is skipped: the repository said what it manages.
        configured = ready.configured and "kinds" not in config
        if registration.kind in reach.kinds or configured or (reach.every and not reach.kinds):
            connected[registration.kind] = ready
        else:
            skipped.append(registration.kind)
    if not connected and problems:
        raise problems[0]
    return connected, tuple(skipped)


def retry_policy() -> RetryPolicy:
    from reconciler.backends.policy import DEFAULT_MAX_RESPONSE_MB, MIB, RetryPolicy

    meta = click.get_current_context().meta
    return RetryPolicy(
        timeout=meta.get("wac.timeout", 30.0),
        max_rate_wait=meta.get("wac.max_rate_wait", 60.0),
        max_response_bytes=meta.get("wac.max_response_mb", DEFAULT_MAX_RESPONSE_MB) * MIB,
    )


def _interrupt(task: asyncio.Task[Any] | None, sig: signal.Signals) -> None:
    click.echo(f"\n{sig.name}: stopping after the requests in flight…", err=True)
    if task is not None:
        task.cancel()


def desired_resources(paths: tuple[Path, ...] | tuple[str, ...]) -> list[Desired]:
    return load_inputs(paths)[0]


def load_inputs(paths: tuple[Path, ...] | tuple[str, ...]) -> tuple[list[Desired], PlanInputs]:
    """The manifests as desired resources, and what a saved plan records of where they came from."""
    from reconciler.manifests.validation import desired_from

    given, result = manifests_for_run(paths)
    refuse_problems(result.problems)
    inputs = PlanInputs(tuple(str(p) for p in given), result.files)
    return [d for m in result.manifests for d in desired_from(m)], inputs


def manifests_for_run(paths: Sequence[Path | str]) -> tuple[tuple[Path | str, ...], LoadResult]:
    """The paths read and the manifests under them, for the chosen environment (--env): its manifests when no
    path is given, its values for templates, and `.wac.yaml`'s digest among the files a saved plan records."""
    import hashlib

    from reconciler.cli.settings import CONFIG_FILE, SettingsError, environment_names, read_environment
    from reconciler.manifests.loading import load_manifests

    try:
        environment = read_environment()
        # No environments defined: an instance's `environments:` list is not checked (every instance is made).
        known = environment_names() or None
    except SettingsError as exc:
        fail(str(exc))
    if environment is None:
        given = tuple(paths) or DEFAULT_PATHS
        return given, load_manifests(given, environments=known)
    given = tuple(paths) or environment.paths or DEFAULT_PATHS
    result = load_manifests(given, environment.values, environment.name, known)
    recorded = (f"{CONFIG_FILE} (environment {environment.name})", hashlib.sha256(CONFIG_FILE.read_bytes()).hexdigest())
    return given, replace(result, files=(*result.files, recorded))


def forgotten() -> tuple[str, ...]:
    """The resources `.wac.yaml` lets go (`forget:`, KIND/ID each)."""
    from reconciler.cli.settings import SettingsError, configured_forget, read_config

    try:
        return configured_forget(read_config())
    except SettingsError as exc:
        fail(str(exc))


def refuse_problems(problems: Sequence[Problem]) -> None:
    if problems:
        click.echo(format_problems(list(problems), "text"), err=True)
        fail(f"{len(problems)} problem(s) in the manifests; nothing was sent to the API (see wac validate).")


def needed_kinds(desired: Iterable[Desired], chosen: Iterable[str] = ()) -> tuple[str, ...]:
    """The kinds whose credentials a run must have: those `--kind` names (and those their manifests refer to),
    else those the manifests use and those `kinds:` in .wac.yaml lists."""
    from reconciler.cli.settings import SettingsError, configured_kinds, read_config

    if set(chosen):
        # The kinds the chosen manifests refer to are read too: their remote ids resolve the references.
        named = {kind for want in desired if want.kind in set(chosen) for kind, _ in want.references}
        return tuple(sorted(set(chosen) | named))
    try:
        listed = configured_kinds(read_config())
    except SettingsError as exc:
        fail(str(exc))
    return tuple(sorted({d.kind for d in desired} | set(listed)))


def with_skipped_kinds(plan: Plan, run: Run, chosen: Iterable[str]) -> Plan:
    """The plan with a warning naming the kinds this run did not read, unless --kind chose them on purpose, and
    the kinds it read that `kinds:` in .wac.yaml leaves out (a run without their manifests would not read them)."""
    if set(chosen):
        return plan
    if run.kinds_listed:
        unlisted = sorted(set(run.connected) - set(run.listed_kinds))
        if not unlisted:
            return plan
        note = (
            f"{', '.join(unlisted)}: read this time, but `kinds:` in .wac.yaml does not list it, so once its last"
            " manifest is removed it is not read and its resources are not deleted. Add it to `kinds:`"
        )
        return replace(plan, warnings=(*plan.warnings, note))
    if not run.skipped:
        return plan
    note = (
        f"not read: {', '.join(run.skipped)} (no manifest here uses them), so a resource of theirs whose last"
        " manifest was removed is not deleted. List the kinds this repository manages under `kinds:` in"
        " .wac.yaml (wac init writes it), or pass --kind"
    )
    return replace(plan, warnings=(*plan.warnings, note))


def refuse_plan_errors(plan: Plan) -> None:
    if plan.errors:
        from reconciler.render.common import printable

        for error in plan.errors:
            click.echo(click.style("error: ", fg="red") + printable(error), err=True)
        fail(f"{len(plan.errors)} problem(s), named above, make this plan unfit to apply; nothing was applied.")


def write_file(path: Path, text: str) -> None:
    from reconciler.cli.output_files import OutputError, write_text

    try:
        write_text(path, text)
    except OutputError as exc:
        fail(str(exc))
