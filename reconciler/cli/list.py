"""`wac list`: what an owner manages, one line per resource, from the listings a plan reads (like
`terraform state list`, with no state file: the markers are the state)."""

from __future__ import annotations

from collections.abc import Sequence

import click

from reconciler.cli.harness import Run
from reconciler.cli.shell import Command, colour, connection_options, everywhere, kind_option
from reconciler.core.backend import Listing
from reconciler.core.planning import plan_changes
from reconciler.render.listing import Inventory, duplicate_notes, render_listing_json, render_listing_text


@click.command("list", cls=Command)
@everywhere
@connection_options
@click.option("--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True)
@kind_option
def list_resources(site: str | None, owner: str | None, output: str, kinds: tuple[str, ...]) -> None:
    """List what the owner manages: kind, id, remote id, title, last applied; conflicts apart. Reads only
    the listings a plan reads, and writes nothing."""
    from reconciler.engine.runs import read_remote

    # Every kind the site and settings reach (no manifest says which are in use), unless --kind chose some.
    run = Run(site, owner, kinds=kinds, cached=True, every_kind=True)
    listing = run.run(
        lambda backends: read_remote({k: b for k, b in backends.items() if not kinds or k in kinds}, run.owner)
    )
    inventory = _inventory(listing, run, kinds)
    if output == "json":
        click.echo(render_listing_json(inventory), nl=False)
    else:
        click.echo(render_listing_text(inventory, colour()), color=colour())


def _inventory(listing: Listing, run: Run, kinds: Sequence[str]) -> Inventory:
    """The owner's resources, with what is in conflict taken out by the planner's own rules (so `list` and
    `plan` never disagree on it), and notes on what the listings could not show."""
    # A plan of no manifests: only its conflicts and warnings are read; nothing is planned or written.
    verdict = plan_changes((), listing, run.owner, kinds=kinds)
    in_conflict = {(c.kind, c.scope, c.remote_id) for c in verdict.conflicts}
    owned = tuple(
        r
        for r in listing.resources
        if run.owner in r.claims.owners and (r.kind, r.scope, r.remote_id) not in in_conflict
    )
    notes = [
        f"{scope} ({kind}): {why}; resources of this owner may be missing from this list"
        for (kind, scope), why in sorted(listing.incomplete.items())
    ]
    notes += [f"not read: {kind}: {why}" for kind, why in sorted(run.unreachable.items())]
    notes += [*verdict.warnings, *duplicate_notes(owned)]
    return Inventory(run.owner, run.site.name, owned, verdict.conflicts, tuple(notes))
