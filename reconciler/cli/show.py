"""`wac show`: a plan saved with `wac plan --out`, as text, markdown or JSON, with nothing sent anywhere.

Like `terraform show`: what a reviewer reads before `wac apply --plan`. The file is a claim, checked field by
field as `apply --plan` checks it; what the check does not restore is not shown.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, NoReturn

import click

from reconciler.backends.registry import SCOPES
from reconciler.cli.shell import Command, colour, echo_lines, everywhere, fail
from reconciler.core.identity import REMOTE_ID
from reconciler.core.plan_file import PlanFileError, SavedPlan, plan_from_json, plan_to_json
from reconciler.core.planning import Conflict, Plan
from reconciler.core.resources import Caution
from reconciler.render.common import printable
from reconciler.render.markdown import render_markdown
from reconciler.render.text import text_lines

# As large as `apply --plan` reads.
MAX_PLAN_BYTES = 64 * 1024 * 1024


@click.command(cls=Command)
@everywhere
@click.argument("plan_file", metavar="PLAN", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "output", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
def show(plan_file: Path, output: str) -> None:
    """Show a plan saved with `wac plan --out`, every field checked; no request is sent."""
    text = _read(plan_file)
    saved, plan = _checked(text, str(plan_file))
    if output == "json":
        click.echo(plan_to_json(plan, saved.site, saved.inputs), nl=False)
        return
    if output == "markdown":
        click.echo(render_markdown(plan, saved.site))
        return
    echo_lines(text_lines(plan, colour()), colour())
    _errors(plan.errors)
    click.echo(f"Saved for site {_shown(saved.site)}; apply exactly it with: wac apply --plan {plan_file}", err=True)


def _read(plan_file: Path) -> str:
    try:
        if plan_file.stat().st_size > MAX_PLAN_BYTES:
            fail(f"{plan_file}: {plan_file.stat().st_size:,} bytes is too large for a plan file")
        return plan_file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail(f"{plan_file}: not UTF-8 text, so not a plan file written by `wac plan --out`")
    except OSError as exc:
        fail(f"{plan_file}: cannot be read ({exc.strerror or type(exc).__name__})")


def _checked(text: str, origin: str) -> tuple[SavedPlan, Plan]:
    """The saved plan as `apply --plan` reads it, with the conflicts and cautions its reader leaves out."""
    try:
        saved = plan_from_json(text, origin, SCOPES)
        return saved, _reviewed(saved.plan, json.loads(text), origin)
    except PlanFileError as exc:
        fail(str(exc))
    except RecursionError:
        fail(f"{origin}: nested too deeply to be a plan file written by `wac plan --out`")


def _reviewed(plan: Plan, raw: dict[str, Any], origin: str) -> Plan:
    """The plan with the file's conflicts and each change's cautions, checked: apply recomputes them and
    never reads them, so the plan reader skips them, but a review of the file needs them (a plan holding
    only conflicts would otherwise read "No changes", and a share widening access would not say so)."""
    check = _Check(origin)
    changes = list(plan.changes)
    for n, entry in enumerate(check.items(raw.get("changes", []), "changes")):
        where = f"changes[{n}].cautions"
        if n < len(changes) and not changes[n].cautions:
            cautions = check.items(check.mapping(entry, f"changes[{n}]").get("cautions", []), where)
            changes[n] = replace(changes[n], cautions=tuple(check.caution(c, where) for c in cautions))
    conflicts = plan.conflicts or tuple(
        check.conflict(c, f"conflicts[{n}]") for n, c in enumerate(check.items(raw.get("conflicts", []), "conflicts"))
    )
    return replace(plan, changes=tuple(changes), conflicts=conflicts)


class _Check:
    """Each field a review adds, checked as the plan reader checks the rest, failing with its name."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, where: str, what: str) -> NoReturn:
        raise PlanFileError(f"{self.origin}: {where} {what}; the file was not written by `wac plan --out` as it is")

    def mapping(self, value: Any, where: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(where, "must be a JSON object")
        return value

    def items(self, value: Any, where: str) -> list[Any]:
        if not isinstance(value, list):
            self.fail(where, "must be a list")
        return value

    def text(self, value: Any, where: str) -> str:
        if not isinstance(value, str):
            self.fail(where, "must be text")
        return value

    def caution(self, value: Any, where: str) -> Caution:
        raw = self.mapping(value, where)
        widens = raw.get("widens_access")
        if not isinstance(widens, bool):
            self.fail(f"{where}.widens_access", "must be true or false")
        return Caution(self.text(raw.get("text"), f"{where}.text"), widens)

    def conflict(self, value: Any, where: str) -> Conflict:
        raw = self.mapping(value, where)
        kind = self.text(raw.get("kind"), f"{where}.kind")
        if kind not in SCOPES:
            self.fail(f"{where}.kind", f"must be one of {', '.join(SCOPES)}")
        scope = self.text(raw.get("scope"), f"{where}.scope")
        if scope not in SCOPES[kind]:
            self.fail(f"{where}.scope", f"must be one of {', '.join(SCOPES[kind])}")
        remote_id = self.text(raw.get("remote_id"), f"{where}.remote_id")
        if not REMOTE_ID.fullmatch(remote_id):
            self.fail(f"{where}.remote_id", "must be a remote id")
        owners = tuple(self.text(o, f"{where}.owners") for o in self.items(raw.get("owners"), f"{where}.owners"))
        ids = tuple(self.text(i, f"{where}.ids") for i in self.items(raw.get("ids"), f"{where}.ids"))
        unresolved = Conflict(kind, scope, remote_id, self.text(raw.get("title"), f"{where}.title"), owners, ids)
        # `how_to_resolve` is the conflict described in full: what follows the description is the advice.
        opening = replace(unresolved, resolve="\x00").describe().removesuffix("\x00")
        how = self.text(raw.get("how_to_resolve"), f"{where}.how_to_resolve")
        if not how.startswith(opening):
            self.fail(f"{where}.how_to_resolve", "does not describe this conflict")
        return replace(unresolved, resolve=how[len(opening) :])


def _errors(errors: tuple[str, ...]) -> None:
    """What makes the plan unfit to apply, below it, as `wac plan` names it."""
    for error in errors:
        click.echo(click.style("error: ", fg="red") + _shown(error), color=colour())


def _shown(text: str) -> str:
    return printable(text)
