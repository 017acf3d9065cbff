"""References over random graphs (hypothesis): whatever exists already, whatever is edited, renamed away or
removed, one apply leaves every reference holding its target's remote id, writes each target before what names
it, and the next plan has nothing to do. Planned and applied over the in-memory fake backend."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from reconciler.core.references import token
from reconciler.core.resources import Desired
from reconciler.engine.applying import apply_plan
from reconciler.engine.runs import plan_run
from reconciler.testing import KIND, FakeApi, FakeBackend
from tests.budget import examples

IDS = [f"r{i}" for i in range(7)]


@st.composite
def graphs(draw: st.DrawFn) -> list[Desired]:
    """Resources r0…rN, each naming some with a lower number: acyclic, as validation guarantees."""
    chosen = sorted(draw(st.sets(st.sampled_from(IDS), min_size=1)), key=IDS.index)
    result = []
    for position, manifest_id in enumerate(chosen):
        earlier = chosen[:position]
        named = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=3)) if earlier else []
        version = draw(st.integers(0, 1))
        as_set = draw(st.booleans())
        content = {"title": f"{manifest_id} v{version}", "uses": [token(KIND, n) for n in named]}
        result.append(
            Desired(
                KIND,
                "default",
                manifest_id,
                manifest_id,
                content,
                (),
                f"{manifest_id}.yaml:1",
                unordered=("uses",) if as_set else (),
                references=tuple((KIND, n) for n in named),
            )
        )
    return draw(st.permutations(result))


def run(api: FakeApi, desired: list[Desired]) -> None:
    backend = FakeBackend(api)
    plan = asyncio.run(plan_run({KIND: backend}, "team", desired))
    assert not plan.errors, plan.errors
    report = asyncio.run(apply_plan({KIND: backend}, plan))
    assert all(o.ok for o in report.outcomes), [o.detail for o in report.outcomes]


@settings(max_examples=examples(40, 400), deadline=None)
@given(before=graphs(), after=graphs())
def test_one_apply_settles_any_graph_from_any_graph(before: list[Desired], after: list[Desired]) -> None:
    api = FakeApi()
    run(api, before)
    api.calls.clear()
    run(api, after)
    stored = {r.claims.manifest_id: r for r in api.resources()}
    assert set(stored) == {d.manifest_id for d in after}
    for want in after:
        named = {stored[target].remote_id for _, target in want.references}
        assert set(stored[want.manifest_id].content["uses"]) == named, "every reference holds its target's id"
    written = [c.manifest_id for c in api.calls if c.operation in ("create", "update")]
    for want in after:
        for _, target in want.references:
            if want.manifest_id in written and target in written:
                assert written.index(target) < written.index(want.manifest_id), "targets are written first"
    plan = asyncio.run(plan_run({KIND: FakeBackend(api)}, "team", after))
    assert plan.settled, [(c.manifest_id, c.action, c.fields) for c in plan.changes]
