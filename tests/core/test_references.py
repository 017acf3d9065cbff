"""References between resources: resolved to remote ids at plan time, "(known after apply: …)" for a target the
plan creates, and an apply that writes targets first, swaps in the ids their creates answered, and deletes what
names a resource before the resource. Planned with plain data; applied over the in-memory fake backend."""

from __future__ import annotations

import asyncio
from typing import Any

from reconciler.core.backend import Listing
from reconciler.core.planning import Action, Plan, plan_changes
from reconciler.core.references import token
from reconciler.core.resources import Claims, Desired, Remote
from reconciler.engine.applying import apply_plan
from reconciler.engine.ordering import write_levels
from reconciler.engine.runs import plan_run, read_remote
from reconciler.testing import KIND, FakeApi, FakeBackend

PACK = (KIND, "latency-pack")


def pack(title: str = "Latency") -> Desired:
    return Desired(KIND, "default", "latency-pack", title, {"title": title}, (), "pack.yaml:1")


def board(manifest_id: str, *targets: tuple[str, str], extra: dict[str, Any] | None = None) -> Desired:
    content = {"title": manifest_id, "uses": [token(*t) for t in targets], **(extra or {})}
    return Desired(KIND, "default", manifest_id, manifest_id, content, (), f"{manifest_id}.yaml:1", references=targets)


def listing_of(api: FakeApi, owner: str = "team") -> Listing:
    return asyncio.run(read_remote({KIND: FakeBackend(api)}, owner))


def applied(api: FakeApi, desired: list[Desired]) -> None:
    backend = FakeBackend(api)
    plan = asyncio.run(plan_run({KIND: backend}, "team", desired))
    report = asyncio.run(apply_plan({KIND: backend}, plan))
    assert all(o.ok for o in report.outcomes), [o.detail for o in report.outcomes]


def test_a_target_created_by_the_same_plan_is_known_after_apply() -> None:
    plan = plan_changes([board("checkout", PACK), pack()], Listing(()), "team")
    by_id = {c.manifest_id: c for c in plan.changes}
    assert by_id["checkout"].content == {"title": "checkout", "uses": ["(known after apply: fake/widget/latency-pack)"]}
    assert [f.after for f in by_id["checkout"].fields if f.path == "uses"] == [
        ["(known after apply: fake/widget/latency-pack)"]
    ]


def test_apply_creates_the_target_first_and_writes_its_remote_id_into_the_referrer() -> None:
    api = FakeApi()
    applied(api, [board("checkout", PACK), board("payments", PACK), pack()])
    stored = {r.claims.manifest_id: r for r in api.resources()}
    pack_id = stored["latency-pack"].remote_id
    assert stored["checkout"].content["uses"] == [pack_id] and stored["payments"].content["uses"] == [pack_id]
    creates = [c for c in api.calls if c.operation == "create"]
    assert creates[0].manifest_id == "latency-pack", "the target is created before what names it"
    # The marker records the content as written, so the next plan has nothing to do.
    as_written = Desired(KIND, "default", "checkout", "checkout", {"title": "checkout", "uses": [pack_id]}, (), "x")
    assert stored["checkout"].claims.applied == as_written.digest()
    plan = asyncio.run(plan_run({KIND: FakeBackend(api)}, "team", [board("checkout", PACK), pack()]))
    assert [c.action for c in plan.changes] == [Action.DELETE], "only the manifest removed (payments) changes"


def test_an_existing_target_resolves_to_its_remote_id_and_nothing_changes() -> None:
    api = FakeApi()
    applied(api, [board("checkout", PACK), pack()])
    plan = plan_changes([board("checkout", PACK), pack()], listing_of(api), "team")
    assert plan.settled and plan.unchanged == 2


def test_a_replaced_target_leaves_its_referrers_known_after_apply() -> None:
    api = FakeApi()
    applied(api, [board("checkout", PACK), pack()])
    changed = Desired(
        KIND, "default", "latency-pack", "Latency", {"title": "Latency v2"}, (), "p:1", immutable=("title",)
    )
    plan = plan_changes([board("checkout", PACK), changed], listing_of(api), "team")
    by_id = {c.manifest_id: c for c in plan.changes}
    assert by_id["latency-pack"].action == Action.REPLACE
    assert by_id["checkout"].action == Action.UPDATE
    assert by_id["checkout"].content is not None and by_id["checkout"].content["uses"] == [token(*PACK)]
    report = asyncio.run(apply_plan({KIND: FakeBackend(api)}, plan))
    assert all(o.ok for o in report.outcomes)
    stored = {r.claims.manifest_id: r for r in api.resources()}
    assert stored["checkout"].content["uses"] == [stored["latency-pack"].remote_id]


def test_deletes_go_referrer_first() -> None:
    api = FakeApi()
    applied(api, [board("checkout", PACK), pack()])
    plan = plan_changes([], listing_of(api), "team")
    report = asyncio.run(apply_plan({KIND: FakeBackend(api)}, plan))
    deleted = [c.manifest_id for c in api.calls if c.operation == "delete"]
    assert all(o.ok for o in report.outcomes) and deleted == ["checkout", "latency-pack"]


def test_a_referrer_waits_in_vain_for_a_target_whose_create_failed() -> None:
    from reconciler.core.backend import BackendError

    api = FakeApi()
    api.fail_next("create", BackendError("the API said no"))
    plan = plan_changes([board("checkout", PACK), pack()], Listing(()), "team")
    report = asyncio.run(apply_plan({KIND: FakeBackend(api)}, plan))
    details = {o.change.manifest_id: (o.ok, o.detail) for o in report.outcomes}
    assert details["latency-pack"][0] is False
    assert details["checkout"] == (False, "not written: it needs fake/widget/latency-pack, which failed")
    assert [r.claims.manifest_id for r in api.resources()] == [], "nothing written with a token in it"


def test_a_token_never_reaches_the_api() -> None:
    """A change still naming an unknown id (a hand-made plan) is refused, not written."""
    plan = plan_changes([board("checkout", PACK)], Listing(()), "team")
    assert plan.errors == (
        "checkout.yaml:1: refers to fake/widget/latency-pack, which no manifest given to this run"
        " defines; give its manifest too",
    )
    change = plan_changes([board("checkout", PACK), pack()], Listing(()), "team").changes
    lone = next(c for c in change if c.manifest_id == "checkout")

    report = asyncio.run(apply_plan({KIND: FakeBackend(FakeApi())}, Plan("team", (lone,), 0, 0)))
    assert report.outcomes[0].ok is False and "is not known" in report.outcomes[0].detail


def test_a_target_left_out_by_target_and_missing_is_an_error() -> None:
    plan = plan_changes([board("checkout", PACK), pack()], Listing(()), "team", targets=("checkout",))
    assert plan.errors and "is not created by this plan (--target or --kind" in plan.errors[0]


def test_a_chain_is_ordered_and_unordered_members_are_compared_as_a_set() -> None:
    api = FakeApi()
    first = board("first", PACK)
    second = Desired(
        KIND,
        "default",
        "second",
        "second",
        {"title": "second", "members": [token(KIND, "first"), token(*PACK), "zzz-literal"]},
        (),
        "s:1",
        unordered=("members",),
        references=((KIND, "first"), PACK),
    )
    applied(api, [second, first, pack()])
    creates = [c.manifest_id for c in api.calls if c.operation == "create"]
    assert creates == ["latency-pack", "first", "second"]
    plan = plan_changes([second, first, pack()], listing_of(api), "team")
    assert plan.settled, [c.fields for c in plan.changes]


def test_a_kind_left_out_of_the_plan_still_resolves_references_to_it() -> None:
    """`--kind` plans some kinds; the ids of the resources they name are read from every kind listed."""
    api = FakeApi()
    applied(api, [board("checkout", PACK), pack()])
    other = Desired("other/kind", "default", "uses-pack", "u", {"uses": token(*PACK)}, (), "u:1", references=(PACK,))
    plan = plan_changes([other, pack(), board("checkout", PACK)], listing_of(api), "team", kinds=["other/kind"])
    (created,) = plan.changes
    pack_id = next(r.remote_id for r in api.resources() if r.claims.manifest_id == "latency-pack")
    assert created.content == {"uses": pack_id} and not plan.errors


def test_a_long_chain_of_references_is_ordered_without_recursion() -> None:
    """Validation allows any acyclic chain; ordering it must not hit Python's recursion limit."""
    chain = [pack()] + [board(f"b{n:04}", PACK if n == 0 else (KIND, f"b{n - 1:04}")) for n in range(3_000)]
    plan = plan_changes(list(reversed(chain)), Listing(()), "team")
    levels = write_levels(list(plan.changes))
    assert len(levels) == 3_001 and [c.manifest_id for c in levels[0]] == ["latency-pack"]


def test_deleting_a_resource_whose_id_a_manifest_writes_out_is_named() -> None:
    api = FakeApi()
    applied(api, [pack()])
    pack_id = api.resources()[0].remote_id
    literal = Desired(KIND, "default", "checkout", "checkout", {"uses": [pack_id]}, (), "checkout.yaml:3")
    plan = plan_changes([literal], listing_of(api), "team")
    assert [c.action for c in plan.changes if c.manifest_id == "latency-pack"] == [Action.DELETE]
    assert any(
        w.startswith(f"default/latency-pack ({pack_id}) is deleted, but checkout.yaml:3 still names its id")
        for w in plan.warnings
    ), plan.warnings


def test_a_child_created_beside_an_existing_target_leaves_its_id_known() -> None:
    """A dashboard's new edit lock shares the dashboard's kind and id; a list naming the dashboard still gets
    its remote id at plan time."""
    board_key = ("api/board", "board", "checkout")
    mine = Desired("api/board", "board", "checkout", "Checkout", {"title": "Checkout"}, (), "b.yaml:1")
    lock = Desired("api/board", "lock", "checkout", "Checkout", {"editors": ["x"]}, (), "b.yaml:1", parent=board_key)
    lists = Desired(
        "api/list", "list", "team", "Team", {"members": [token("api/board", "checkout")]}, (), "l.yaml:1",
        references=(("api/board", "checkout"),),
    )  # fmt: skip
    claims = Claims(("team",), ("checkout",), mine.digest())
    existing = Remote("api/board", "board", "abc-def-ghi", "Checkout", {"title": "Checkout"}, claims)
    plan = plan_changes([mine, lock, lists], Listing((existing,)), "team")
    assert not plan.errors
    by_scope = {c.scope: c for c in plan.changes}
    assert by_scope["lock"].action == Action.CREATE
    assert by_scope["list"].content == {"members": ["abc-def-ghi"]}
