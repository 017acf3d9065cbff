"""Convergence under faults (hypothesis): random manifests, remote states and fault schedules.

Each example builds a remote state through the API, then runs plan + apply as CI would,
through an emulator injecting the drawn faults, until a plan is empty. Afterwards the
owner's widgets equal the manifests exactly, once each, and nothing else was touched.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reconciler.backends.datadog_widgets.client import ApiError, WidgetsClient
from reconciler.backends.datadog_widgets.emulator.app import create_app
from reconciler.backends.datadog_widgets.emulator.store import WidgetStore
from reconciler.backends.datadog_widgets.emulator.transport import InProcessTransport
from reconciler.backends.emulation.settings import EmulatorSettings, FaultRule, RateLimit
from reconciler.backends.policy import RetryPolicy
from reconciler.backends.sites import resolve_site
from reconciler.core.resources import Desired
from reconciler.engine.runs import apply_run, plan_run
from tests.budget import examples
from tests.conftest import ALICE, BOB
from tests.figures import report as report_figure
from tests.widgets import backends_of, desired_widget, tags_for
from tests.widgets import definition as definition_of_desired

OWNER = "ci"
MAX_RUNS = 10
WRITES = frozenset({"POST", "PUT", "DELETE"})
FAST = RetryPolicy(attempts=8, base_delay=0.001, max_delay=0.01, timeout=0.05)


@dataclass
class Figures:
    schedules: int = 0
    widgets: int = 0
    worst_runs: int = 0
    requests: int = 0
    refused_429: int = 0
    max_in_window: int = 0
    limit: int = 0
    faults: dict[str, int] = field(default_factory=dict)
    racing: int = 0


FIGURES = Figures()


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    yield
    f = FIGURES
    report_figure(
        f"convergence under faults: {f.schedules} fault schedules, {f.widgets} widgets in all, worst case"
        f" {f.worst_runs} run(s) to converge; {f.requests} requests, {f.refused_429} answered 429, at most"
        f" {f.max_in_window} admitted per window under a limit of {f.limit}; faults injected {f.faults};"
        f" {f.racing} schedule(s) began with two applies racing"
    )


def widget_of(manifest_id: str, kind: str, title: str, tags: tuple[str, ...]) -> Desired:
    definition = {"type": "toplist", "title": title, "requests": [{"q": f"count:{manifest_id}"}]}
    return desired_widget(kind, manifest_id, definition, tags, (), f"{manifest_id}.yaml:1")


manifests = st.lists(
    st.builds(
        widget_of,
        st.sampled_from([f"w{i}" for i in range(14)]),
        st.sampled_from(["ccm_reports", "logs_reports", "product_analytics"]),
        st.sampled_from(["Spend", "Errors", "Funnel", "Σ ünïcode"]),
        st.lists(st.sampled_from(["team:a", "env:prod"]), unique=True).map(tuple),
    ),
    max_size=10,
    unique_by=lambda d: d.key,
)
remote_kinds = st.sampled_from(["exact", "drifted", "duplicated", "deleted", "missing", "other-owner", "claimed-twice"])
fault_rules = st.lists(
    st.one_of(
        st.builds(
            FaultRule,
            st.just("error"),
            st.floats(0.05, 0.25),
            st.just(frozenset({"GET", "POST", "PUT"})),
            st.sampled_from([500, 502, 503]),
        ),
        st.builds(FaultRule, st.just("lost_response"), st.floats(0.05, 0.25), st.just(WRITES)),
        st.builds(FaultRule, st.just("lost_response"), st.floats(0.05, 0.2), st.just(WRITES), st.just(504)),
        st.builds(FaultRule, st.just("drop"), st.floats(0.05, 0.2)),
        st.builds(
            FaultRule,
            st.just("slow"),
            st.floats(0.05, 0.15),
            st.just(frozenset({"GET", "PUT"})),
            st.none(),
            st.just(0.2),
        ),
    ),
    min_size=1,
    max_size=2,
)


def body(widget: Desired, tags: list[str], title: str | None = None) -> dict[str, Any]:
    definition = {**definition_of_desired(widget), "title": title or definition_of_desired(widget)["title"]}
    return {"data": {"type": "widgets", "attributes": {"definition": definition, "tags": tags}}}


async def seed(http: httpx.AsyncClient, desired: list[Desired], kinds: list[str]) -> set[str]:
    """Build the remote state; returns the uuids nobody but their owners may touch."""
    untouchable = set()
    for widget, kind in zip(desired, kinds, strict=False):
        path = f"/api/v2/widgets/{widget.scope}"
        tags = tags_for(widget, OWNER)
        if kind == "missing":
            continue
        if kind == "other-owner":
            created = await http.post(path, json=body(widget, tags_for(widget, "someone-else")), headers=BOB)
            untouchable.add(created.json()["data"]["id"])
            continue
        if kind == "claimed-twice":
            # Someone added a second owner tag in the UI: neither owner may write to it.
            created = await http.post(path, json=body(widget, [*tags, "wac-owner:someone-else"]), headers=BOB)
            untouchable.add(created.json()["data"]["id"])
            continue
        created = await http.post(path, json=body(widget, tags))
        uuid = created.json()["data"]["id"]
        if kind == "drifted":
            await http.put(f"{path}/{uuid}", json=body(widget, tags, "edited in the UI"), headers=BOB)
        elif kind == "duplicated":
            await http.post(path, json=body(widget, tags))
        elif kind == "deleted":
            await http.delete(f"{path}/{uuid}")
    stray = await http.post(
        "/api/v2/widgets/logs_reports",
        headers=BOB,
        json={
            "data": {
                "type": "widgets",
                "attributes": {"definition": {"type": "toplist", "title": "UI only"}, "tags": ["team:a"]},
            }
        },
    )
    untouchable.add(stray.json()["data"]["id"])
    return untouchable


async def snapshot(http: httpx.AsyncClient) -> dict[str, dict[str, Any]]:
    state = {}
    for kind in ("ccm_reports", "logs_reports", "csv_reports", "product_analytics"):
        page = await http.get(f"/api/v2/widgets/{kind}", params={"page[size]": 100})
        state.update({w["id"]: {**w, "kind": kind} for w in page.json()["data"]})
    return state


def retitled(desired: list[Desired]) -> list[Desired]:
    """Another version of the same manifests, as a laptop behind or ahead of CI has."""
    return [
        widget_of(w.manifest_id, w.scope, definition_of_desired(w)["title"] + " v2", tuple(w.content["tags"]))
        for w in desired
    ]


def live_keys(state: dict[str, dict[str, Any]]) -> set[tuple[str, str]]:
    keys = set()
    for widget in state.values():
        tags = widget["attributes"]["tags"]
        if f"wac-owner:{OWNER}" in tags:
            keys.update((widget["kind"], t[7:]) for t in tags if t.startswith("wac-id:"))
    return keys


async def converge(
    desired: list[Desired],
    kinds: list[str],
    faults: list[FaultRule],
    seed_value: int,
    rate_limited: bool,
    racing_runs: int = 0,
    other_version: bool = False,
) -> None:
    store = WidgetStore()
    clean_app, _ = create_app(store)
    limit = RateLimit(limit=40, period=0.25) if rate_limited else None
    faulty_app, stats = create_app(store, EmulatorSettings(faults=tuple(faults), seed=seed_value, rate_limit=limit))
    site = resolve_site("http://127.0.0.1:1")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=clean_app), base_url="http://emulator", headers=ALICE
    ) as http:
        untouchable = await seed(http, desired, kinds)
        before = await snapshot(http)

        def client(run: int) -> WidgetsClient:
            return WidgetsClient(
                site,
                ALICE["DD-API-KEY"],
                ALICE["DD-APPLICATION-KEY"],
                parallelism=4,
                policy=FAST,
                transport=InProcessTransport(app=faulty_app),
                seed=seed_value + run,
            )

        async def one_run(run: int, wanted: list[Desired]) -> bool:
            """Plan and apply as CI would; True when the plan was empty."""
            async with client(run) as session:
                try:
                    plan = await plan_run(backends_of(session), OWNER, wanted)
                    if not plan.changes:
                        return True
                    await apply_run(
                        backends_of(session), plan, lambda _: None
                    )  # a failure is what the next run repairs
                except ApiError:
                    pass  # CI runs the job again
            return False

        # Two applies at once (a laptop and CI), with the same or another manifest version.
        rival = retitled(desired) if other_version else desired
        for run in range(racing_runs):
            alive = live_keys(await snapshot(http))
            await asyncio.gather(one_run(1000 + 2 * run, desired), one_run(1001 + 2 * run, rival))
            lost = alive - live_keys(await snapshot(http))
            assert not lost, f"racing applies left no widget for {sorted(lost)}"
        runs = 0
        for runs in range(1, MAX_RUNS + 1):
            if await one_run(runs, desired):
                break
        else:
            pytest.fail(f"not converged after {MAX_RUNS} runs")

        after = await snapshot(http)
    managed: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for widget in after.values():
        tags = widget["attributes"]["tags"]
        if f"wac-owner:{OWNER}" in tags:
            manifest_id = next(t[7:] for t in tags if t.startswith("wac-id:"))
            managed.setdefault((widget["kind"], manifest_id), []).append(widget)
    for uuid in untouchable:
        tags = after[uuid]["attributes"]["tags"]
        if f"wac-owner:{OWNER}" in tags:  # claimed twice: reported as a conflict, written by nobody
            managed.pop((after[uuid]["kind"], next(t[7:] for t in tags if t.startswith("wac-id:"))), None)
    claimed_twice = {w.key for w, kind in zip(desired, kinds, strict=False) if kind == "claimed-twice"}
    expected = [d for d in desired if d.key not in claimed_twice]
    assert sorted(managed) == sorted((d.scope, d.manifest_id) for d in expected), "the managed set equals the manifests"
    for widget in expected:
        (only,) = managed[(widget.scope, widget.manifest_id)]
        assert only["attributes"]["definition"] == definition_of_desired(widget)
        assert sorted(only["attributes"]["tags"]) == sorted(tags_for(widget, OWNER))
    for uuid in untouchable:
        assert after[uuid] == before[uuid], "nothing of another owner or unmanaged was touched"
    if limit is not None:
        assert stats.max_admitted_per_window <= limit.limit
        FIGURES.limit = limit.limit
        FIGURES.max_in_window = max(FIGURES.max_in_window, stats.max_admitted_per_window)
    FIGURES.schedules += 1
    FIGURES.widgets += len(desired)
    FIGURES.worst_runs = max(FIGURES.worst_runs, runs)
    FIGURES.requests += sum(stats.by_method.values())
    FIGURES.refused_429 += stats.by_status.get(429, 0)
    for kind, count in stats.faults.items():
        FIGURES.faults[kind] = FIGURES.faults.get(kind, 0) + count


@pytest.mark.slow
@settings(
    max_examples=examples(ci=24, nightly=60),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    desired=manifests, data=st.data(), faults=fault_rules, seed_value=st.integers(0, 10_000), rate_limited=st.booleans()
)
def test_apply_converges_under_any_fault_schedule(
    desired: list[Desired], data: st.DataObject, faults: list[FaultRule], seed_value: int, rate_limited: bool
) -> None:
    kinds = data.draw(st.lists(remote_kinds, min_size=len(desired), max_size=len(desired)))
    racing_runs = data.draw(st.sampled_from([0, 0, 1, 2]), label="racing runs")
    other_version = data.draw(st.booleans(), label="the rival applies another manifest version")
    if racing_runs:
        FIGURES.racing += 1
    asyncio.run(converge(desired, kinds, faults, seed_value, rate_limited, racing_runs, other_version))
